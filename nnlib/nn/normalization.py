"""Normalisation layers: LayerNorm (over each example's features) and BatchNorm1d/2d (over the batch, per channel).

The arithmetic and its fused backward live in nnlib/ops/normalization.py; these modules hold the
learnable weight and bias, and BatchNorm's running statistics, with PyTorch's names.
"""
import numbers

import numpy as np

from ..ops.normalization import batch_norm, layer_norm
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


class LayerNorm(Module):
    """y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias over the last len(normalized_shape) dimensions.

    weight (ones) and bias (zeros) have shape normalized_shape, as in PyTorch.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=np.float32):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.weight = init.ones_(Parameter(np.empty(self.normalized_shape, dtype=dtype))) if elementwise_affine else None
        self.bias = init.zeros_(Parameter(np.empty(self.normalized_shape, dtype=dtype))) if elementwise_affine and bias else None

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class _BatchNorm(Module):
    """Shared by BatchNorm1d and BatchNorm2d, which differ only in the input shapes they accept.

    Training mode normalises with the batch's mean and (biased) variance per channel and updates
    running_mean and running_var (with the unbiased variance); eval mode normalises with the running
    statistics. momentum=None makes the running statistics a plain average over all batches so far.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, *,
                 bias=True, dtype=np.float32):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.weight = init.ones_(Parameter(np.empty(num_features, dtype=dtype))) if affine else None
        self.bias = init.zeros_(Parameter(np.empty(num_features, dtype=dtype))) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def _check_input(self, input):
        if input.ndim not in self._accepted_ndims:
            raise ValueError(f"{type(self).__name__}: expected input of shape {self._expected_shape}, "
                             f"got shape {tuple(input.shape)} ({input.ndim}D input)")
        if input.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected {self.num_features} channels "
                             f"in dimension 1, got input of shape {tuple(input.shape)} with {input.shape[1]}")

    def forward(self, input):
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # cumulative average: batch k gets weight 1/k
                factor = 1.0 / float(self.num_batches_tracked.data)
        # batch statistics in training, and in eval too when there are no running statistics to use
        use_batch_stats = self.training or self.running_mean is None
        # the buffers go in only to be updated (training and tracking) or to be used (eval)
        pass_buffers = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if pass_buffers else None, self.running_var if pass_buffers else None,
                          self.weight, self.bias, use_batch_stats, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) features or (N, C, L) sequences, per channel C."""
    _accepted_ndims = (2, 3)
    _expected_shape = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images, per channel C."""
    _accepted_ndims = (4,)
    _expected_shape = "(N, C, H, W)"
