"""Ops that move values around without changing them: their backward moves the gradient back."""
import numbers

import numpy as np

from ..autograd import differentiable
from ..tensor import make_result, share_version
from ._common import as_tensor, normalize_dim


@differentiable
def reshape(x, *shape):
    """Same values in a new shape (one entry may be -1);  dL/dx = dL/dy reshaped to x's shape."""
    x = as_tensor(x)
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
    x = as_tensor(x)
    d0, d1 = normalize_dim(dim0, x.ndim, "transpose"), normalize_dim(dim1, x.ndim, "transpose")
    out = np.swapaxes(x.data, d0, d1)
    return share_version(make_result(out, (x,), lambda g: (np.swapaxes(g, d0, d1),), "transpose", saved=()), x)


@differentiable
def permute(x, *dims):
    """Reorder dimensions: y has dimension dims[i] of x at position i;  backward applies the inverse order."""
    x = as_tensor(x)
    if len(dims) == 1 and not isinstance(dims[0], numbers.Integral):
        dims = tuple(dims[0])
    axes = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {dims} is not a permutation of the {x.ndim} dimensions of shape {x.shape}")
    out = np.transpose(x.data, axes)
    inverse = tuple(np.argsort(axes))
    return share_version(make_result(out, (x,), lambda g: (np.transpose(g, inverse),), "permute", saved=()), x)


@differentiable
def squeeze(x, dim=None):
    """Remove dimensions of size 1 (all of them, or just `dim` if it has size 1), as a reshape."""
    x = as_tensor(x)
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        d = normalize_dim(dim, x.ndim, "squeeze")
        shape = x.shape[:d] + x.shape[d + 1:] if x.shape[d] == 1 else x.shape
    return reshape(x, shape)


@differentiable
def unsqueeze(x, dim):
    """Insert a dimension of size 1 at position `dim`, as a reshape."""
    x = as_tensor(x)
    d = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


@differentiable
def flatten(x, start_dim=0, end_dim=-1):
    """Merge dimensions start_dim..end_dim into one, as a reshape."""
    x = as_tensor(x)
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = normalize_dim(start_dim, x.ndim, "flatten"), normalize_dim(end_dim, x.ndim, "flatten")
    return reshape(x, x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:])


@differentiable
def clone(x):
    """y = a copy of x in its own memory;  dL/dx = dL/dy."""
    x = as_tensor(x)
    return make_result(x.data.copy(), (x,), lambda g: (g,), "clone", saved=())
