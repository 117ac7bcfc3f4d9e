"""Indexing and slicing: y = x[index];  dL/dx = zeros with dL/dy added back at the indexed places.

With integer-array indices `np.add.at` adds rather than assigns, so an element picked twice
(x[[0, 0]]) gets both gradients.
"""
import re

import numpy as np

from ..autograd import differentiable, unbroadcast
from ..tensor import make_result, share_version
from ._common import as_operand


def _index_to_numpy(index):
    from ..tensor import Tensor
    if isinstance(index, tuple):
        return tuple(_index_to_numpy(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _check_index_dtypes(index, shape):
    for part in index if isinstance(index, tuple) else (index,):
        if isinstance(part, np.ndarray) and part.dtype.kind not in "iub":
            raise IndexError(
                f"tensors used as indices must be integer or boolean, got dtype {part.dtype} "
                f"(indexing a tensor of shape {shape}); convert with .to(nnlib.int64)"
            )


@differentiable
def getitem(x, index):
    """y = x[index] (ints, slices, None, ..., boolean masks, integer arrays);  dL/dx scatters dL/dy back."""
    x = as_operand(x)
    index = _index_to_numpy(index)
    _check_index_dtypes(index, x.shape)
    try:
        out = x.data[index]
    except IndexError as err:
        message = re.sub(r"\baxis\b", "dimension", str(err))
        what = "index out of range" if "out of bounds" in message else "invalid index"
        raise IndexError(f"{what} for a tensor of shape {x.shape}: {message}") from None

    parts = index if isinstance(index, tuple) else (index,)
    may_repeat = any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)
    basic = not any(isinstance(p, (np.ndarray, np.bool_, bool)) for p in parts)  # ints, slices, None, ...

    def backward(g):
        grad = np.zeros_like(x.data)
        if may_repeat:
            np.add.at(grad, index, g)  # integer arrays may pick an element twice: add, don't overwrite
        else:
            grad[index] = g  # slices, ints and masks pick each element at most once (and this is fast)
        return (grad,)
    if not basic:
        return make_result(out, (x,), backward, "getitem", saved=())  # advanced indexing copies, as in torch
    # basic indexing is a view of x, as in torch: x[0].zero_() under no_grad changes x (x[0, 1] too: `...` keeps
    # NumPy from returning a scalar copy)
    view = x.data[parts + (Ellipsis,)] if Ellipsis not in parts else out
    return share_version(make_result(view, (x,), backward, "getitem", saved=()), x)


@differentiable
def index_put(x, index, values):
    """y = x with y[index] = values (what `x[index] = values` computes);
    dL/dx = dL/dy with zeros at the overwritten places,  dL/dvalues = dL/dy[index] (summed where values broadcast)."""
    x = as_operand(x)
    values = as_operand(values, like=x)
    index = _index_to_numpy(index)
    _check_index_dtypes(index, x.shape)
    out = x.data.copy()
    try:
        out[index] = values.data
    except IndexError as err:
        message = re.sub(r"\baxis\b", "dimension", str(err))
        what = "index out of range" if "out of bounds" in message else "invalid index"
        raise IndexError(f"{what} for a tensor of shape {x.shape}: {message}") from None
    except ValueError:
        raise ValueError(f"cannot assign values of shape {values.shape} to the selected part of shape "
                         f"{x.data[index].shape} of a tensor of shape {x.shape}") from None

    def backward(g):
        grad_x = None
        if x.requires_grad:
            grad_x = g.copy()
            grad_x[index] = 0  # overwritten values no longer affect the output
        grad_values = unbroadcast(g[index], values.shape) if values.requires_grad else None
        return grad_x, grad_values
    return make_result(out, (x, values), backward, "index_put", saved=())
