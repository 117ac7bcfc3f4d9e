"""Activation functions and the softmax family, written to stay finite for inputs like +-1e4."""
import numpy as np

from ..autograd import differentiable
from ..tensor import make_result
from ._common import as_tensor, normalize_dim


@differentiable
def relu(x):
    """y = max(x, 0);  dL/dx = dL/dy * [x > 0]."""
    x = as_tensor(x)
    out = np.maximum(x.data, 0).astype(x.dtype, copy=False)
    return make_result(out, (x,), lambda g: (g * (x.data > 0),), "relu")


def _stable_sigmoid(v):
    # exp(-|v|) never overflows; pick the algebraically equal form that avoids exp of a large number
    z = np.exp(-np.abs(v))
    return np.where(v >= 0, 1 / (1 + z), z / (1 + z)).astype(v.dtype, copy=False)


@differentiable
def sigmoid(x):
    """y = 1 / (1 + e^-x);  dL/dx = dL/dy * y (1 - y)."""
    x = as_tensor(x)
    out = _stable_sigmoid(x.data)
    return make_result(out, (x,), lambda g: (g * out * (1 - out),), "sigmoid", saved=(), saves_output=True)


@differentiable
def tanh(x):
    """y = tanh(x);  dL/dx = dL/dy * (1 - y^2)."""
    x = as_tensor(x)
    out = np.tanh(x.data)
    return make_result(out, (x,), lambda g: (g * (1 - out * out),), "tanh", saved=(), saves_output=True)


def _logsumexp(v, axis):
    m = np.max(v, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)  # a row of all -inf stays -inf instead of becoming nan
    return m + np.log(np.sum(np.exp(v - m), axis=axis, keepdims=True))


@differentiable
def logsumexp(x, dim, keepdim=False):
    """y = log sum_j e^(x_j) (computed as m + log sum_j e^(x_j - m), m = max_j x_j);  dL/dx = dL/dy * softmax(x)."""
    x = as_tensor(x)
    axis = normalize_dim(dim, x.ndim, "logsumexp")
    kept = _logsumexp(x.data, axis)
    out = kept if keepdim else np.squeeze(kept, axis)

    def backward(g):
        g = g if keepdim else np.expand_dims(g, axis)
        return (g * np.exp(x.data - kept),)
    return make_result(out, (x,), backward, "logsumexp", saves_output=keepdim)


@differentiable
def softmax(x, dim):
    """y_i = e^(x_i) / sum_j e^(x_j);  dL/dx_i = y_i (dL/dy_i - sum_j dL/dy_j y_j)."""
    x = as_tensor(x)
    axis = normalize_dim(dim, x.ndim, "softmax")
    out = np.exp(x.data - _logsumexp(x.data, axis))

    def backward(g):
        return (out * (g - np.sum(g * out, axis=axis, keepdims=True)),)
    return make_result(out, (x,), backward, "softmax", saved=(), saves_output=True)


@differentiable
def log_softmax(x, dim):
    """y_i = x_i - logsumexp(x);  dL/dx_i = dL/dy_i - softmax(x)_i sum_j dL/dy_j."""
    x = as_tensor(x)
    axis = normalize_dim(dim, x.ndim, "log_softmax")
    out = x.data - _logsumexp(x.data, axis)

    def backward(g):
        return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)
    return make_result(out, (x,), backward, "log_softmax", saved=(), saves_output=True)
