"""Exercise 00 (the warm-up): plausible wrong answers lose the question's point, with a message that says why,
and the other ways of writing the right answer keep it."""
import pytest

from coursetools.authoring import assert_only_this_question_fails, grade_each

Q1 = "q1_gradient_of_f"

WRONG = {  # label: (question, the learner's code, words the failure message must contain)
    # the formula the question states, typed in NumPy: the right numbers, but no autograd (it used to pass)
    "the product-rule formula in NumPy, no autograd": (Q1, '''
def gradient_of_f(values):
    return np.sin(values) + values * np.cos(values)
''', "ran nnlib's backward() 0 times in 3 calls"),
    # autograd, but PyTorch's, where the question asks for nnlib's (it used to pass)
    "torch's autograd instead of nnlib's": (Q1, '''
import torch

def gradient_of_f(values):
    x = torch.tensor(values, requires_grad=True)
    (x * x.sin()).sum().backward()
    return x.grad.numpy()
''', "not from a formula typed in NumPy or from torch"),
    "product rule forgotten (cos x only), by hand": (Q1, '''
def gradient_of_f(values):
    return np.cos(values)
''', "ran nnlib's backward() 0 times"),
    # np.sin of the array: autograd sees a constant factor and returns sin x
    "sin x a constant to autograd (np.sin of the array)": (Q1, '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    f = (x * np.sin(values)).sum()
    f.backward()
    return x.grad.numpy()
''', "your gradient at 5 random points is sin x: the x cos x term is missing"),
    "x a constant to autograd (the array times x.sin())": (Q1, '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    f = (values * x.sin()).sum()
    f.backward()
    return x.grad.numpy()
''', "your gradient at 5 random points is x cos x: the sin x term is missing"),
    "the gradient of sum(sin x)": (Q1, '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    x.sin().sum().backward()
    return x.grad.numpy()
''', "your gradient at 5 random points is cos x, the gradient of sum(sin x)"),
    "the terms of f, not its gradient": (Q1, '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    f = x * x.sin()
    f.sum().backward()
    return f.detach().numpy()
''', "your gradient at 5 random points is x sin x, the terms of f itself"),
    "mean instead of sum": (Q1, '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    (x * x.sin()).mean().backward()
    return x.grad.numpy()
''', "divided by the number of elements: f is a sum, not a mean"),
    "backward run twice (gradients accumulate)": (Q1, '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    f = (x * x.sin()).sum()
    f.backward(retain_graph=True)
    f.backward()
    return x.grad.numpy()
''', "twice the right gradient: backward ran twice, and gradients accumulate"),
    "sum() forgotten before backward()": (Q1, '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    f = x * x.sin()
    f.backward()
    return x.grad.numpy()
''', "RuntimeError", "reduce it first (e.g. .sum())"),
    # x.grad itself is an nnlib tensor; the question asks for a NumPy array (it used to pass)
    "x.grad returned as a tensor": (Q1, '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    (x * x.sin()).sum().backward()
    return x.grad
''', "should return a NumPy array, got Tensor: x.grad is an nnlib tensor, x.grad.numpy() is its array"),
    "x.grad read before backward()": (Q1, '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    f = (x * x.sin()).sum()
    return x.grad
''', "ran nnlib's backward() 0 times"),
    "a fixed-shape answer": (Q1, '''
def gradient_of_f(values):
    x = nnlib.tensor(values.reshape(-1), requires_grad=True)
    (x * x.sin()).sum().backward()
    return x.grad.numpy()
''', "should return an array of shape (2, 3), got shape (6,)"),
}

RIGHT = {  # other correct ways to write it: each keeps the point
    "nnlib.sin and x.grad.data": '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    f = nnlib.sum(x * nnlib.sin(x))
    f.backward()
    return x.grad.data
''',
    "float32 tensor, a copy of the gradient": '''
def gradient_of_f(values):
    x = nnlib.tensor(values.astype(np.float32), requires_grad=True)
    (x * x.sin()).sum().backward()
    return x.grad.detach().numpy().copy()
''',
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    variants = {label: {question: code} for label, (question, code, *_) in WRONG.items()}
    variants.update({f"right: {label}": {Q1: code} for label, code in RIGHT.items()})
    return grade_each("00_start_here", variants, tmp_path_factory.mktemp("answers"))


@pytest.mark.parametrize("label", WRONG)
def test_a_wrong_answer_loses_its_point_and_says_why(graded, label):
    question, _, *says = WRONG[label]
    assert_only_this_question_fails(graded[label], question, *says)


@pytest.mark.parametrize("label", RIGHT)
def test_another_right_answer_keeps_its_point(graded, label):
    report = graded[f"right: {label}"]
    assert [(r.grade_id, r.points, r.max_points) for r in report.results] == [("q1_gradient_of_f_test", 1.0, 1.0)], \
        "\n".join(f"{r.grade_id}: {r.points} / {r.max_points} {r.message}" for r in report.results)
