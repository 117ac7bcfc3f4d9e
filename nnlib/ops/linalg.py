"""Matrix multiplication, including batched and 1-D operands (numpy.matmul's rules)."""
import numpy as np

from ..autograd import differentiable, make_result, unbroadcast
from ._common import as_tensor_pair, broadcast_shape


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
