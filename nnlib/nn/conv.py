"""Convolution and pooling layers: Conv2d, MaxPool2d, AvgPool2d, as in torch.nn.

The arithmetic lives in nnlib/ops/conv.py; these modules hold the weights and the settings, and check
the input's shape before the op sees it.
"""
import numpy as np

from ..ops.conv import _pair, avg_pool2d, conv2d, max_pool2d
from . import init
from .module import Module
from .parameter import Parameter


def _check_image_batch(layer, x, channels=None):
    """Input must be (N, C, H, W), or unbatched (C, H, W) as PyTorch also allows, with C == channels when given."""
    if x.ndim not in (3, 4) or (channels is not None and x.shape[-3] != channels):
        c = "C" if channels is None else channels
        raise ValueError(f"{layer}: expected input of shape (N, {c}, H, W), got {tuple(x.shape)}")


class Conv2d(Module):
    """2-D convolution layer: weight (out_channels, in_channels, kH, kW) and bias (out_channels,), both
    initialised U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels kH kW, like PyTorch."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, dtype=np.float32):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = _pair(stride, "stride", "Conv2d")
        self.padding = _pair(padding, "padding", "Conv2d")
        fan_in = in_channels * self.kernel_size[0] * self.kernel_size[1]
        self.weight = init.default_uniform_(
            Parameter(np.empty((out_channels, in_channels) + self.kernel_size, dtype=dtype)), fan_in)
        self.bias = init.default_uniform_(Parameter(np.empty(out_channels, dtype=dtype)), fan_in) if bias else None

    def forward(self, x):
        _check_image_batch(f"Conv2d(in_channels={self.in_channels})", x, self.in_channels)
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        text += f", padding={self.padding}" if self.padding != (0, 0) else ""  # PyTorch omits the default too
        return text + (", bias=False" if self.bias is None else "")


class _Pool2d(Module):
    """Settings shared by the pooling layers; stride defaults to kernel_size (windows side by side)."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride  # stored resolved, as PyTorch does
        self.padding = padding

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The maximum of each kernel_size window (padding adds -inf)."""

    def forward(self, x):
        _check_image_batch("MaxPool2d", x)
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each kernel_size window, zero padding included in the count (count_include_pad=True)."""

    def forward(self, x):
        _check_image_batch("AvgPool2d", x)
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding)
