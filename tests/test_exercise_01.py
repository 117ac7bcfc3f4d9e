"""Exercise 01: plausible wrong answers lose their question's points, with a message that says why."""
import pytest

from coursetools.authoring import assert_only_this_question_fails, grade_each

WRONG = {  # label: (question, the learner's code, words the failure message must contain)
    "parameters without the biases": ("q1_count_parameters", '''
def count_parameters(sizes):
    return sum(d_in * d_out for d_in, d_out in zip(sizes[:-1], sizes[1:]))
''', "the biases are missing"),
    "relu'(0) taken as 1 (z < 0 instead of z <= 0)": ("q2_dead_relu_units", '''
def dead_relu_units(X, W, b):
    return np.all(X @ W.T + b < 0, axis=0)
''', "relu'(0) = 0"),
    "mse gradient averaged over n, not n*k": ("q3_mse_linear_grad", '''
def mse_linear_grad(X, Y, W, b):
    residual = X @ W.T + b - Y
    return 2 / len(X) * residual.T @ X, 2 / len(X) * residual.sum(axis=0)
''', "mse_loss averages over all n*k elements"),
    "mse gradient of W transposed": ("q3_mse_linear_grad", '''
def mse_linear_grad(X, Y, W, b):
    residual = X @ W.T + b - Y
    return 2 / residual.size * X.T @ residual, 2 / residual.size * residual.sum(axis=0)
''', "(out, in) layout"),
    "mse gradient with the residual reversed (Y - P)": ("q3_mse_linear_grad", '''
def mse_linear_grad(X, Y, W, b):
    residual = Y - (X @ W.T + b)
    return 2 / residual.size * residual.T @ X, 2 / residual.size * residual.sum(axis=0)
''', "the sign is flipped"),
    "the given bug left in (y of shape (n,))": ("q4_fit_line", '''
def fit_line(x, y, lr=0.1, steps=500):
    return fit_line_given(x, y, lr, steps)
''', "Give Y the shape (n, 1)"),
    "the bug not fixed but bypassed with np.polyfit": ("q4_fit_line", '''
def fit_line(x, y, lr=0.1, steps=500):
    w, b = np.polyfit(x, y, 1)
    return float(w), float(b)
''', "not solve the problem in closed form"),
    "threshold of the chapter's one-output loss": ("q5_max_stable_lr", '''
def max_stable_lr(X, k):
    A = np.column_stack([X, np.ones(len(X))])
    return float(2 / np.linalg.eigvalsh(2 / len(X) * A.T @ A)[-1])
''', "mse_loss divides by n*k"),
    "fastest rate guessed as 1/lambda_max": ("q6_fastest_lr", '''
def fastest_lr(X):
    A = np.column_stack([X, np.ones(len(X))])
    lam = np.linalg.eigvalsh(2 / len(X) * A.T @ A)
    return float(1 / lam[-1]), float(np.max(np.abs(1 - lam / lam[-1])))
''', "safe, but not the fastest"),
    "fastest rate taken as the threshold 2/lambda_max": ("q6_fastest_lr", '''
def fastest_lr(X):
    A = np.column_stack([X, np.ones(len(X))])
    lam = np.linalg.eigvalsh(2 / len(X) * A.T @ A)
    return float(2 / lam[-1]), 1.0
''', "that is the threshold"),
    "fastest rate from a Hessian without the bias": ("q6_fastest_lr", '''
def fastest_lr(X):
    lam = np.linalg.eigvalsh(2 / len(X) * X.T @ X)
    return float(2 / (lam[0] + lam[-1])), float((lam[-1] - lam[0]) / (lam[-1] + lam[0]))
''', "the bias is a parameter too"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_each("01_neuron", {label: {question: code} for label, (question, code, _) in WRONG.items()},
                      tmp_path_factory.mktemp("wrong_answers"))


@pytest.mark.parametrize("label", WRONG)
def test_a_wrong_answer_loses_its_points_and_says_why(graded, label):
    question, _, says = WRONG[label]
    assert_only_this_question_fails(graded[label], question, says)
