"""Reductions over `dim` (None = all dimensions), with PyTorch's `keepdim`.

Backward of a reduction puts the removed dimensions back (size 1) and broadcasts the gradient
over them: every input element that fed one output receives that output's gradient.
"""
import builtins
from collections import namedtuple

import numpy as np

from ..autograd import differentiable
from ..tensor import Tensor, make_result
from ._common import as_tensor, normalize_dim, normalize_dims

max_result = namedtuple("max_result", ["values", "indices"])


def _restore_dims(g, axes, keepdim):
    return g if keepdim else np.expand_dims(g, axes)


@differentiable
def sum(x, dim=None, keepdim=False):
    """y = sum over dim of x;  dL/dx = dL/dy broadcast back to x's shape."""
    x = as_tensor(x)
    axes = normalize_dims(dim, x.ndim, "sum")
    out = np.sum(x.data, axis=axes, keepdims=keepdim)

    def backward(g):
        return (np.broadcast_to(_restore_dims(g, axes, keepdim), x.shape),)
    return make_result(out, (x,), backward, "sum", saved=())


@differentiable
def mean(x, dim=None, keepdim=False):
    """y = (1/n) sum over dim of x;  dL/dx = dL/dy / n, broadcast back (n = elements averaged)."""
    x = as_tensor(x)
    axes = normalize_dims(dim, x.ndim, "mean")
    count = int(np.prod([x.shape[a] for a in axes]))
    out = np.mean(x.data, axis=axes, keepdims=keepdim)

    def backward(g):
        return (np.broadcast_to(_restore_dims(g, axes, keepdim) / count, x.shape),)
    return make_result(out, (x,), backward, "mean", saved=())


@differentiable
def var(x, dim=None, keepdim=False, correction=1):
    """y = sum (x - mean)^2 / (n - correction);  dL/dx = dL/dy * 2 (x - mean) / (n - correction).

    correction=1 (PyTorch's default) is the unbiased sample variance; correction=0 divides by n.
    """
    x = as_tensor(x)
    axes = normalize_dims(dim, x.ndim, "var")
    count = int(np.prod([x.shape[a] for a in axes]))
    centred = x.data - np.mean(x.data, axis=axes, keepdims=True)
    divisor = builtins.max(count - correction, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.sum(centred * centred, axis=axes, keepdims=keepdim) / divisor

    def backward(g):
        return (_restore_dims(g, axes, keepdim) * 2 * centred / divisor,)
    return make_result(out.astype(x.dtype, copy=False), (x,), backward, "var", saved=())


@differentiable
def max(x, dim=None, keepdim=False):
    """Largest element, like torch.max.

    Without `dim`: a scalar; the gradient is shared equally by all elements equal to the max.
    With `dim`: a (values, indices) pair; the gradient goes to the element each index points to.
    """
    x = as_tensor(x)
    if dim is None:
        out = np.max(x.data)
        is_max = x.data == out
        return make_result(out, (x,), lambda g: (g * is_max / is_max.sum(),), "max", saved=())
    axis = normalize_dim(dim, x.ndim, "max")
    kept_indices = np.argmax(x.data, axis=axis, keepdims=True)
    values = np.take_along_axis(x.data, kept_indices, axis=axis)

    def backward(g):
        grad = np.zeros_like(x.data)
        np.put_along_axis(grad, kept_indices, _restore_dims(g, axis, keepdim), axis=axis)
        return (grad,)
    indices = kept_indices
    if not keepdim:
        values, indices = np.squeeze(values, axis), np.squeeze(kept_indices, axis)
    return max_result(make_result(values, (x,), backward, "max", saved=()), Tensor(indices))


def argmax(x, dim=None, keepdim=False):
    """Index of the largest element (over everything, or along `dim`), as an int64 tensor; not differentiable."""
    x = as_tensor(x)
    if dim is None:
        return Tensor(np.asarray(np.argmax(x.data), dtype=np.int64))
    axis = normalize_dim(dim, x.ndim, "argmax")
    return Tensor(np.argmax(x.data, axis=axis, keepdims=keepdim).astype(np.int64))


def argmin(x, dim=None, keepdim=False):
    """Index of the smallest element (over everything, or along `dim`), as an int64 tensor; not differentiable."""
    x = as_tensor(x)
    if dim is None:
        return Tensor(np.asarray(np.argmin(x.data), dtype=np.int64))
    axis = normalize_dim(dim, x.ndim, "argmin")
    return Tensor(np.argmin(x.data, axis=axis, keepdims=keepdim).astype(np.int64))
