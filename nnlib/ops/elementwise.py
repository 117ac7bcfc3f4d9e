"""Elementwise arithmetic. Binary ops broadcast like NumPy; their backward sums the gradient back
to each input's shape (`unbroadcast`), because a broadcast input was used once per copy."""
import numpy as np

from ..autograd import differentiable, unbroadcast
from ..tensor import DEFAULT_FLOAT, Tensor, make_result
from ._common import as_operand, as_operand_pair, broadcast_shape, cast, float_data, result_type


def _binary(name, a, b, forward, backward, saved=None, saves_output=False, true_division=False):
    a_given, b_given = a, b
    a, b = as_operand_pair(a, b)
    a_data, b_data = a.data, b.data
    broadcast_shape(name, a_data.shape, b_data.shape)
    if a_data.dtype != b_data.dtype or true_division and a_data.dtype.kind != "f":
        dtype = result_type(a, b)  # PyTorch's promotion: float32 with an int64 tensor stays float32
        if true_division and dtype.kind != "f":
            dtype = np.dtype(DEFAULT_FLOAT)  # int / int is a float tensor, as in torch
        a_data, b_data = cast(a_data, dtype), cast(b_data, dtype)
    out = forward(a_data, b_data)
    if saved is None:
        saved = (a, b)
    elif saved == "partners":  # d(ab)/da = b: keep b only if a needs a gradient, and a only if b does
        saved = tuple(t for t, partner in ((a, b), (b, a)) if partner.requires_grad)
    if saved and (a is not a_given or b is not b_given):
        # a Python number became a new constant tensor: nothing can change it in place, so it is not tracked
        saved = tuple(t for t in saved if t is a_given or t is b_given)

    def backward_fn(grad):
        grad_a, grad_b = backward(grad, a_data, b_data, out)
        return (unbroadcast(grad_a, a.shape) if a.requires_grad else None,
                unbroadcast(grad_b, b.shape) if b.requires_grad else None)

    return make_result(out, (a, b), backward_fn, name, saved=saved, saves_output=saves_output)


@differentiable
def add(a, b):
    """y = a + b;  dL/da = dL/dy,  dL/db = dL/dy."""
    return _binary("add", a, b, np.add, lambda g, a, b, y: (g, g), saved=())


@differentiable
def sub(a, b):
    """y = a - b;  dL/da = dL/dy,  dL/db = -dL/dy."""
    return _binary("sub", a, b, np.subtract, lambda g, a, b, y: (g, -g), saved=())


@differentiable
def mul(a, b):
    """y = a * b;  dL/da = dL/dy * b,  dL/db = dL/dy * a."""
    return _binary("mul", a, b, np.multiply, lambda g, a, b, y: (g * b, g * a), saved="partners")


@differentiable
def div(a, b):
    """y = a / b;  dL/da = dL/dy / b,  dL/db = -dL/dy * a / b^2."""
    # -g (a / b) / b, not -g a / b^2: b^2 underflows to 0 for |b| < 1e-154 (float64) where the quotient is finite
    return _binary("div", a, b, np.divide, lambda g, a, b, y: (g / b, -g * (a / b) / b), true_division=True)


def _pow_backward(g, a, b, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        grad_a = np.where(b == 0, 0.0, g * b * np.power(a, b - 1))  # d(a^0)/da = 0, also at a = 0 (not 0 * inf)
        grad_b = g * y * np.log(a)
    # 0^b with b >= 0 has derivative 0 in b (PyTorch's convention), not 0 * log(0) = nan
    grad_b = np.where((a == 0) & (b >= 0), 0.0, grad_b)
    return grad_a, grad_b


@differentiable
def pow(a, b):
    """y = a^b;  dL/da = dL/dy * b a^(b-1),  dL/db = dL/dy * a^b ln a."""
    return _binary("pow", a, b, np.power, _pow_backward, saves_output=True)


@differentiable
def maximum(a, b):
    """y = max(a, b) elementwise; the gradient goes to the larger input (split in half on a tie)."""
    def backward(g, a, b, y):
        share_a = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))
        return g * share_a, g * (1.0 - share_a)
    return _binary("maximum", a, b, np.maximum, backward)


@differentiable
def minimum(a, b):
    """y = min(a, b) elementwise; the gradient goes to the smaller input (split in half on a tie)."""
    def backward(g, a, b, y):
        share_a = np.where(a < b, 1.0, np.where(a == b, 0.5, 0.0))
        return g * share_a, g * (1.0 - share_a)
    return _binary("minimum", a, b, np.minimum, backward)


def _unary(name, x, forward, backward, saved=None, saves_output=False):
    x = as_operand(x)
    out = forward(x.data)
    return make_result(out, (x,), lambda g: (backward(g, x.data, out),), name, saved=saved, saves_output=saves_output)


@differentiable
def neg(x):
    """y = -x;  dL/dx = -dL/dy."""
    return _unary("neg", x, np.negative, lambda g, x, y: -g, saved=())


@differentiable
def exp(x):
    """y = e^x;  dL/dx = dL/dy * e^x  (the output itself)."""
    return _unary("exp", x, lambda v: np.exp(float_data(v)), lambda g, x, y: g * y, saved=(), saves_output=True)


@differentiable
def log(x):
    """y = ln x;  dL/dx = dL/dy / x."""
    return _unary("log", x, lambda v: np.log(float_data(v)), lambda g, x, y: g / x)


@differentiable
def log1p(x):
    """y = ln(1 + x), accurate for tiny x (where 1 + x would round to 1);  dL/dx = dL/dy / (1 + x)."""
    return _unary("log1p", x, lambda v: np.log1p(float_data(v)), lambda g, x, y: g / (1 + x))


@differentiable
def expm1(x):
    """y = e^x - 1, accurate for tiny x;  dL/dx = dL/dy * e^x = dL/dy * (y + 1)  (torch's formula)."""
    return _unary("expm1", x, lambda v: np.expm1(float_data(v)), lambda g, x, y: g * (y + 1), saved=(), saves_output=True)


@differentiable
def sqrt(x):
    """y = sqrt(x);  dL/dx = dL/dy / (2 sqrt(x))."""
    return _unary("sqrt", x, lambda v: np.sqrt(float_data(v)), lambda g, x, y: g / (2 * y), saved=(), saves_output=True)


@differentiable
def abs(x):
    """y = |x|;  dL/dx = dL/dy * sign(x)  (0 at x = 0, as in PyTorch)."""
    return _unary("abs", x, np.abs, lambda g, x, y: g * np.sign(x))


@differentiable
def sign(x):
    """y = -1, 0 or 1 by the sign of x;  dL/dx = 0 (a step function; torch's gradient is zero too)."""
    def forward(v):
        return v.copy() if v.dtype == np.bool_ else np.sign(v)  # NumPy has no sign of a bool; it is the bool itself
    return _unary("sign", x, forward, lambda g, x, y: np.zeros_like(g), saved=())


@differentiable
def square(x):
    """y = x^2;  dL/dx = dL/dy * 2x."""
    return _unary("square", x, np.square, lambda g, x, y: g * 2 * x)


@differentiable
def sin(x):
    """y = sin x;  dL/dx = dL/dy * cos x."""
    return _unary("sin", x, lambda v: np.sin(float_data(v)), lambda g, x, y: g * np.cos(x))


@differentiable
def cos(x):
    """y = cos x;  dL/dx = -dL/dy * sin x."""
    return _unary("cos", x, lambda v: np.cos(float_data(v)), lambda g, x, y: -g * np.sin(x))


@differentiable
def clamp(x, min=None, max=None):
    """y = min(max(x, lo), hi);  dL/dx = dL/dy where lo <= x <= hi, else 0."""
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    if any(hasattr(b, "shape") for b in (min, max)):
        raise TypeError("clamp: in nnlib, min and max are numbers; for a tensor bound use "
                        "nnlib.maximum(x, lo) and nnlib.minimum(x, hi) (they pass gradients to the bound too)")
    lo = -np.inf if min is None else min
    hi = np.inf if max is None else max
    x = as_operand(x)
    float_bound = any(isinstance(b, (float, np.floating)) for b in (min, max))
    dtype = np.dtype(DEFAULT_FLOAT) if float_bound and x.dtype.kind != "f" else x.dtype  # int clamped to 0.5: float32

    def backward(g, x, y):
        return g * ((x >= lo) & (x <= hi))
    return _unary("clamp", x, lambda v: np.clip(v, lo, hi).astype(dtype, copy=False), backward)


@differentiable
def to_dtype(x, dtype):
    """y = x stored as `dtype`;  dL/dx = dL/dy converted back to x's dtype."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":  # an integer or bool tensor has no gradient: it leaves the graph, as in torch
        return Tensor._wrap(as_operand(x).data.astype(dtype))
    return _unary("to_dtype", x, lambda v: v.astype(dtype), lambda g, x, y: g.astype(x.dtype), saved=())
