"""Indexing and slicing: y = x[index];  dL/dx = zeros with dL/dy added back at the indexed places.

With integer-array indices `np.add.at` adds rather than assigns, so an element picked twice
(x[[0, 0]]) gets both gradients.
"""
import re

import numpy as np

from ..autograd import differentiable, make_result
from ._common import as_tensor


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
    x = as_tensor(x)
    index = _index_to_numpy(index)
    _check_index_dtypes(index, x.shape)
    try:
        out = x.data[index]
    except IndexError as err:
        message = re.sub(r"\baxis\b", "dimension", str(err))
        raise IndexError(f"index out of range for a tensor of shape {x.shape}: {message}") from None

    parts = index if isinstance(index, tuple) else (index,)
    may_repeat = any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)

    def backward(g):
        grad = np.zeros_like(x.data)
        if may_repeat:
            np.add.at(grad, index, g)  # integer arrays may pick an element twice: add, don't overwrite
        else:
            grad[index] = g  # slices, ints and masks pick each element at most once (and this is fast)
        return (grad,)
    return make_result(np.array(out, copy=True), (x,), backward, "getitem")
