"""Exercise 02: plausible wrong answers lose their question's points, with a message that says why."""
import pytest

from coursetools.authoring import assert_only_this_question_fails, grade_each, reference_answers
from coursetools.grade import format_report

WRONG = {  # label: (question, the learner's code, words the failure message must contain)
    "weight gradient transposed (A_prev @ delta.T)": ("q1_linear_backward_columns", '''
def linear_backward_columns(delta, A_prev, W):
    return A_prev @ delta.T, delta.sum(axis=1), W.T @ delta
''', "the transpose of W's (out, in)"),
    "bias gradient summed over the units, not the examples": ("q1_linear_backward_columns", '''
def linear_backward_columns(delta, A_prev, W):
    return delta @ A_prev.T, delta.sum(axis=0), W.T @ delta
''', "one number per example"),
    "bias gradient averaged over the examples": ("q1_linear_backward_columns", '''
def linear_backward_columns(delta, A_prev, W):
    return delta @ A_prev.T, delta.mean(axis=1), W.T @ delta
''', "db for N=5, d_in=3, d_out=4"),
    "the shortcut delta = (y_hat - y) / N (ERRATA 56)": ("q2_tanh_mse_delta", '''
def tanh_mse_delta(Z, Y):
    return (np.tanh(Z) - Y) / len(Z)
''', "shortcut"),
    "no 1/N: the loss treated as a sum": ("q2_tanh_mse_delta", '''
def tanh_mse_delta(Z, Y):
    Y_hat = np.tanh(Z)
    return (Y_hat - Y) * (1 - Y_hat ** 2)
''', "N times too large"),
    "dJ/dX counted for the first layer too": ("q3_mlp_macs", '''
def mlp_macs(sizes, N):
    forward = sum(N * a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return forward, 2 * forward
''', "did you count dJ/dX for the first layer"),
    "one layer too few in the count (off by one)": ("q3_mlp_macs", '''
def mlp_macs(sizes, N):
    layers = [N * a * b for a, b in zip(sizes[:-2], sizes[1:-1])] or [0]
    return sum(layers), 2 * sum(layers) - layers[0]
''', "mlp_macs([3, 5], N=7)"),
    "backward counted as dJ/dW only (no dJ/dA for the layer below)": ("q3_mlp_macs", '''
def mlp_macs(sizes, N):
    forward = sum(N * a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return forward, forward
''', "did you count only dJ/dW"),
    "only the sign fixed (sigmoid' still at Z1)": ("q4_fixed_backward", '''
def fixed_backward(params, cache, y):
    N, C = len(y), params["W2"].shape[0]
    Y = np.eye(C)[y]
    delta2 = (cache["P"] - Y) / N
    grads = {"W2": delta2.T @ cache["A1"], "b2": delta2.sum(axis=0)}
    delta1 = (delta2 @ params["W2"]) * cache["Z1"] * (1 - cache["Z1"])
    grads["W1"] = delta1.T @ cache["X"]
    grads["b1"] = delta1.sum(axis=0)
    return grads
''', "dJ/dW1 (classifier 1)", "in the hidden delta"),
    "only sigmoid' fixed (target minus prediction, ERRATA 16)": ("q4_fixed_backward", '''
def fixed_backward(params, cache, y):
    N, C = len(y), params["W2"].shape[0]
    Y = np.eye(C)[y]
    delta2 = (Y - cache["P"]) / N
    grads = {"W2": delta2.T @ cache["A1"], "b2": delta2.sum(axis=0)}
    delta1 = (delta2 @ params["W2"]) * cache["A1"] * (1 - cache["A1"])
    grads["W1"] = delta1.T @ cache["X"]
    grads["b1"] = delta1.sum(axis=0)
    return grads
''', "opposite sign"),
    "the buggy code handed in unchanged": ("q4_fixed_backward", '''
def fixed_backward(params, cache, y):
    return buggy_backward(params, cache, y)
''', "dJ/dW1 (classifier 1)", "opposite sign", "wrong beyond that sign"),
    "relu' applied to the identity output too (off by one)": ("q5_mlp_backward", '''
def mlp_backward(weights, biases, X, Y):
    Y_hat, Zs, As = mlp_forward(weights, biases, X)
    delta = (Y_hat - Y) / len(X)
    grad_weights, grad_biases = [], []
    for l in reversed(range(len(weights))):
        delta = delta * (Zs[l] > 0)
        grad_weights.insert(0, delta.T @ As[l])
        grad_biases.insert(0, delta.sum(axis=0))
        delta = delta @ weights[l]
    return grad_weights, grad_biases
''', "relu' factor"),
    "next layer's delta paired with this layer's input (ERRATA 18)": ("q5_mlp_backward", '''
def mlp_backward(weights, biases, X, Y):
    Y_hat, Zs, As = mlp_forward(weights, biases, X)
    L = len(weights)
    deltas = [None] * L
    deltas[-1] = (Y_hat - Y) / len(X)
    for l in range(L - 2, -1, -1):
        deltas[l] = (deltas[l + 1] @ weights[l + 1]) * (Zs[l] > 0)
    shifted = deltas[1:] + deltas[-1:]
    return [d.T @ A for d, A in zip(shifted, As)], [d.sum(axis=0) for d in shifted]
''', "grad_weights for layer sizes [4, 6, 3]"),
    "no 1/N in the output delta": ("q5_mlp_backward", '''
def mlp_backward(weights, biases, X, Y):
    Y_hat, Zs, As = mlp_forward(weights, biases, X)
    delta = Y_hat - Y
    grad_weights, grad_biases = [None] * len(weights), [None] * len(weights)
    for l in reversed(range(len(weights))):
        grad_weights[l], grad_biases[l] = delta.T @ As[l], delta.sum(axis=0)
        if l > 0:
            delta = (delta @ weights[l]) * (Zs[l - 1] > 0)
    return grad_weights, grad_biases
''', "N times too large"),
    "relu' left out of the hidden deltas": ("q5_mlp_backward", '''
def mlp_backward(weights, biases, X, Y):
    Y_hat, Zs, As = mlp_forward(weights, biases, X)
    delta = (Y_hat - Y) / len(X)
    grad_weights, grad_biases = [None] * len(weights), [None] * len(weights)
    for l in reversed(range(len(weights))):
        grad_weights[l], grad_biases[l] = delta.T @ As[l], delta.sum(axis=0)
        if l > 0:
            delta = delta @ weights[l]
    return grad_weights, grad_biases
''', "without relu' in the hidden deltas", "relu'(Z) = (Z > 0)"),
    "only the encoder's use of W counted": ("q6_tied_autoencoder_grad", '''
def tied_autoencoder_grad(W, X):
    H = np.tanh(X @ W.T)
    delta_out = (H @ W - X) / len(X)
    return ((delta_out @ W.T) * (1 - H ** 2)).T @ X
''', "the encoder's share only", "sum of both"),
    "the decoder's share transposed": ("q6_tied_autoencoder_grad", '''
def tied_autoencoder_grad(W, X):
    H = np.tanh(X @ W.T)
    delta_out = (H @ W - X) / len(X)
    encoder = ((delta_out @ W.T) * (1 - H ** 2)).T @ X
    return encoder + delta_out.T @ H
''', "W of shape (3, 5)", "both must have W's shape"),
}


# The first wrong answer of each question is graded alone, as coursetools/AUTHORING.md describes; the others
# share submissions (one wrong answer per question in each: the questions do not depend on each other), so
# that the module grades 9 notebooks rather than 17.
BY_QUESTION = {}
for label, (question, *_) in WRONG.items():
    BY_QUESTION.setdefault(question, []).append(label)
SINGLE = [labels[0] for labels in BY_QUESTION.values()]
GROUPS = [[labels[k] for labels in BY_QUESTION.values() if len(labels) > k]
          for k in range(1, max(len(labels) for labels in BY_QUESTION.values()))]
EXTRA = [label for group in GROUPS for label in group]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    variants = {label: {WRONG[label][0]: WRONG[label][1]} for label in SINGLE}
    variants.update({f"group {k}": {WRONG[label][0]: WRONG[label][1] for label in group}
                     for k, group in enumerate(GROUPS)})
    return grade_each("02_backprop", variants, tmp_path_factory.mktemp("wrong_answers"))


@pytest.mark.parametrize("label", SINGLE)
def test_a_wrong_answer_loses_its_points_and_says_why(graded, label):
    question, _, *says = WRONG[label]
    assert_only_this_question_fails(graded[label], question, *says)


@pytest.mark.parametrize("label", EXTRA)
def test_more_wrong_answers_lose_their_points_and_say_why(graded, label):
    k = next(k for k, group in enumerate(GROUPS) if label in group)
    report = graded[f"group {k}"]
    question, _, *says = WRONG[label]
    by_id = {r.grade_id: r for r in report.results}
    failed = by_id[f"{question}_test"]
    assert failed.points == 0, f"the wrong answer to {question} kept its points:\n{format_report(report)}"
    assert all(p in failed.message for p in says), f"the message for {question} does not say {says}:\n{format_report(report)}"
    wrong_questions = {f"{WRONG[m][0]}_test" for m in GROUPS[k]}
    others = [r.grade_id for r in report.results if r.grade_id not in wrong_questions and not r.passed]
    assert not others, f"wrong answers to {sorted(wrong_questions)} also cost {others}:\n{format_report(report)}"


def test_every_question_has_a_wrong_answer_test():
    assert {WRONG[label][0] for label in SINGLE} == set(reference_answers("02_backprop"))
