"""Activation functions and the softmax family, written to stay finite for inputs like +-1e4."""
import numpy as np

from ..autograd import differentiable
from ..tensor import make_result
from ._common import as_operand, dim_or_axis, float_data, normalize_dim, normalize_dims
from ._erf import erfc


@differentiable
def relu(x):
    """y = max(x, 0);  dL/dx = dL/dy * [x > 0]."""
    x = as_operand(x)
    out = np.maximum(x.data, 0).astype(x.dtype, copy=False)
    return make_result(out, (x,), lambda g: (g * (x.data > 0),), "relu")


def _stable_sigmoid(v):
    # exp(-|v|) never overflows; pick the algebraically equal form that avoids exp of a large number
    z = np.exp(-np.abs(v))
    return np.where(v >= 0, 1 / (1 + z), z / (1 + z)).astype(v.dtype, copy=False)


@differentiable
def sigmoid(x):
    """y = 1 / (1 + e^-x);  dL/dx = dL/dy * y (1 - y)."""
    x = as_operand(x)
    out = _stable_sigmoid(float_data(x.data))
    return make_result(out, (x,), lambda g: (g * out * (1 - out),), "sigmoid", saved=(), saves_output=True)


@differentiable
def tanh(x):
    """y = tanh(x);  dL/dx = dL/dy * (1 - y^2)."""
    x = as_operand(x)
    out = np.tanh(float_data(x.data))
    return make_result(out, (x,), lambda g: (g * (1 - out * out),), "tanh", saved=(), saves_output=True)


def _check_float(x, name):
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating-point tensor, got dtype {x.dtype}; convert with .float()")


_SQRT_HALF, _INV_SQRT_2PI, _SQRT_2_OVER_PI = 0.5 ** 0.5, (2 * np.pi) ** -0.5, (2 / np.pi) ** 0.5


@differentiable
def gelu(x, approximate="none"):
    """y = x Phi(x), Phi the standard normal CDF, Phi(x) = erfc(-x / sqrt 2) / 2;
    dL/dx = dL/dy * (Phi(x) + x phi(x)), phi(x) = e^(-x^2/2) / sqrt(2 pi) the normal density.

    approximate='tanh': y = x (1 + tanh u) / 2 with u = sqrt(2/pi) (x + 0.044715 x^3);
    dL/dx = dL/dy * ((1 + tanh u) / 2 + x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2) / 2).

    Phi comes from erfc, not 1 + erf: accurate (relative to its size) for very negative x too.
    """
    x = as_operand(x)
    _check_float(x, "gelu")
    if approximate == "none":
        v = x.data.astype(np.float64)  # erfc works in float64; a float32 result is rounded once at the end
        cdf = 0.5 * erfc(-v * _SQRT_HALF)
        out = (v * cdf).astype(x.dtype)

        def backward(g):
            return (g * (cdf + v * np.exp(-0.5 * v * v) * _INV_SQRT_2PI).astype(x.dtype),)
        return make_result(out, (x,), backward, "gelu", saved=())  # backward reads its own copies v and cdf
    if approximate != "tanh":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    v = x.data
    with np.errstate(over="ignore"):  # x^3 may overflow for huge x: tanh(inf) = 1 is still right
        t = np.tanh(_SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))
    out = 0.5 * v * (1 + t)

    def backward(g):
        sech2 = 1 - t * t
        with np.errstate(over="ignore", invalid="ignore"):
            slope = 0.5 * v * sech2 * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v)
        slope = np.where(sech2 == 0, 0, slope)  # far from 0, tanh is flat: 0, not 0 * inf
        return (g * (0.5 * (1 + t) + slope),)
    return make_result(out, (x,), backward, "gelu")


@differentiable
def leaky_relu(x, negative_slope=0.01, inplace=False):
    """y = x for x > 0, negative_slope * x otherwise;  dL/dx = dL/dy * (1 if x > 0 else negative_slope)."""
    x = as_operand(x)
    if inplace:
        return x._inplace("leaky_relu_", lambda t: leaky_relu(t, negative_slope))
    _check_float(x, "leaky_relu")
    positive = x.data > 0
    out = np.where(positive, x.data, x.data * negative_slope)
    return make_result(out, (x,), lambda g: (np.where(positive, g, g * negative_slope),), "leaky_relu", saved=())


@differentiable
def silu(x, inplace=False):
    """y = x sigmoid(x) (also called swish);  dL/dx = dL/dy * s (1 + x (1 - s)), s = sigmoid(x)."""
    x = as_operand(x)
    if inplace:
        return x._inplace("silu_", lambda t: silu(t))
    _check_float(x, "silu")
    s = _stable_sigmoid(x.data)
    return make_result(x.data * s, (x,), lambda g: (g * s * (1 + x.data * (1 - s)),), "silu")


def _logsumexp(v, axis):
    m = np.max(v, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)  # a row of all -inf stays -inf instead of becoming nan
    return m + np.log(np.sum(np.exp(v - m), axis=axis, keepdims=True))


@differentiable
def logsumexp(x, dim=None, keepdim=False, *, axis=None):
    """y = log sum_j e^(x_j) (computed as m + log sum_j e^(x_j - m), m = max_j x_j);  dL/dx = dL/dy * softmax(x)."""
    x = as_operand(x)
    axis = normalize_dims(dim_or_axis(dim, axis, "logsumexp", required=True), x.ndim, "logsumexp")  # int or tuple
    kept = _logsumexp(x.data, axis)
    out = kept if keepdim else np.squeeze(kept, axis)

    def backward(g):
        g = g if keepdim else np.expand_dims(g, axis)
        return (g * np.exp(x.data - kept),)
    return make_result(out, (x,), backward, "logsumexp", saves_output=True)  # out is `kept`, or a view of it


@differentiable
def softmax(x, dim=None, *, axis=None):
    """y_i = e^(x_i) / sum_j e^(x_j);  dL/dx_i = y_i (dL/dy_i - sum_j dL/dy_j y_j)."""
    x = as_operand(x)
    axis = normalize_dim(dim_or_axis(dim, axis, "softmax", required=True), x.ndim, "softmax")
    out = np.exp(x.data - _logsumexp(x.data, axis))

    def backward(g):
        return (out * (g - np.sum(g * out, axis=axis, keepdims=True)),)
    return make_result(out, (x,), backward, "softmax", saved=(), saves_output=True)


@differentiable
def log_softmax(x, dim=None, *, axis=None):
    """y_i = x_i - logsumexp(x);  dL/dx_i = dL/dy_i - softmax(x)_i sum_j dL/dy_j."""
    x = as_operand(x)
    axis = normalize_dim(dim_or_axis(dim, axis, "log_softmax", required=True), x.ndim, "log_softmax")
    out = x.data - _logsumexp(x.data, axis)

    def backward(g):
        return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)
    return make_result(out, (x,), backward, "log_softmax", saved=(), saves_output=True)
