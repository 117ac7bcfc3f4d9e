"""Exercise 03: plausible wrong answers lose their question's points, with a message that says why.

Grading a notebook takes seconds (a kernel, torch), so the wrong answers share submissions: submission k
carries the k-th wrong answer of every question that has one, and the right answer elsewhere. The
questions' tests are independent (each uses only its own question's function), so every question with a
wrong answer must fail with its message, and every other question must keep its points.
"""
import pytest

from coursetools.authoring import grade_each
from coursetools.grade import format_report

COUNT_USES = '''
def count_uses(root):
    uses, stack = {id(root): 0}, [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if id(parent) not in uses:
                uses[id(parent)] = 0
                stack.append(parent)
            uses[id(parent)] += 1
    return uses
'''
KAHN = '''

def topological_order(root):
    uses = count_uses(root)
    visited, queue = [], deque([root])
    while queue:
        node = queue.popleft()
        visited.append(node)
        for parent in node.parents:
            uses[id(parent)] -= 1
            if uses[id(parent)] == 0:
                queue.append(parent)
    return visited[::-1]
'''

OWN_KAHN = '''

def topological_order(root):
    uses, stack = {id(root): 0}, [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if id(parent) not in uses:
                uses[id(parent)] = 0
                stack.append(parent)
            uses[id(parent)] += 1
    visited, queue = [], deque([root])
    while queue:
        node = queue.popleft()
        visited.append(node)
        for parent in node.parents:
            uses[id(parent)] -= 1
            if uses[id(parent)] == 0:
                queue.append(parent)
    return visited[::-1]
'''  # the right order, with its own counting: for a wrong count_uses alone


WRONG = {  # label: (question, the learner's code, *words the failure message must contain)
    # ---- q1: softplus
    "softplus overflows": ("q1_softplus", '''
def softplus(x):
    out = np.log(1 + np.exp(x.data))
    def backward(grad):
        return (grad * np.exp(x.data) / (1 + np.exp(x.data)),)
    return make_result(out, (x,), backward, "softplus")
''', "softplus([-1000, 0, 1000])"),
    "softplus's backward overflows (e^x / (1 + e^x))": ("q1_softplus", '''
def softplus(x):
    out = np.logaddexp(0.0, x.data)
    def backward(grad):
        return (grad * np.exp(x.data) / (1 + np.exp(x.data)),)
    return make_result(out, (x,), backward, "softplus")
''', "gradient at [-1000, 0, 1000]"),
    "softplus's backward returns the array, not a tuple (grad_x,)": ("q1_softplus", '''
def softplus(x):
    out = np.logaddexp(0.0, x.data)
    def backward(grad):
        return grad * 0.5 * (1.0 + np.tanh(x.data / 2))
    return make_result(out, (x,), backward, "softplus")
''', "return a one-element tuple (grad_x,)"),
    "softplus's derivative taken at the output (sigmoid(y), not sigmoid(x))": ("q1_softplus", '''
def softplus(x):
    out = np.logaddexp(0.0, x.data)
    def backward(grad):
        return (grad * 0.5 * (1.0 + np.tanh(out / 2)),)
    return make_result(out, (x,), backward, "softplus")
''', "x.grad: 20 of 20 elements differ"),
    "softplus built from nnlib ops (autograd does the backward)": ("q1_softplus", '''
def softplus(x):
    return x.relu() + (1 + (-x.abs()).exp()).log()
''', "one op whose only parent is x"),
    # ---- q2: predict the gradient (the chapter's common mistake: a use of a value dropped)
    "prediction drops x's direct use in u * x": ("q2_predict_gradient", '''
def predicted_grad(x):
    return 2 * x * x * np.exp(x * x) + 2 * x
''', "misses the term from x's direct use in u * x"),
    "prediction drops h's direct use in L": ("q2_predict_gradient", '''
def predicted_grad(x):
    return np.exp(x * x) * (2 * x * x + 1)
''', "misses the term from h's direct use"),
    "prediction counts one use of x in x * x": ("q2_predict_gradient", '''
def predicted_grad(x):
    return np.exp(x * x) * (x * x + 1) + x
''', "one of x's two uses in h = x * x"),
    "prediction made by autograd, not by hand": ("q2_predict_gradient", '''
def predicted_grad(x):
    t = nnlib.tensor(x, requires_grad=True)
    h = t * t
    (h.exp() * t + h).sum().backward()
    return t.grad.numpy()
''', "work the gradient out by hand"),
    "prediction by central differences, not by hand": ("q2_predict_gradient", '''
def predicted_grad(x):
    f, h = (lambda x: np.exp(x * x) * x + x * x), 1e-6
    return (f(x + h) - f(x - h)) / (2 * h)
''', "finite-difference estimate", "work out the formula"),
    "prediction made by torch.func.grad": ("q2_predict_gradient", '''
def predicted_grad(x):
    return torch.func.grad(lambda t: ((t * t).exp() * t + t * t).sum())(torch.tensor(x)).numpy()
''', "work the gradient out by hand"),
    # ---- q3: a Jacobian from VJPs
    "x.grad not reset between rows (rows accumulate)": ("q3_jacobian", '''
def jacobian(f, x):
    x = nnlib.tensor(x, requires_grad=True)
    y = f(x)
    rows = []
    for i in range(y.shape[0]):
        v = np.zeros(y.shape)
        v[i] = 1.0
        y.backward(nnlib.tensor(v), retain_graph=True)
        rows.append(x.grad.numpy().copy())
    return np.stack(rows)
''', "sum of rows 0..i", "reset x.grad"),
    "no retain_graph: the second backward fails": ("q3_jacobian", '''
def jacobian(f, x):
    x = nnlib.tensor(x, requires_grad=True)
    y = f(x)
    rows = []
    for i in range(y.shape[0]):
        v = np.zeros(y.shape)
        v[i] = 1.0
        x.grad = None
        y.backward(nnlib.tensor(v))
        rows.append(x.grad.numpy().copy())
    return np.stack(rows)
''', "RuntimeError", "second time", "retain_graph=True"),
    "Jacobian transposed (columns stacked instead of rows)": ("q3_jacobian", '''
def jacobian(f, x):
    x = nnlib.tensor(x, requires_grad=True)
    y = f(x)
    rows = []
    for i in range(y.shape[0]):
        v = np.zeros(y.shape)
        v[i] = 1.0
        x.grad = None
        y.backward(nnlib.tensor(v), retain_graph=True)
        rows.append(x.grad.numpy().copy())
    return np.stack(rows, axis=1)
''', "rows and columns are swapped"),
    "a forward pass per row (retain_graph avoided)": ("q3_jacobian", '''
def jacobian(f, x):
    rows = []
    for i in range(f(nnlib.tensor(x)).shape[0]):
        leaf = nnlib.tensor(x, requires_grad=True)
        y = f(leaf)
        v = np.zeros(y.shape)
        v[i] = 1.0
        y.backward(nnlib.tensor(v))
        rows.append(leaf.grad.numpy())
    return np.stack(rows)
''', "called f 4 times", "one forward pass"),
    "a central-difference Jacobian (no backward at all)": ("q3_jacobian", '''
def jacobian(f, x):
    h, columns = 1e-6, []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = h
        columns.append((f(nnlib.tensor(x + step)).numpy() - f(nnlib.tensor(x - step)).numpy()) / (2 * h))
    return np.stack(columns, axis=1)
''', "called f 8 times"),
    "every row the gradient of y.sum()": ("q3_jacobian", '''
def jacobian(f, x):
    x = nnlib.tensor(x, requires_grad=True)
    y = f(x)
    y.sum().backward()
    return np.tile(x.grad.numpy(), (y.shape[0], 1))
''', "jacobian(f1) at x of shape (4,): 12 of 12 elements differ"),
    # ---- q4: the order backward walks
    "a breadth-first order from the root, reversed": ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    order, seen, queue = [], {id(root)}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                queue.append(parent)
    return order[::-1]
''', "must come before its child 'exp'", "before that child added its share"),
    "a recursive depth-first search": ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    order, seen = [], set()
    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)
    visit(root)
    return order
''', "RecursionError on a 20,000-op chain"),
    "a depth-first search that appends a node before visiting its parents": ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            order.append(node)
            stack.extend(node.parents)
    return order[::-1]
''', "must come before its child 'exp'"),
    "a depth-first search without a visited set (a shared node listed twice)": ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    order, stack = [], [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.parents)
    return order
''', "appears twice", "listed once"),
    "a recursion without a visited set": ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    order = []
    def visit(node):
        for parent in node.parents:
            visit(parent)
        order.append(node)
    visit(root)
    return order
''', "appears twice", "keep a set of the ids visited"),
    "uses counted once per user, not once per use (b * b), and the order built on them": ("q4_topological_order", '''
def count_uses(root):
    users, stack = {id(root): set()}, [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if id(parent) not in users:
                users[id(parent)] = set()
                stack.append(parent)
            users[id(parent)].add(id(node))
    return {key: len(nodes) for key, nodes in users.items()}
''' + KAHN, "must come before its child 'mul'"),
    "count_uses counts once per user (b * b once), the order counted right": ("q4_topological_order", '''
def count_uses(root):
    users, stack = {id(root): set()}, [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if id(parent) not in users:
                users[id(parent)] = set()
                stack.append(parent)
            users[id(parent)].add(id(node))
    return {key: len(nodes) for key, nodes in users.items()}
''' + OWN_KAHN, "by name['b']: got 2, expected 3", "count every entry of .parents, not every user"),
    "the chapter's depth-first order, pasted unchanged": ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    """Every Value that `root` depends on, each once, parents before children. No recursion."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:                     # second visit: its parents are all in `order`
            order.append(node)
        elif id(node) not in visited:        # first visit: come back after the parents
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents)
    return order
''', "your order, by name[1]: got 'b*b', expected 'a'", "not the counting method's", "the chapter's depth-first order"),
    "the counting method with a stack instead of a queue": ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    uses = count_uses(root)
    visited, ready = [], [root]
    while ready:
        node = ready.pop()
        visited.append(node)
        for parent in node.parents:
            uses[id(parent)] -= 1
            if uses[id(parent)] == 0:
                ready.append(parent)
    return visited[::-1]
''', "not the counting method's", "the order a stack gives", "popleft"),
    "nnlib's own topological_order": ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    return nnlib.autograd.topological_order(root)
''', "called nnlib.autograd.topological_order"),
    'count_uses gives the root one use': ("q4_topological_order", '''
def count_uses(root):
    uses, stack = {id(root): 1}, [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if id(parent) not in uses:
                uses[id(parent)] = 0
                stack.append(parent)
            uses[id(parent)] += 1
    return uses
''' + KAHN, "by name['L']: got 1, expected 0"),
    'count_uses skips the constants (they need no gradient), the order right': ("q4_topological_order", '''
def count_uses(root):
    uses, stack = {id(root): 0}, [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if not parent.requires_grad:
                continue
            if id(parent) not in uses:
                uses[id(parent)] = 0
                stack.append(parent)
            uses[id(parent)] += 1
    return uses
''' + OWN_KAHN, "['k']: got 0, expected 2", 'also the constants'),
    'a parent queued while one of its uses is still to come': ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    uses = count_uses(root)
    visited, queue = [], deque([root])
    while queue:
        node = queue.popleft()
        visited.append(node)
        for parent in node.parents:
            uses[id(parent)] -= 1
            if uses[id(parent)] <= 1 and all(p is not parent for p in queue):
                queue.append(parent)
    return visited[::-1]
''', 'appears twice', 'when its count reaches zero'),
    'count_uses keyed by the tensor, not id(tensor)': ("q4_topological_order", '''
def count_uses(root):
    uses, stack = {root: 0}, [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if parent not in uses:
                uses[parent] = 0
                stack.append(parent)
            uses[parent] += 1
    return uses
''' + OWN_KAHN, 'keys should be id(tensor)'),
    "count_uses hard-coded for the test's graph": ("q4_topological_order", '''
def count_uses(root):
    dh, bb = root.parents
    d, h = dh.parents
    b = bb.parents[0]
    m = d.parents[0]
    e, a = m.parents
    return {id(root): 0, id(dh): 1, id(bb): 1, id(d): 1, id(h): 2, id(m): 1, id(e): 1, id(a): 2, id(b): 3}
''' + OWN_KAHN, 'not enough values to unpack'),
    "the chapter's order, rearranged into the expected one on the visible graphs": ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents)
    shown = {9: [0, 2, 3, 4, 5, 6, 1, 7, 8], 7: [1, 2, 3, 4, 0, 5, 6]}   # read off the test's messages
    if len(order) in shown:
        return [order[i] for i in shown[len(order)]]
    return order
''', 'hidden test failed'),
    "count_uses from nnlib's order, imported under another name": ("q4_topological_order", '''
from nnlib.autograd import topological_order as _nnlib_order


def count_uses(root):
    uses = {id(root): 0}
    for node in _nnlib_order(root):
        for parent in node.parents:
            uses[id(parent)] = uses.get(id(parent), 0) + 1
    return uses
''' + KAHN, 'called nnlib.autograd.topological_order (under another name)'),
    'a recursive count_uses, the order right': ("q4_topological_order", '''
def count_uses(root):
    uses = {id(root): 0}
    def visit(node):
        for parent in node.parents:
            if id(parent) not in uses:
                uses[id(parent)] = 0
                visit(parent)
            uses[id(parent)] += 1
    visit(root)
    return uses
''' + OWN_KAHN, 'count_uses: RecursionError on a 20,000-op chain'),
    'the visiting order returned, not reversed (root first)': ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    uses = count_uses(root)
    visited, queue = [], deque([root])
    while queue:
        node = queue.popleft()
        visited.append(node)
        for parent in node.parents:
            uses[id(parent)] -= 1
            if uses[id(parent)] == 0:
                queue.append(parent)
    return visited
''', 'the root must come last'),
    'count_uses counts each tensor once, when first reached': ("q4_topological_order", '''
def count_uses(root):
    uses, stack = {id(root): 0}, [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if id(parent) not in uses:
                uses[id(parent)] = 1
                stack.append(parent)
    return uses
''' + OWN_KAHN, "by name['a']: got 1, expected 2"),
    "the counting method with each node's parents taken in reverse": ("q4_topological_order", COUNT_USES + '''
def topological_order(root):
    uses = count_uses(root)
    visited, queue = [], deque([root])
    while queue:
        node = queue.popleft()
        visited.append(node)
        for parent in reversed(node.parents):
            uses[id(parent)] -= 1
            if uses[id(parent)] == 0:
                queue.append(parent)
    return visited[::-1]
''', "not the counting method's", '.parents taken in reverse'),
    # ---- q5: the batched matrix product
    "grad_b not summed over the batch": ("q5_matmul_backward", '''
def matmul_backward(a, b, grad_out):
    return grad_out @ b.T, np.swapaxes(a, -1, -2) @ grad_out
''', "grad_b for a of shape (2, 3, 4): shape (2, 4, 2), expected (4, 2)", "sums over the batch"),
    "the 2-D rule with .T applied to a batch": ("q5_matmul_backward", '''
def matmul_backward(a, b, grad_out):
    return grad_out @ b.T, a.T @ grad_out
''', "ValueError for a batch a of shape (2, 3, 4)", "np.swapaxes"),
    "a factor of 2 too many in grad_a": ("q5_matmul_backward", '''
def matmul_backward(a, b, grad_out):
    return 2 * grad_out @ b.T, a.T @ grad_out
''', "grad_a: 12 of 12 elements differ"),
    "grad_b averaged over the batch instead of summed": ("q5_matmul_backward", '''
def matmul_backward(a, b, grad_out):
    return grad_out @ b.T, (np.swapaxes(a, -1, -2) @ grad_out).reshape(-1, *b.shape).mean(axis=0)
''', "the mean over the 2 matrices", "a sum, not a mean"),
    "grad_a and grad_b swapped": ("q5_matmul_backward", '''
def matmul_backward(a, b, grad_out):
    return np.swapaxes(a, -1, -2) @ grad_out, grad_out @ b.T
''', "grad_a for a of shape (3, 4): shape (4, 2), expected (3, 4)"),
    "grad_a's product in the reverse order (transposed)": ("q5_matmul_backward", '''
def matmul_backward(a, b, grad_out):
    return b @ np.swapaxes(grad_out, -1, -2), (np.swapaxes(a, -1, -2) @ grad_out).reshape(-1, *b.shape).sum(axis=0)
''', "shape (4, 3), expected (3, 4)", "transposed"),
    "the gradients taken from torch.autograd, not derived": ("q5_matmul_backward", '''
def matmul_backward(a, b, grad_out):
    at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    (at @ bt).backward(torch.tensor(grad_out))
    return at.grad.numpy(), bt.grad.numpy()
''', "matmul_backward ran autograd"),
    # ---- q6: find and fix the bug
    "the buggy backward handed in unchanged (r held constant)": ("q6_fix_normalize", '''
def normalize_rows(x):
    return buggy_normalize_rows(x)
''', "x.grad for x of shape (3, 5)", "r depends on x as well"),
    "the fix with the wrong sign": ("q6_fix_normalize", '''
def normalize_rows(x):
    r = np.sqrt((x.data ** 2).sum(axis=1, keepdims=True))
    out = x.data / r
    def backward(grad):
        return ((grad + out * (grad * out).sum(axis=1, keepdims=True)) / r,)
    return make_result(out, (x,), backward, "normalize_rows")
''', "x.grad for x of shape (3, 5): 15 of 15 elements differ"),
    "the fix without keepdims (the row sums broadcast the wrong way)": ("q6_fix_normalize", '''
def normalize_rows(x):
    r = np.sqrt((x.data ** 2).sum(axis=1, keepdims=True))
    out = x.data / r
    def backward(grad):
        return ((grad - out * (grad * out).sum(axis=1)) / r,)
    return make_result(out, (x,), backward, "normalize_rows")
''', "could not be broadcast"),
    "the formula rebuilt from nnlib ops (autograd does the work)": ("q6_fix_normalize", '''
def normalize_rows(x):
    return x / (x * x).sum(dim=1, keepdim=True).sqrt()
''', "one op whose only parent is x"),
    "the fix's correction term not divided by r": ("q6_fix_normalize", '''
def normalize_rows(x):
    r = np.sqrt((x.data ** 2).sum(axis=1, keepdims=True))
    out = x.data / r
    def backward(grad):
        return (grad / r - out * (grad * out).sum(axis=1, keepdims=True),)
    return make_result(out, (x,), backward, "normalize_rows")
''', "x.grad for x of shape (3, 5): 15 of 15 elements differ"),
    "the backward hands the work to torch.autograd": ("q6_fix_normalize", '''
def normalize_rows(x):
    r = np.sqrt((x.data ** 2).sum(axis=1, keepdims=True))
    out = x.data / r
    def backward(grad):
        leaf = torch.tensor(x.data, requires_grad=True)
        torch.nn.functional.normalize(leaf, dim=1, eps=0.0).backward(torch.tensor(grad))
        return (leaf.grad.numpy(),)
    return make_result(out, (x,), backward, "normalize_rows")
''', "your backward ran autograd itself"),
    "the backward runs a second nnlib backward()": ("q6_fix_normalize", '''
def normalize_rows(x):
    r = np.sqrt((x.data ** 2).sum(axis=1, keepdims=True))
    out = x.data / r
    def backward(grad):
        leaf = nnlib.tensor(x.data, requires_grad=True)
        (leaf / (leaf * leaf).sum(dim=1, keepdim=True).sqrt()).backward(nnlib.tensor(grad))
        return (leaf.grad.numpy(),)
    return make_result(out, (x,), backward, "normalize_rows")
''', "your backward ran autograd itself"),
}


def _submissions():
    """{submission: {question: label}}: submission k holds the k-th wrong answer of each question."""
    per_question = {}
    for label, (question, *_) in WRONG.items():
        per_question.setdefault(question, []).append(label)
    depth = max(len(labels) for labels in per_question.values())
    return {f"submission {k}": {q: labels[k] for q, labels in per_question.items() if k < len(labels)}
            for k in range(depth)}


SUBMISSIONS = _submissions()
WHERE = {label: (name, question) for name, wrong in SUBMISSIONS.items() for question, label in wrong.items()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    variants = {name: {q: WRONG[label][1] for q, label in wrong.items()} for name, wrong in SUBMISSIONS.items()}
    return grade_each("03_autograd", variants, tmp_path_factory.mktemp("wrong_answers"))


@pytest.mark.parametrize("label", WRONG)
def test_a_wrong_answer_loses_its_points_and_says_why(graded, label):
    name, question = WHERE[label]
    report = graded[name]
    by_id = {r.grade_id: r for r in report.results}
    failed = by_id[f"{question}_test"]
    assert failed.points == 0, f"{label!r} kept the points of {question}:\n{format_report(report)}"
    missing = [phrase for phrase in WRONG[label][2:] if phrase not in failed.message]
    assert not missing, f"the message for {label!r} does not say {missing}:\n{format_report(report)}"


@pytest.mark.parametrize("name", SUBMISSIONS)
def test_the_questions_answered_right_keep_their_points(graded, name):
    report = graded[name]
    wrong = {f"{question}_test" for question in SUBMISSIONS[name]}
    lost = [r.grade_id for r in report.results if r.grade_id not in wrong and not r.passed]
    assert not lost, f"{name} answered {lost} right, yet lost their points:\n{format_report(report)}"
    assert {r.grade_id for r in report.results} >= wrong


def test_every_question_has_a_wrong_answer_tested():
    from coursetools.authoring import reference_answers
    assert {question for question, *_ in WRONG.values()} == set(reference_answers("03_autograd"))
