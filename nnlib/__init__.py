"""nnlib: a small NumPy autograd library shaped like PyTorch, built chapter by chapter in this course.

    import nnlib
    x = nnlib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad   # array([2., 4., 6.], dtype=float32)
"""
from .autograd import DIFFERENTIABLE_OPS, enable_grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck, numerical_grad
from .ops import (abs, add, cat, clamp, div, eq, exp, flatten, ge, getitem, gt, le, log, log_softmax,
                  logsumexp, lt, matmul, max, maximum, mean, mul, ne, neg, pad, permute, pow, relu,
                  reshape, sigmoid, softmax, sqrt, squeeze, stack, sub, sum, tanh, to_dtype, transpose,
                  unsqueeze, var, where)
from .tensor import (Tensor, arange, bool_, default_generator, eye, float32, float64, full, int64,
                     linspace, manual_seed, ones, ones_like, rand, randint, randn, tensor, zeros,
                     zeros_like)

from . import nn  # noqa: E402  (after the tensor API it builds on)
from . import data, metrics  # noqa: E402
from . import optim  # noqa: E402  (after nn, whose Module helpers it uses)
from . import training  # noqa: E402

__version__ = "0.1.0"
