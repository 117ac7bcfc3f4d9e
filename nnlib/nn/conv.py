"""Convolution and pooling layers: Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, as in torch.nn.

The arithmetic lives in nnlib/ops/conv.py; these modules hold the weights and the settings, and check
the input's shape before the op sees it.
"""
import numbers

import numpy as np

from ..device import check_device
from ..ops.conv import (adaptive_avg_pool2d, as_pair, avg_pool2d, check_avg_pool_options, check_no_ceil_mode, conv2d,
                        max_pool2d, padding_sides)
from . import init
from .module import Module
from .parameter import Parameter


def _check_image_batch(layer, x, channels=None):
    """Input must be (N, C, H, W), or unbatched (C, H, W) as PyTorch also allows, with C == channels when given."""
    if x.ndim not in (3, 4) or (channels is not None and x.shape[-3] != channels):
        c = "C" if channels is None else channels
        raise ValueError(f"{layer}: expected input of shape (N, {c}, H, W), got {tuple(x.shape)}")


class Conv2d(Module):
    """2-D convolution layer: weight (out_channels, in_channels / groups, kH, kW) and bias (out_channels,),
    both initialised U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = (in_channels / groups) kH kW, like
    PyTorch. The arguments, in torch's order: stride, padding (an int, a pair, 'valid' or 'same'), dilation,
    groups, bias; padding_mode 'zeros' only."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=np.float32):
        super().__init__()
        check_device(device)
        if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
            raise ValueError(f"Conv2d: groups must be a positive integer, got {groups!r}")
        for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
            if channels % groups:
                raise ValueError(f"Conv2d: {name} must be divisible by groups, got {name}={channels}, groups={groups}")
        if padding_mode != "zeros":
            raise ValueError(f"Conv2d: padding_mode={padding_mode!r} is not supported: nnlib pads with zeros only "
                             "(padding_mode='zeros'); torch also has 'reflect', 'replicate' and 'circular'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = as_pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = as_pair(stride, "stride", "Conv2d")
        self.dilation = as_pair(dilation, "dilation", "Conv2d")
        padding_sides(padding, self.kernel_size, self.stride, self.dilation, "Conv2d")  # check it now, not at forward
        self.padding = padding if isinstance(padding, str) else as_pair(padding, "padding", "Conv2d")  # as torch keeps it
        self.groups, self.padding_mode = groups, padding_mode
        fan_in = in_channels // groups * self.kernel_size[0] * self.kernel_size[1]
        self.weight = init.default_uniform_(
            Parameter(np.empty((out_channels, in_channels // groups) + self.kernel_size, dtype=dtype)), fan_in)
        self.bias = init.default_uniform_(Parameter(np.empty(out_channels, dtype=dtype)), fan_in) if bias else None

    def forward(self, x):
        _check_image_batch(f"Conv2d(in_channels={self.in_channels})", x, self.in_channels)
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        # torch's format: the defaults are left out (a padding string prints bare: padding=same)
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        text += f", padding={self.padding}" if self.padding != (0, 0) else ""
        text += f", dilation={self.dilation}" if self.dilation != (1, 1) else ""
        text += f", groups={self.groups}" if self.groups != 1 else ""
        return text + (", bias=False" if self.bias is None else "")


class MaxPool2d(Module):
    """The maximum of each kernel_size window (padding adds -inf; dilation spaces the window's taps).
    Settings are kept as given, as torch does; stride defaults to kernel_size (windows side by side).
    ceil_mode=True and return_indices=True are not supported (a ValueError)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        check_no_ceil_mode("MaxPool2d", ceil_mode)
        if return_indices:
            raise ValueError("MaxPool2d: return_indices=True is not supported (nnlib has no MaxUnpool2d to use them)")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride  # stored resolved, as PyTorch does
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x):
        _check_image_batch("MaxPool2d", x)
        return max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean of each kernel_size window, zero padding included in the count (count_include_pad=True);
    stride defaults to kernel_size. torch's ceil_mode, count_include_pad and divisor_override are accepted
    at their defaults only (others are a ValueError)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        check_avg_pool_options("AvgPool2d", ceil_mode, count_include_pad, divisor_override)
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride  # stored resolved, as PyTorch does
        self.padding = padding

    def forward(self, x):
        _check_image_batch("AvgPool2d", x)
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed (OH, OW) = output_size whatever the input's size (an int, or a pair whose
    None entries keep that size); AdaptiveAvgPool2d(1) is global average pooling."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size  # kept as given, as torch does (its repr shows it so)

    def forward(self, x):
        _check_image_batch("AdaptiveAvgPool2d", x)
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
