"""Finite-difference gradient checking: the test every backward formula in this course must pass.

For a function f of tensors, reduce its output to a scalar L = sum(f(x) * w) with fixed random
weights w (so every output element matters, each with a different weight), then compare
dL/dx from backward() with the central difference  (L(x + eps e_i) - L(x - eps e_i)) / (2 eps).
"""
import numpy as np

from .autograd import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with the numerical one; the message says where."""


def numerical_grad(scalar_fn, array, eps=1e-6):
    """Central-difference gradient of `scalar_fn()` with respect to `array`, perturbed in place.

    Error is O(eps^2) for smooth functions; use float64, since in float32 the rounding error
    of the two function values (about 1e-7 / eps) swamps the result.
    """
    grad = np.zeros_like(array, dtype=np.float64)
    flat, flat_grad = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = float(scalar_fn())
        flat[i] = original - eps
        minus = float(scalar_fn())
        flat[i] = original
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-4, seed=0):
    """Check backward() of `fn(*inputs)` against central differences for every float64 input
    that requires grad. Returns True, or raises GradcheckError naming the input, the index,
    both values and the difference."""
    inputs = [x if isinstance(x, Tensor) else Tensor(x) for x in inputs]
    checked = [k for k, x in enumerate(inputs) if x.requires_grad]
    for k in checked:
        if inputs[k].dtype != np.float64:
            raise TypeError(f"gradcheck: input {k} has dtype {inputs[k].dtype}; use float64 (float32 rounding swamps finite differences)")
    output = fn(*inputs)
    weights = np.random.default_rng(seed).standard_normal(output.shape)

    def loss_value():
        with no_grad():
            return np.sum(fn(*inputs).data * weights)

    for x in inputs:
        x.grad = None
    output.backward(Tensor(weights))
    for k in checked:
        x = inputs[k]
        analytic = np.zeros(x.shape) if x.grad is None else x.grad.data
        numeric = numerical_grad(loss_value, x.data, eps)
        bad = ~np.isclose(analytic, numeric, atol=atol, rtol=rtol)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise GradcheckError(
                f"gradient of input {k} (shape {x.shape}) is wrong at index {where}: "
                f"backward gives {analytic[where]:.6g}, finite differences give {numeric[where]:.6g} "
                f"(difference {abs(analytic[where] - numeric[where]):.3g}; "
                f"{int(bad.sum())} of {bad.size} elements disagree)"
            )
    return True
