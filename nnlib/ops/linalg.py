"""Matrix multiplication, including batched and 1-D operands (numpy.matmul's rules)."""
import numpy as np

from ..autograd import differentiable, unbroadcast
from ..tensor import make_result
from ._common import as_tensor, as_tensor_pair, broadcast_shape, check_same_dtype


def _check_matmul_shapes(a_shape, b_shape):
    if len(a_shape) == 0 or len(b_shape) == 0:
        raise ValueError(f"matmul: both operands need at least 1 dimension, got shapes {a_shape} and {b_shape}")
    inner_a = a_shape[-1]
    inner_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if inner_a != inner_b:
        raise ValueError(
            f"matmul: shapes {a_shape} and {b_shape} are not aligned: the last dimension of the first "
            f"({inner_a}) must equal the {'only' if len(b_shape) == 1 else 'second-to-last'} dimension "
            f"of the second ({inner_b})"
        )
    broadcast_shape("matmul (batch dimensions)", a_shape[:-2], b_shape[:-2])


@differentiable
def matmul(a, b):
    """Y = A B;  dL/dA = dL/dY B^T,  dL/dB = A^T dL/dY  (summed over broadcast batch dimensions).

    A 1-D A is treated as a row (1, n) and a 1-D B as a column (n, 1), and that extra
    dimension is removed from the result, exactly as numpy.matmul and torch.matmul do.
    """
    a, b = as_tensor_pair(a, b)
    _check_matmul_shapes(a.shape, b.shape)
    check_same_dtype("matmul", a, b)
    out = np.matmul(a.data, b.data)

    def backward(g):
        a2 = a.data[None, :] if a.ndim == 1 else a.data
        b2 = b.data[:, None] if b.ndim == 1 else b.data
        if b.ndim == 1:
            g = g[..., None]
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        grad_a = unbroadcast(g @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape) if a.requires_grad else None
        grad_b = unbroadcast(np.swapaxes(a2, -1, -2) @ g, b2.shape).reshape(b.shape) if b.requires_grad else None
        return grad_a, grad_b
    return make_result(out, (a, b), backward, "matmul")


@differentiable
def linear(input, weight, bias=None):
    """y = x W^T + b, with W of shape (out_features, in_features) as in PyTorch, and x of shape (..., in_features).

    dL/dx = dL/dy W,   dL/dW = (dL/dy)^T x,   dL/db = sum over rows of dL/dy
    (the rows of every leading dimension of x count as one batch). One node instead of
    transpose + matmul + add: fewer temporaries, and dL/dW comes out in W's own layout.
    """
    x, weight = as_tensor_pair(input, weight)
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} needs {weight.shape[1] if weight.ndim == 2 else '?'} "
                         f"features in its last dimension to match weight of shape {weight.shape} (out, in)")
    check_same_dtype("linear (input and weight)", x, weight)
    parents = (x, weight) if bias is None else (x, weight, as_tensor(bias, like=weight))
    if bias is not None and parents[2].shape != (weight.shape[0],):
        raise ValueError(f"linear: bias has shape {parents[2].shape}, expected ({weight.shape[0]},)")
    out = x.data @ weight.data.T
    if bias is not None:
        out += parents[2].data

    def backward(g):
        rows_g, rows_x = g.reshape(-1, g.shape[-1]), x.data.reshape(-1, x.shape[-1])
        grad_x = g @ weight.data if x.requires_grad else None
        grad_w = rows_g.T @ rows_x if weight.requires_grad else None
        if bias is None:
            return grad_x, grad_w
        return grad_x, grad_w, rows_g.sum(axis=0) if parents[2].requires_grad else None
    return make_result(out, parents, backward, "linear")


def mm(a, b):
    """torch.mm: the product of two 2-D tensors (matmul, refusing other shapes as torch does)."""
    a, b = as_tensor_pair(a, b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"mm: both operands must be 2-D, got shapes {a.shape} and {b.shape} (matmul takes any)")
    return matmul(a, b)


def bmm(a, b):
    """torch.bmm: batched products of two 3-D tensors with the same batch size (no broadcasting)."""
    a, b = as_tensor_pair(a, b)
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: expected two 3-D tensors with the same batch size, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def dot(a, b):
    """torch.dot: the inner product of two 1-D tensors of the same length."""
    a, b = as_tensor_pair(a, b)
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"dot: expected two 1-D tensors of the same length, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)
