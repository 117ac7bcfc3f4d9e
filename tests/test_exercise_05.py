"""Exercise 05: plausible wrong answers lose their question's points, with a message that says why."""
import pytest

from coursetools.authoring import assert_only_this_question_fails, grade_each

WRONG = {  # label: (question, the learner's code, words the failure message must contain)
    "Adagrad with a running average (RMSprop's rule)": ("q1_adagrad_step", '''
def adagrad_step(w, g, state, lr, eps=1e-10):
    state["sum"] = 0.99 * state.get("sum", 0.0) + 0.01 * g * g
    return w - lr * g / (np.sqrt(state["sum"]) + eps)
''', "Adagrad adds every g^2 up"),
    "Adagrad with eps inside the square root": ("q1_adagrad_step", '''
def adagrad_step(w, g, state, lr, eps=1e-10):
    state["sum"] = state.get("sum", 0.0) + g * g
    return w - lr * g / np.sqrt(state["sum"] + eps)
''', "outside, sqrt(G) + eps"),
    "Adafactor estimate divided by the sum of the row means": ("q2_factored_second_moment", '''
def factored_second_moment(sq_grad):
    row, col = sq_grad.mean(axis=-1, keepdims=True), sq_grad.mean(axis=-2, keepdims=True)
    return row, col, row * col / row.sum(axis=-2, keepdims=True)
''', "times too small"),
    "Adafactor row and column means taken over the wrong axes": ("q2_factored_second_moment", '''
def factored_second_moment(sq_grad):
    row, col = sq_grad.mean(axis=-2, keepdims=True), sq_grad.mean(axis=-1, keepdims=True)
    return row, col, row * col / row.mean(axis=-1, keepdims=True)
''', "expected (4, 1)"),
    "peak step from np.argmax without + 1": ("q3_uncorrected_adam_peak", '''
def uncorrected_adam_peak(beta1, beta2):
    t = np.arange(1, 100_001)
    ratio = (1 - beta1 ** t) / np.sqrt(1 - beta2 ** t)
    return int(np.argmax(ratio)), float(ratio.max())
''', "counts from 0"),
    "uncorrected step without the square root of v": ("q3_uncorrected_adam_peak", '''
def uncorrected_adam_peak(beta1, beta2):
    t = np.arange(1, 100_001)
    ratio = (1 - beta1 ** t) / (1 - beta2 ** t)
    return int(np.argmax(ratio)) + 1, float(ratio.max())
''', "square root"),
    "peak searched over the first 100 steps only": ("q3_uncorrected_adam_peak", '''
def uncorrected_adam_peak(beta1, beta2):
    t = np.arange(1, 101)
    ratio = (1 - beta1 ** t) / np.sqrt(1 - beta2 ** t)
    return int(np.argmax(ratio)) + 1, float(ratio.max())
''', "hidden test failed"),
    "peak searched over the first 1000 steps only": ("q3_uncorrected_adam_peak", '''
def uncorrected_adam_peak(beta1, beta2):
    t = np.arange(1, 1001)                         # "a few hundred" steps, and some margin
    ratio = (1 - beta1 ** t) / np.sqrt(1 - beta2 ** t)
    return int(np.argmax(ratio)) + 1, float(ratio.max())
''', "hidden test failed"),
    "peak maximised over real t, then rounded": ("q3_uncorrected_adam_peak", '''
def uncorrected_adam_peak(beta1, beta2):
    from scipy.optimize import minimize_scalar
    ratio = lambda t: (1 - beta1 ** t) / np.sqrt(1 - beta2 ** t)
    t = int(round(minimize_scalar(lambda t: -ratio(t), bounds=(1, 20 / (1 - beta1)), method="bounded").x))
    return t, float(ratio(t))
''', "whole numbers on either side"),
    "the given Adam, bug left in (moments shared by all parameters)": ("q4_adam", '''
def adam(params, grad_fn, n_steps, lr=0.01, betas=(0.9, 0.999), eps=1e-8):
    return adam_given(params, grad_fn, n_steps, lr, betas, eps)
''', "give each parameter its own m and v"),
    "Adam with its own moments per parameter but t counting parameter updates": ("q4_adam", '''
def adam(params, grad_fn, n_steps, lr=0.01, betas=(0.9, 0.999), eps=1e-8):
    params = [p.astype(np.float64) for p in params]
    beta1, beta2 = betas
    m, v, t = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params], 0
    for _ in range(n_steps):
        grads = grad_fn(params)
        for i in range(len(params)):
            t += 1
            m[i] = beta1 * m[i] + (1 - beta1) * grads[i]
            v[i] = beta2 * v[i] + (1 - beta2) * grads[i] ** 2
            params[i] = params[i] - lr * (m[i] / (1 - beta1 ** t)) / (np.sqrt(v[i] / (1 - beta2 ** t)) + eps)
    return params
''', "t counts optimiser steps"),
    "best momentum from kappa alone (as if lam_min were 1)": ("q5_best_momentum", '''
def best_momentum(lam_min, lam_max):
    k = np.sqrt(lam_max / lam_min)
    rate = (k - 1) / (k + 1)
    return float(4 / (k + 1) ** 2), float(rate ** 2), float(rate)
''', "for curvatures in [0.5, 200.0]"),
    "plain gradient descent's best setting, momentum 0": ("q5_best_momentum", '''
def best_momentum(lam_min, lam_max):
    return 2 / (lam_min + lam_max), 0.0, (lam_max - lam_min) / (lam_max + lam_min)
''', "best plain gradient descent"),
    "momentum set to the rate instead of its square": ("q5_best_momentum", '''
def best_momentum(lam_min, lam_max):
    s_min, s_max = np.sqrt(lam_min), np.sqrt(lam_max)
    rate = (s_max - s_min) / (s_max + s_min)
    return 4 / (s_max + s_min) ** 2, rate, rate
''', "the momentum is the rate squared"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_each("05_optimisers", {label: {question: code} for label, (question, code, _) in WRONG.items()},
                      tmp_path_factory.mktemp("wrong_answers"))


@pytest.mark.parametrize("label", WRONG)
def test_a_wrong_answer_loses_its_points_and_says_why(graded, label):
    question, _, says = WRONG[label]
    assert_only_this_question_fails(graded[label], question, says)
