"""Dropout: during training, zero each value with probability p and scale the survivors by 1 / (1 - p)."""
import numbers

import numpy as np

from ..tensor import Tensor, as_tensor, default_generator
from .module import Module


def _check_p(name, p):
    if not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}: dropout probability has to be between 0 and 1, but got {p!r}")


def dropout(input, p=0.5, training=True):
    """y = x * m / (1 - p) with m_i ~ Bernoulli(1 - p) drawn from nnlib's seeded generator;  dL/dx = dL/dy * m / (1 - p).

    E[y] = x, so the next layer sees values of the same size in training and in evaluation, where
    dropout is the identity (training=False).
    """
    _check_p("dropout", p)
    input = as_tensor(input)
    if not training or p == 0.0:
        return input
    keep = default_generator().random(input.shape) >= p  # True with probability 1 - p
    # p = 1 drops everything; writing it apart avoids the 0 * inf of the general formula
    scale = np.zeros(input.shape, input.dtype) if p == 1.0 else (keep / (1.0 - p)).astype(input.dtype)
    return input * Tensor._wrap(scale)  # a product, so the backward multiplies by the same mask


class Dropout(Module):
    """Dropout with probability p in training mode; the identity in eval mode (model.eval())."""

    def __init__(self, p=0.5):
        super().__init__()
        _check_p("Dropout", p)
        self.p = p

    def forward(self, input):
        return dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"
