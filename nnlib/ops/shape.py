"""Ops that move values around without changing them: their backward moves the gradient back."""
import numbers

import numpy as np

from ..autograd import differentiable, unbroadcast
from ..tensor import make_result, share_version
from ._common import as_operand, dim_or_axis, normalize_dim


@differentiable
def reshape(x, *shape):
    """Same values in a new shape (one entry may be -1);  dL/dx = dL/dy reshaped to x's shape."""
    x = as_operand(x)
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        shape = tuple(shape[0])
    try:
        out = x.data.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape: cannot view a tensor of shape {x.shape} ({x.data.size} elements) as shape {shape}") from None
    return share_version(make_result(out, (x,), lambda g: (g.reshape(x.shape),), "reshape", saved=()), x)


@differentiable
def transpose(x, dim0, dim1):
    """Swap two dimensions;  dL/dx = dL/dy with the same two dimensions swapped back."""
    x = as_operand(x)
    d0, d1 = normalize_dim(dim0, x.ndim, "transpose"), normalize_dim(dim1, x.ndim, "transpose")
    out = np.swapaxes(x.data, d0, d1)
    return share_version(make_result(out, (x,), lambda g: (np.swapaxes(g, d0, d1),), "transpose", saved=()), x)


@differentiable
def permute(x, *dims):
    """Reorder dimensions: y has dimension dims[i] of x at position i;  backward applies the inverse order."""
    x = as_operand(x)
    if len(dims) == 1 and not isinstance(dims[0], numbers.Integral):
        dims = tuple(dims[0])
    axes = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {dims} is not a permutation of the {x.ndim} dimensions of shape {x.shape}")
    out = np.transpose(x.data, axes)
    inverse = tuple(np.argsort(axes))
    return share_version(make_result(out, (x,), lambda g: (np.transpose(g, inverse),), "permute", saved=()), x)


@differentiable
def squeeze(x, dim=None, *, axis=None):
    """Remove dimensions of size 1 (all of them, or just `dim` if it has size 1), as a reshape."""
    x = as_operand(x)
    dim = dim_or_axis(dim, axis, "squeeze")
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        d = normalize_dim(dim, x.ndim, "squeeze")
        shape = x.shape[:d] + x.shape[d + 1:] if x.shape[d] == 1 else x.shape
    return reshape(x, shape)


@differentiable
def unsqueeze(x, dim=None, *, axis=None):
    """Insert a dimension of size 1 at position `dim`, as a reshape."""
    x = as_operand(x)
    d = normalize_dim(dim_or_axis(dim, axis, "unsqueeze", required=True), x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


@differentiable
def flatten(x, start_dim=0, end_dim=-1):
    """Merge dimensions start_dim..end_dim into one, as a reshape."""
    x = as_operand(x)
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = normalize_dim(start_dim, x.ndim, "flatten"), normalize_dim(end_dim, x.ndim, "flatten")
    return reshape(x, x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:])


@differentiable
def clone(x):
    """y = a copy of x in its own memory;  dL/dx = dL/dy."""
    x = as_operand(x)
    return make_result(x.data.copy(), (x,), lambda g: (g,), "clone", saved=())


def _sizes_arg(sizes):
    """expand(2, 3), expand((2, 3)) and expand(nnlib.Size([2, 3])) all mean the sizes (2, 3)."""
    return tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], numbers.Integral) else tuple(sizes)


@differentiable
def expand(x, *sizes):
    """y = x broadcast to `sizes` (new dimensions in front; -1 keeps a size; only size-1 dimensions grow);
    dL/dx = dL/dy summed over the copies (as the backward of broadcasting).

    Like torch, y is a view of x's memory without copying; it is read-only (NumPy's broadcast_to), so an
    in-place change of y is an error: clone() it first. An in-place change of x shows in y, as in torch.
    """
    x = as_operand(x)
    sizes = _sizes_arg(sizes)
    new = len(sizes) - x.ndim
    if new < 0:
        raise ValueError(f"expand: {len(sizes)} sizes {list(sizes)} are fewer than the {x.ndim} dimensions of the "
                         f"tensor of shape {x.shape}")
    target = list(sizes)
    for d, size in enumerate(sizes):
        if d < new:
            if size < 0:
                raise ValueError(f"expand: the new leading dimension {d} needs a size, got {size} (sizes {list(sizes)})")
            continue
        old = x.shape[d - new]
        if size == -1:
            target[d] = old
        elif size != old and old != 1:
            raise ValueError(f"expand: the expanded size {size} must match the existing size {old} at non-singleton "
                             f"dimension {d}; target sizes {list(sizes)}, tensor shape {x.shape}")
    out = np.broadcast_to(x.data, tuple(target))
    return share_version(make_result(out, (x,), lambda g: (unbroadcast(g, x.shape),), "expand", saved=()), x)


@differentiable
def repeat(x, *sizes):
    """y = x tiled sizes[i] times along dimension i (sizes may add leading dimensions), torch's Tensor.repeat;
    dL/dx = dL/dy summed over the tiles."""
    x = as_operand(x)
    sizes = _sizes_arg(sizes)
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat: {len(sizes)} repeat counts {list(sizes)} are fewer than the {x.ndim} dimensions "
                         f"of the tensor of shape {x.shape}")
    if any(n < 0 for n in sizes):
        raise ValueError(f"repeat: repeat counts must be non-negative, got {list(sizes)}")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    out = np.tile(x.data.reshape(shape), sizes)

    def backward(g):
        tiles = g.reshape([n for pair in zip(sizes, shape) for n in pair])  # (tile, size) pairs per dimension
        return (tiles.sum(axis=tuple(range(0, 2 * len(sizes), 2))).reshape(x.shape),)
    return make_result(out, (x,), backward, "repeat", saved=())
