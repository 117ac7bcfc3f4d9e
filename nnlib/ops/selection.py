"""Choosing elements by an index tensor or a mask: gather, scatter, scatter_add, masked_fill, tril, triu,
and one_hot (not differentiable).

gather and scatter address x along one dimension `dim`: for every position p of `index`,
gather reads x at p with p[dim] replaced by index[p]; scatter writes there. So their backwards are
each other: gather's gradient is scattered back (adding, as an index may repeat), and scatter's
gradient for src is gathered.
"""
import numbers

import numpy as np

from ..autograd import differentiable, unbroadcast
from ..tensor import Tensor, make_result
from ._common import as_operand, broadcast_shape, normalize_dim


def _coordinates(x, dim, index, op_name, src=None):
    """The dimension and a NumPy index tuple addressing x at `index` along dim (see the module docstring)."""
    index = np.array(getattr(index, "data", index))  # a copy: changing the index tensor later can't change backward
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op_name}: index must be an integer tensor, got dtype {index.dtype} (shape {index.shape})")
    if x.ndim == 0:
        raise ValueError(f"{op_name}: the input must have at least 1 dimension, got a 0-d tensor (nnlib's limit)")
    axis = normalize_dim(dim, x.ndim, op_name)
    if index.ndim != x.ndim:
        raise ValueError(f"{op_name}: index has {index.ndim} dimensions (shape {index.shape}) but the input has "
                         f"{x.ndim} (shape {x.shape}); they must have the same number of dimensions")
    for d, n in enumerate(index.shape):
        if d != axis and n > x.shape[d]:
            raise ValueError(f"{op_name}: index of shape {index.shape} is larger than the input of shape {x.shape} "
                             f"in dimension {d}; apart from dimension {axis} (dim), index must be no larger")
        if src is not None and n > src.shape[d]:
            raise ValueError(f"{op_name}: index of shape {index.shape} is larger than src of shape {src.shape} "
                             f"in dimension {d}; index must be no larger than src")
    size = x.shape[axis]
    bad = index[(index < 0) | (index >= size)]
    if bad.size:
        raise IndexError(f"{op_name}: index {int(bad[0])} is out of bounds for dimension {axis} with size {size} "
                         f"(input of shape {x.shape}); indices must be in [0, {size})")
    coordinates = list(np.indices(index.shape, sparse=True))  # open grids: position p along every dimension
    coordinates[axis] = index
    return tuple(coordinates), index.shape


def _src_region(index_shape):
    """The part of src that scatter uses: its first index.shape[d] entries in every dimension d."""
    return tuple(slice(0, n) for n in index_shape)


@differentiable
def gather(x, dim, index, *, sparse_grad=False):
    """y[p] = x[p with p[dim] = index[p]] (y has index's shape);  dL/dx = dL/dy added back at those places."""
    x = as_operand(x)
    where, _ = _coordinates(x, dim, index, "gather")

    def backward(g):
        grad = np.zeros_like(x.data)
        np.add.at(grad, where, g)  # an index may repeat: add, don't overwrite
        return (grad,)
    return make_result(x.data[where], (x,), backward, "gather", saved=())


def _scatter_operands(x, dim, index, src, value, op_name):
    x = as_operand(x)
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src  # scatter(dim, index, 2.0): a number in src's place is the value, as torch
    if src is None and value is None:
        raise TypeError(f"{op_name}() needs src (a tensor) or value (a number) to write")
    if src is not None:
        if src.dtype != x.dtype:
            raise TypeError(f"{op_name}: src has dtype {src.dtype} but the input has dtype {x.dtype}; "
                            "they must be the same (convert one with .to(...))")
        if src.ndim != x.ndim:
            raise ValueError(f"{op_name}: src has shape {src.shape} but the input has shape {x.shape}; "
                             "they must have the same number of dimensions")
    where, index_shape = _coordinates(x, dim, index, op_name, src=src)
    return x, src, value, where, index_shape


@differentiable
def scatter(x, dim, index, src=None, *, value=None, reduce=None):
    """y = x with y[p with p[dim] = index[p]] = src[p] (or = value), out of place (torch's Tensor.scatter);
    dL/dx = dL/dy with zeros where y was overwritten,  dL/dsrc[p] = dL/dy at the place src[p] went.

    Where index repeats a place, the last write wins in nnlib; torch leaves the choice undefined.
    """
    if reduce is not None:
        raise ValueError("scatter(reduce=...) is not supported by nnlib; use scatter_add for 'add'")
    x, src, value, where, index_shape = _scatter_operands(x, dim, index, src, value, "scatter")
    out = x.data.copy()
    out[where] = src.data[_src_region(index_shape)] if src is not None else value

    def backward(g):
        grad_x = None
        if x.requires_grad:
            grad_x = g.copy()
            grad_x[where] = 0  # overwritten values no longer reach the output
        grad_src = None
        if src is not None and src.requires_grad:
            grad_src = np.zeros_like(src.data)
            grad_src[_src_region(index_shape)] = g[where]
        return grad_x, grad_src
    parents = (x,) if src is None else (x, src)
    return make_result(out, parents, backward, "scatter", saved=())


@differentiable
def scatter_add(x, dim, index, src):
    """y = x, then y[p with p[dim] = index[p]] += src[p] for every p (repeated places add up);
    dL/dx = dL/dy,  dL/dsrc[p] = dL/dy at the place src[p] was added to."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: src must be a tensor, got {type(src).__name__}")
    x, src, _, where, index_shape = _scatter_operands(x, dim, index, src, None, "scatter_add")
    out = x.data.copy()
    np.add.at(out, where, src.data[_src_region(index_shape)])  # add.at: a repeated place receives every addition

    def backward(g):
        grad_src = None
        if src.requires_grad:
            grad_src = np.zeros_like(src.data)
            grad_src[_src_region(index_shape)] = g[where]
        return g, grad_src
    return make_result(out, (x, src), backward, "scatter_add", saved=())


@differentiable
def masked_fill(x, mask, value):
    """y = value where mask, else x (mask broadcasts against x);  dL/dx = dL/dy where not mask, 0 where filled;
    dL/dvalue = the sum of dL/dy over the filled places (when value is a 0-d tensor that requires grad)."""
    x = as_operand(x)
    mask = np.array(getattr(mask, "data", mask))  # a copy, for backward
    if mask.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a boolean tensor, got dtype {mask.dtype} (shape {mask.shape}); "
                        "compare to make one, e.g. x > 0")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got a tensor of shape {value.shape}")
    broadcast_shape("masked_fill", x.shape, mask.shape)
    fill = np.asarray(getattr(value, "data", value)).astype(x.dtype)  # value takes x's dtype, as in torch
    out = np.where(mask, fill, x.data)

    def backward(g):
        grad_x = unbroadcast(np.where(mask, 0, g), x.shape) if x.requires_grad else None
        grad_value = np.sum(np.where(mask, g, 0)) if isinstance(value, Tensor) and value.requires_grad else None
        return grad_x, grad_value
    parents = (x, value) if isinstance(value, Tensor) else (x,)
    return make_result(out, parents, backward, "masked_fill", saved=())


def _triangle(x, diagonal, name, keep):
    x = as_operand(x)
    if x.ndim < 2:
        raise ValueError(f"{name}: the input must have at least 2 dimensions, got shape {x.shape}")
    if not isinstance(diagonal, numbers.Integral):
        raise TypeError(f"{name}: diagonal must be an integer, got {diagonal!r}")
    return make_result(keep(x.data, k=diagonal), (x,), lambda g: (keep(g, k=diagonal),), name, saved=())


@differentiable
def tril(x, diagonal=0):
    """y = x on and below the diagonal (shifted up by `diagonal`) of the last two dimensions, 0 above;
    dL/dx = dL/dy on the same places, 0 above."""
    return _triangle(x, diagonal, "tril", np.tril)


@differentiable
def triu(x, diagonal=0):
    """y = x on and above the diagonal (shifted up by `diagonal`) of the last two dimensions, 0 below;
    dL/dx = dL/dy on the same places, 0 below."""
    return _triangle(x, diagonal, "triu", np.triu)


def one_hot(tensor, num_classes=-1):
    """Class indices (any shape) to int64 one-hot rows: shape tensor.shape + (num_classes,); not differentiable.

    num_classes=-1 takes the largest index plus one, as torch.nn.functional.one_hot.
    """
    labels = np.asarray(getattr(tensor, "data", tensor))
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expects an integer tensor of class indices, got dtype {labels.dtype}; "
                        "convert with .long()")
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; give num_classes")
        num_classes = int(labels.max()) + 1
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {int(labels.min())}")
    if labels.size and labels.max() >= num_classes:
        raise ValueError(f"one_hot: class values must be smaller than num_classes={num_classes}, got {int(labels.max())}")
    return Tensor._wrap((labels[..., None] == np.arange(num_classes)).astype(np.int64))
