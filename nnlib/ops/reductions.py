"""Reductions over `dim` (None = all dimensions), with PyTorch's `keepdim`; also cumsum, a running sum.

Backward of a reduction puts the removed dimensions back (size 1) and broadcasts the gradient
over them: every input element that fed one output receives that output's gradient.
"""
import builtins
from collections import namedtuple

import numpy as np

from ..autograd import differentiable
from ..tensor import Tensor, make_result
from ._common import as_operand, dim_or_axis, normalize_dim, normalize_dims
from .elementwise import maximum, minimum, to_dtype

max_result = namedtuple("max_result", ["values", "indices"])
min_result = namedtuple("min_result", ["values", "indices"])


def _restore_dims(g, axes, keepdim):
    return g if keepdim else np.expand_dims(g, axes)


@differentiable
def sum(x, dim=None, keepdim=False, *, axis=None):
    """y = sum over dim of x;  dL/dx = dL/dy broadcast back to x's shape."""
    x = as_operand(x)
    axes = normalize_dims(dim_or_axis(dim, axis, "sum"), x.ndim, "sum")
    out = np.sum(x.data, axis=axes, keepdims=keepdim)

    def backward(g):
        return (np.broadcast_to(_restore_dims(g, axes, keepdim), x.shape),)
    return make_result(out, (x,), backward, "sum", saved=())


@differentiable
def mean(x, dim=None, keepdim=False, *, axis=None):
    """y = (1/n) sum over dim of x;  dL/dx = dL/dy / n, broadcast back (n = elements averaged)."""
    x = as_operand(x)
    axes = normalize_dims(dim_or_axis(dim, axis, "mean"), x.ndim, "mean")
    count = int(np.prod([x.shape[a] for a in axes]))
    out = np.mean(x.data, axis=axes, keepdims=keepdim)

    def backward(g):
        return (np.broadcast_to(_restore_dims(g, axes, keepdim) / count, x.shape),)
    return make_result(out, (x,), backward, "mean", saved=())


def _spread(x, dim, unbiased, correction, axis, op_name):
    """What var and std share: the axes, x minus its mean over them, and the divisor n - correction.

    torch's three spellings are accepted: correction=c; unbiased=True/False (correction 1/0), also as the
    argument after dim (x.var(0, False)); and x.var(False), where the bool in dim's place is `unbiased`.
    """
    x = as_operand(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{op_name}: only floating-point tensors have a {op_name}, got dtype {x.dtype}; "
                        "convert with .float() or .double()")
    if isinstance(dim, (bool, np.bool_)):
        if unbiased is not None:
            raise TypeError(f"{op_name}(): got unbiased twice (a bool in dim's place is unbiased)")
        dim, unbiased = None, bool(dim)
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op_name}(): give unbiased= or correction=, not both (unbiased=True is correction=1)")
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = normalize_dims(dim_or_axis(dim, axis, op_name), x.ndim, op_name)
    count = int(np.prod([x.shape[a] for a in axes]))
    centred = x.data - np.mean(x.data, axis=axes, keepdims=True)
    return x, axes, centred, builtins.max(count - correction, 0)


@differentiable
def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
    """y = sum (x - mean)^2 / (n - correction);  dL/dx = dL/dy * 2 (x - mean) / (n - correction).

    correction=1 (PyTorch's default, also unbiased=True) is the sample variance; correction=0
    (unbiased=False) divides by n.
    """
    x, axes, centred, divisor = _spread(x, dim, unbiased, correction, axis, "var")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # n <= correction: nan; overflow: inf (as torch)
        out = np.sum(centred * centred, axis=axes, keepdims=keepdim) / divisor

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (_restore_dims(g, axes, keepdim) * 2 * centred / divisor,)
    return make_result(out.astype(x.dtype, copy=False), (x,), backward, "var", saved=())


@differentiable
def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
    """y = sqrt(var(x));  dL/dx = dL/dy * (x - mean) / ((n - correction) y), and 0 where y = 0 (as torch).

    Takes var's arguments: correction=1 (default) or unbiased=True is the sample standard deviation.
    """
    x, axes, centred, divisor = _spread(x, dim, unbiased, correction, axis, "std")
    wide = centred.astype(np.float64, copy=False)  # squares of float32 values near 1e20 overflow; their root does not
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.sqrt(np.sum(wide * wide, axis=axes, keepdims=keepdim) / divisor).astype(x.dtype, copy=False)

    def backward(g):
        y = _restore_dims(out, axes, keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(y == 0, 0.0, _restore_dims(g, axes, keepdim) / (divisor * y))  # constant x: 0, not 0/0
        return (scale * centred,)
    return make_result(out, (x,), backward, "std", saved=(), saves_output=True)


def _extreme(x, dim, keepdim, name, reduce, find, result_type):
    """max or min (`reduce`, with `find` its arg-function): over everything (ties share the gradient), or along
    dim as (values, indices)."""
    if dim is None:
        out = reduce(x.data)
        is_extreme = x.data == out
        return make_result(out, (x,), lambda g: (g * is_extreme / is_extreme.sum(),), name, saved=())
    axis = normalize_dim(dim, x.ndim, name)
    data = x.data.reshape(x.shape or (1,))  # a 0-d tensor has one dimension 0 to reduce, as in torch
    kept_indices = find(data, axis=axis, keepdims=True)  # the first of equal values, as torch
    values = np.take_along_axis(data, kept_indices, axis=axis)

    def backward(g):
        grad = np.zeros_like(data)
        np.put_along_axis(grad, kept_indices, _restore_dims(g, axis, keepdim).reshape(kept_indices.shape), axis=axis)
        return (grad.reshape(x.shape),)
    indices = kept_indices
    if not keepdim or x.ndim == 0:
        reduced = x.shape[:axis] + x.shape[axis + 1:]
        values, indices = values.reshape(reduced), kept_indices.reshape(reduced)
    return result_type(make_result(values, (x,), backward, name, saved=()), Tensor(indices.astype(np.int64)))


@differentiable
def max(x, dim=None, keepdim=False, *, axis=None):
    """Largest element, like torch.max.

    Without `dim`: a scalar; the gradient is shared equally by all elements equal to the max.
    With `dim`: a (values, indices) pair; the gradient goes to the element each index points to.
    With a tensor in dim's place, max(x, other) is the elementwise maximum, as in torch.
    """
    if isinstance(dim, Tensor):
        return maximum(x, dim)
    return _extreme(as_operand(x), dim_or_axis(dim, axis, "max"), keepdim, "max", np.max, np.argmax, max_result)


@differentiable
def min(x, dim=None, keepdim=False, *, axis=None):
    """Smallest element, like torch.min: the mirror image of max (scalar, or (values, indices) along dim)."""
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    return _extreme(as_operand(x), dim_or_axis(dim, axis, "min"), keepdim, "min", np.min, np.argmin, min_result)


def _arg_extreme(x, dim, keepdim, axis, name, find):
    x = as_operand(x)
    dim = dim_or_axis(dim, axis, name)
    if dim is None:
        index = np.asarray(find(x.data), dtype=np.int64)  # into the flattened tensor, as torch
        return Tensor(index.reshape((1,) * x.ndim) if keepdim else index)
    d = normalize_dim(dim, x.ndim, name)
    index = find(x.data.reshape(x.shape or (1,)), axis=d, keepdims=keepdim).astype(np.int64)
    return Tensor(index.reshape(()) if x.ndim == 0 else index)  # a 0-d input gives a 0-d index, as torch


def argmax(x, dim=None, keepdim=False, *, axis=None):
    """Index of the largest element (the first one on a tie; over everything, or along `dim`), as an int64
    tensor; not differentiable."""
    return _arg_extreme(x, dim, keepdim, axis, "argmax", np.argmax)


def argmin(x, dim=None, keepdim=False, *, axis=None):
    """Index of the smallest element (the first one on a tie), as an int64 tensor; not differentiable."""
    return _arg_extreme(x, dim, keepdim, axis, "argmin", np.argmin)


def _norm_order(p):
    if p == "fro":
        return 2.0
    if p == "nuc":
        raise ValueError("norm: the nuclear norm (p='nuc') needs singular values, which nnlib does not have")
    if isinstance(p, str):
        raise ValueError(f"norm: unknown order p={p!r}; use a number (2, 1, float('inf'), ...) or 'fro'")
    return float(p)


@differentiable
def norm(x, p="fro", dim=None, keepdim=False, dtype=None, *, axis=None):
    """y = (sum |x|^p)^(1/p) over dim (all of x by default); p=2 (also 'fro') by default, p=inf is max |x|.

    dL/dx = dL/dy * x |x|^(p-2) / y^(p-1)  (p=2: x / y;  p=1: sign(x);  p=inf: sign(x) on the elements
    where |x| = y, shared equally); 0 where y = 0 (a zero vector has no direction; torch gives 0 too).
    """
    x = as_operand(x)
    if dtype is not None:
        x = to_dtype(x, dtype)
    if x.dtype.kind != "f":
        raise TypeError(f"norm: expected a floating-point tensor, got dtype {x.dtype}; convert with .float()")
    p = _norm_order(p)
    axes = normalize_dims(dim_or_axis(dim, axis, "norm"), x.ndim, "norm")
    v, magnitude = x.data, np.abs(x.data)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p == np.inf or p == -np.inf:
            kept = (np.max if p > 0 else np.min)(magnitude, axis=axes, keepdims=True)
        elif p == 0:
            kept = np.sum(v != 0, axis=axes, keepdims=True).astype(x.dtype)  # how many elements are non-zero
        elif p == 1:
            kept = np.sum(magnitude, axis=axes, keepdims=True)
        elif p == 2:
            kept = np.sqrt(np.sum(v * v, axis=axes, keepdims=True))
        else:
            kept = np.sum(magnitude ** p, axis=axes, keepdims=True) ** (1 / p)
    kept = kept.astype(x.dtype, copy=False)

    def backward(g):
        g = _restore_dims(g, axes, keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == np.inf or p == -np.inf:
                hit = magnitude == kept
                grad = np.sign(v) * hit * (g / hit.sum(axis=axes, keepdims=True))
            elif p == 0:
                grad = np.zeros_like(v)
            elif p == 1:
                grad = np.sign(v) * g
            elif p == 2:
                grad = v * (g / kept)
            else:
                grad = v * magnitude ** (p - 2) * (g / kept ** (p - 1))
        zero = (kept == 0) if p != 1 else False
        return (np.where(zero | (v == 0), 0.0, grad),)  # a zero element or a zero norm: subgradient 0, not 0/0
    out = kept if keepdim else np.squeeze(kept, axis=axes)  # a view of kept, which backward reads
    return make_result(out, (x,), backward, "norm", saves_output=True)


@differentiable
def cumsum(x, dim=None, *, dtype=None, axis=None):
    """y_i = x_1 + ... + x_i along dim;  dL/dx_i = dL/dy_i + ... + dL/dy_n  (a cumulative sum from the end)."""
    x = as_operand(x)
    d = normalize_dim(dim_or_axis(dim, axis, "cumsum", required=True), x.ndim, "cumsum")
    data = x.data if dtype is None else x.data.astype(dtype)
    if data.dtype.kind in "biu":
        data = data.astype(np.int64)  # torch sums integers and booleans as int64
    out = np.cumsum(data, axis=d) if x.ndim else data.copy()

    def backward(g):
        return (np.flip(np.cumsum(np.flip(g, d), axis=d), d) if x.ndim else g,)
    return make_result(out, (x,), backward, "cumsum", saved=())


def _exclusive_cumprod(v):
    """Along the last axis: the product of the elements before each one (1 for the first)."""
    shifted = np.concatenate([np.ones_like(v[..., :1]), v[..., :-1]], axis=-1)
    return np.cumprod(shifted, axis=-1)


@differentiable
def prod(x, dim=None, keepdim=False, *, dtype=None, axis=None):
    """y = product over dim of x (all of x by default);  dL/dx_i = dL/dy * (product of the other elements).

    The product of the others is (product before i) * (product after i), not y / x_i, so a zero in x
    gets its true gradient instead of 0/0.
    """
    x = as_operand(x)
    dim = dim_or_axis(dim, axis, "prod")
    data = x.data if dtype is None else x.data.astype(dtype)
    if data.dtype.kind in "biu":
        data = data.astype(np.int64)  # as torch: the product of an integer tensor is int64
    d = -1 if dim is None else normalize_dim(dim, x.ndim, "prod")
    if dim is None:
        out = np.prod(data)
    else:
        out = np.prod(data, axis=d, keepdims=keepdim) if x.ndim else data.copy()

    def backward(g):
        if dim is None or x.ndim == 0:
            moved = data.reshape(1, -1)
            others = _exclusive_cumprod(moved) * np.flip(_exclusive_cumprod(np.flip(moved, -1)), -1)
            return ((others * g).reshape(x.shape),)
        moved = np.moveaxis(data, d, -1)
        others = _exclusive_cumprod(moved) * np.flip(_exclusive_cumprod(np.flip(moved, -1)), -1)
        return (np.moveaxis(others, -1, d) * _restore_dims(g, d, keepdim),)
    return make_result(out, (x,), backward, "prod")
