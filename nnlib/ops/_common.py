"""Small helpers the ops share: turning operands into tensors and naming shapes in errors."""
import numbers

import numpy as np

from ..tensor import DEFAULT_FLOAT, Tensor


def as_operand(value, like=None):
    """`value` as a Tensor; a Python number takes the dtype of `like` (so float32 stays float32)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, numbers.Number) and like is not None:
        if like.dtype.kind == "f":
            return Tensor._wrap(np.asarray(value, dtype=like.dtype))
        if isinstance(value, float):
            return Tensor._wrap(np.asarray(value, dtype=DEFAULT_FLOAT))
    return Tensor(value)


def float_data(v):
    """Integer and boolean data as float32: torch's exp, sin, log1p, ... of an integer tensor are float32 tensors."""
    return v if v.dtype.kind == "f" else v.astype(DEFAULT_FLOAT)


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < integer < floating point


def result_type(a, b):
    """The dtype of a binary op on tensors `a` and `b`, by PyTorch's promotion rules (not NumPy's).

    A higher category (bool < integer < float) wins: float32 with an int64 tensor stays float32.
    Within one category, a tensor with dimensions outranks a 0-d one (float32 with a 0-d float64
    stays float32) and otherwise the larger type wins. Python numbers arrive here already as 0-d
    tensors of the other operand's dtype, or float32 for a float with an integer tensor (as_operand).
    """
    dtype_a, dtype_b = a.data.dtype, b.data.dtype
    if dtype_a == dtype_b:
        return dtype_a
    dims_a, dims_b = a.data.ndim > 0, b.data.ndim > 0
    if dims_a != dims_b and _CATEGORY[dtype_a.kind] == _CATEGORY[dtype_b.kind]:
        return dtype_a if dims_a else dtype_b
    return promote_dtypes(dtype_a, dtype_b)


def promote_dtypes(dtype_a, dtype_b):
    """PyTorch's promotion of two dtypes (both tensors with dimensions): the higher category wins, then the larger type."""
    cat_a, cat_b = _CATEGORY[dtype_a.kind], _CATEGORY[dtype_b.kind]
    if cat_a != cat_b:
        return dtype_a if cat_a > cat_b else dtype_b
    return np.promote_types(dtype_a, dtype_b)


def cast(array, dtype):
    """`array` as `dtype`, without a copy when it already is."""
    return array if array.dtype == dtype else array.astype(dtype)


def check_same_dtype(op_name, a, b):
    """Matrix products do not promote, as in torch: mixing float32 and float64 is an error."""
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op_name}: both operands must have the same dtype, but got {a.dtype} (shape {a.shape}) "
                           f"and {b.dtype} (shape {b.shape}); convert one with .to(...), .float() or .double()")


def as_operand_pair(a, b):
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a, b  # the common case, first
    a = as_operand(a, like=b if isinstance(b, Tensor) else None)
    b = as_operand(b, like=a)
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


def dim_or_axis(dim, axis, op_name, required=False, default=None):
    """`dim`, also accepted under NumPy's name `axis` (as torch does); giving both is an error.

    `default` is dim's default (-1 for sort, 0 for cat): an axis given with dim left at it replaces it.
    """
    if axis is not None:
        if dim is not None and dim != default:
            raise TypeError(f"{op_name}() got both dim={dim!r} and axis={axis!r}: axis is another name for dim, "
                            "give one of them")
        dim = axis
    if required and dim is None:
        raise TypeError(f"{op_name}() missing required argument 'dim' (or its alias 'axis')")
    return dim
