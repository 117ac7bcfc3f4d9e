"""Comparisons give boolean tensors and are not differentiable (a step function has zero gradient)."""
import numpy as np

from ..tensor import Tensor
from ._common import as_operand_pair, broadcast_shape


def _compare(name, a, b, fn):
    a, b = as_operand_pair(a, b)
    broadcast_shape(name, a.shape, b.shape)
    return Tensor(fn(a.data, b.data))


def eq(a, b): return _compare("eq", a, b, np.equal)
def ne(a, b): return _compare("ne", a, b, np.not_equal)
def lt(a, b): return _compare("lt", a, b, np.less)
def le(a, b): return _compare("le", a, b, np.less_equal)
def gt(a, b): return _compare("gt", a, b, np.greater)
def ge(a, b): return _compare("ge", a, b, np.greater_equal)
