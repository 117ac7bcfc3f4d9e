"""nnlib: a small NumPy autograd library shaped like PyTorch, built chapter by chapter in this course.

    import nnlib
    x = nnlib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad   # tensor([2., 4., 6.])
"""
import numpy as _np

from .autograd import DIFFERENTIABLE_OPS, enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .device import device, get_default_device, set_default_device
from .gradcheck import GradcheckError, gradcheck, numerical_grad
from .ops import (abs, add, argmax, argmin, bmm, cat, chunk, clamp, clone, cos, cumsum, div, dot, einsum, eq, exp,
                  expm1, flatten, gather, ge, getitem, gt, index_put, le, log, log1p, log_softmax, logsumexp, lt,
                  masked_fill, matmul, max, maximum, mean, min, minimum, mm, mul, ne, neg, norm, outer, pad, permute,
                  pow, prod, relu, reshape, scatter, scatter_add, sigmoid, sign, sin, softmax, sort, split, sqrt,
                  square, squeeze, stack, std, sub, sum, tanh, to_dtype, topk, transpose, tril, triu, unbind,
                  unsqueeze, var, where)
from .tensor import (Size, Tensor, arange, as_tensor, bool_, default_generator, empty, eye, float32, float64,
                     from_numpy, full, full_like, int32, int64, linspace, manual_seed, ones, ones_like, rand, rand_like,
                     randint, randn, randn_like, randperm, tensor, zeros, zeros_like)

# PyTorch's dtype names (nnlib.float is float32, as torch.float); they are NumPy dtypes underneath.
float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001
bool = bool_  # noqa: A001
uint8, int8, int16 = _np.uint8, _np.int8, _np.int16
clip = clamp


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(t):
    return t.numel()


from . import cuda  # noqa: E402
from . import nn  # noqa: E402  (after the tensor API it builds on)
from . import data, metrics  # noqa: E402
from . import optim  # noqa: E402  (after nn, whose Module helpers it uses)
from . import training  # noqa: E402
from . import testing  # noqa: E402  (assert_close, as torch.testing)
from . import utils  # noqa: E402
from .serialization import load, save  # noqa: E402

__version__ = "0.1.0"
