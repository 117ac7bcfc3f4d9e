"""Small helpers the ops share: turning operands into tensors and naming shapes in errors."""
import numbers

import numpy as np

from ..tensor import DEFAULT_FLOAT, Tensor


def as_tensor(value, like=None):
    """`value` as a Tensor; a Python number takes the dtype of `like` (so float32 stays float32)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, numbers.Number) and like is not None:
        if like.dtype.kind == "f":
            return Tensor._wrap(np.asarray(value, dtype=like.dtype))
        if isinstance(value, float):
            return Tensor._wrap(np.asarray(value, dtype=DEFAULT_FLOAT))
    return Tensor(value)


def as_tensor_pair(a, b):
    a = as_tensor(a, like=b if isinstance(b, Tensor) else None)
    b = as_tensor(b, like=a)
    return a, b


def broadcast_shape(op_name, *shapes):
    """The shape NumPy broadcasting gives, or an error that names every shape and the clashing dimension."""
    if len(shapes) == 2 and shapes[0] == shapes[1]:
        return shapes[0]  # the common case, without building NumPy's dummy arrays
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        ndim = max(len(s) for s in shapes)
        padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
        for d in range(ndim):
            sizes = {p[d] for p in padded} - {1}
            if len(sizes) > 1:
                break
        shown = " and ".join(str(tuple(s)) for s in shapes)
        raise ValueError(
            f"{op_name}: shapes {shown} cannot be broadcast together: dimension {d - ndim} "
            f"(counting from the right) has sizes {sorted(sizes)}; sizes must match or be 1"
        ) from None


def normalize_dim(dim, ndim, op_name):
    """A dimension index in [0, ndim), accepting negatives like PyTorch, with a clear error."""
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(
            f"{op_name}: dimension {dim} is out of range for a tensor with {ndim} dimensions "
            f"(expected a value in [{-max(ndim, 1)}, {max(ndim, 1) - 1}])"
        )
    return dim % max(ndim, 1)


def normalize_dims(dim, ndim, op_name):
    """`dim` (None, int or tuple) as a sorted tuple of non-negative axes; None means all."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
    return tuple(sorted(normalize_dim(d, ndim, op_name) for d in dims))
