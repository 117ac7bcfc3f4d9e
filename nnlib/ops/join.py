"""Ops that combine tensors or choose between them: cat, stack, pad, where; and their inverses
split, chunk and unbind, which are slices (getitem), so they need no backward of their own."""
import functools

import numpy as np

from ..autograd import differentiable, unbroadcast
from ..tensor import make_result
from ._common import (as_operand, as_operand_pair, broadcast_shape, cast, dim_or_axis, normalize_dim, promote_dtypes,
                      result_type)
from .indexing import getitem


def _check_same_shapes_except(tensors, dim, op_name):
    first = tensors[0].shape
    for k, t in enumerate(tensors[1:], start=1):
        if len(t.shape) != len(first) or any(a != b for i, (a, b) in enumerate(zip(first, t.shape)) if i != dim):
            where = f"except in dimension {dim}" if dim is not None else "exactly"
            raise ValueError(f"{op_name}: tensor 0 has shape {first} but tensor {k} has shape {t.shape}; shapes must match {where}")


@differentiable
def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing dimension;  dL/dx_k = the slice of dL/dy that x_k filled."""
    tensors = [as_operand(t) for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    axis = normalize_dim(dim_or_axis(dim, axis, "cat", default=0), tensors[0].ndim, "cat")
    _check_same_shapes_except(tensors, axis, "cat")
    dtype = functools.reduce(promote_dtypes, [t.dtype for t in tensors])  # torch's promotion, not NumPy's
    out = np.concatenate([cast(t.data, dtype) for t in tensors], axis=axis)
    boundaries = np.cumsum([t.shape[axis] for t in tensors])[:-1]
    return make_result(out, tensors, lambda g: tuple(np.split(g, boundaries, axis=axis)), "cat", saved=())


@differentiable
def stack(tensors, dim=0, *, axis=None):
    """Join same-shaped tensors along a new dimension;  dL/dx_k = dL/dy[..., k, ...]."""
    tensors = [as_operand(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    _check_same_shapes_except(tensors, None, "stack")
    axis = normalize_dim(dim_or_axis(dim, axis, "stack", default=0), tensors[0].ndim + 1, "stack")
    dtype = functools.reduce(promote_dtypes, [t.dtype for t in tensors])
    out = np.stack([cast(t.data, dtype) for t in tensors], axis=axis)
    return make_result(out, tensors, lambda g: tuple(np.moveaxis(g, axis, 0)), "stack", saved=())


@differentiable
def pad(x, pad, value=0.0):
    """Constant padding with torch.nn.functional.pad's convention: `pad` = (left, right) for the last
    dimension, then (left, right) for the one before, and so on;  dL/dx = the unpadded middle of dL/dy."""
    x = as_operand(x)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: expected pairs of (left, right) sizes for at most {x.ndim} dimensions, got {tuple(pad)}")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: sizes must be non-negative, got {tuple(pad)}")
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        widths[x.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    out = np.pad(x.data, widths, mode="constant", constant_values=value)
    middle = tuple(slice(lo, n + lo) for (lo, _), n in zip(widths, x.shape))
    return make_result(out, (x,), lambda g: (g[middle],), "pad", saved=())


@differentiable
def where(condition, a, b):
    """y = a where condition else b (all three broadcast);  dL/da = dL/dy where condition, dL/db elsewhere."""
    condition = np.asarray(getattr(condition, "data", condition))
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {condition.dtype}")
    a, b = as_operand_pair(a, b)
    broadcast_shape("where", condition.shape, a.shape, b.shape)
    dtype = result_type(a, b)
    out = np.where(condition, cast(a.data, dtype), cast(b.data, dtype))

    def backward(g):
        zero = np.zeros_like(g)
        return (unbroadcast(np.where(condition, g, zero), a.shape) if a.requires_grad else None,
                unbroadcast(np.where(condition, zero, g), b.shape) if b.requires_grad else None)
    return make_result(out, (a, b), backward, "where", saved=())


def split(x, split_size_or_sections, dim=0):
    """Pieces of `x` along `dim`: of size split_size_or_sections each (the last may be smaller), or of the
    listed sizes, as torch.split. Each piece is a slice of x, so gradients flow back through getitem."""
    x = as_operand(x)
    axis = normalize_dim(dim, x.ndim, "split")
    length = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        if split_size_or_sections <= 0:
            raise ValueError(f"split: split_size must be positive, got {split_size_or_sections}")
        sizes = [min(split_size_or_sections, length - start) for start in range(0, length, split_size_or_sections)]
        sizes = sizes or [0]  # an empty dimension splits into one empty piece, as in torch
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != length:
            raise ValueError(f"split: sizes {sizes} add up to {sum(sizes)}, but dimension {dim} of shape {x.shape} has {length}")
    pieces, start = [], 0
    for size in sizes:
        index = (slice(None),) * axis + (slice(start, start + size),)
        pieces.append(getitem(x, index))
        start += size
    return tuple(pieces)


def chunk(x, chunks, dim=0):
    """`chunks` pieces of (nearly) equal size along `dim`, as torch.chunk: each of size ceil(n / chunks)."""
    x = as_operand(x)
    axis = normalize_dim(dim, x.ndim, "chunk")
    if chunks <= 0:
        raise ValueError(f"chunk: the number of chunks must be positive, got {chunks}")
    if x.shape[axis] == 0:
        return split(x, [0] * chunks, axis)  # an empty dimension gives `chunks` empty pieces, as in torch
    return split(x, -(-x.shape[axis] // chunks), axis)


def unbind(x, dim=0):
    """The slices of `x` along `dim`, each without that dimension, as torch.unbind."""
    x = as_operand(x)
    axis = normalize_dim(dim, x.ndim, "unbind")
    return tuple(getitem(x, (slice(None),) * axis + (k,)) for k in range(x.shape[axis]))
