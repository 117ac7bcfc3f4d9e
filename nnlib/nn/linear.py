"""Fully connected layers and shape helpers: Linear, Identity, Flatten."""
import numpy as np

from .. import ops
from . import init
from .module import Module
from .parameter import Parameter


def _check_features(layer, x, expected):
    if x.ndim == 0 or x.shape[-1] != expected:
        raise ValueError(f"{layer}: expected input with {expected} features in its last dimension, "
                         f"got shape {tuple(x.shape)}")


class Linear(Module):
    """y = x W^T + b. Weight (out_features, in_features) and bias (out_features,), initialised
    U(-1/sqrt(in_features), 1/sqrt(in_features)) like PyTorch."""

    def __init__(self, in_features, out_features, bias=True, dtype=np.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = init.default_uniform_(Parameter(np.empty((out_features, in_features), dtype=dtype)), in_features)
        self.bias = init.default_uniform_(Parameter(np.empty(out_features, dtype=dtype)), in_features) if bias else None

    def forward(self, x):
        _check_features(f"Linear(in_features={self.in_features})", x, self.in_features)
        return ops.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    def forward(self, x):
        return x


class Flatten(Module):
    """Merge dimensions start_dim..end_dim (default: all but the batch dimension)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return ops.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
