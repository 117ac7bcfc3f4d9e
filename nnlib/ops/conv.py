r"""Convolution and pooling: ops that slide a kH x kW window over the last two dimensions (H, W).

conv2d, max_pool2d and avg_pool2d share one scheme, im2col. A strided *view* of the padded input,

    windows[n, c, i, j, u, v] = x_pad[n, c, s_h i + d_h u, s_w j + d_w v],

holds every window without copying anything (s: the stride; d: the dilation, the step between the
kernel's taps, 1 for a dense window); the forward then reduces each window (a dot product with the
kernel, a max, a mean). The backward is the adjoint of that view, col2im: each window's gradient is
added back onto the input positions it was read from. col2im loops over the kH*kW kernel offsets
(u, v) only, never over pixels or over the batch: offset (u, v) of every window at once is one
strided slice of the input, x_pad[..., d_h u : d_h u + s_h OH : s_h, d_w v : d_w v + s_w OW : s_w].

Output size, per dimension, with p_top + p_bottom rows of padding and a dilated kernel that spans
d_h (kH - 1) + 1 rows:  OH = floor((H + p_top + p_bottom - d_h (kH - 1) - 1) / s_h) + 1  (same for W).

adaptive_avg_pool2d is the odd one out: its windows differ in size, so it is two matrix products.
"""
import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd import differentiable
from ..tensor import make_result
from ._common import as_operand


def as_pair(value, name, op_name):
    """An int or a pair of ints, as PyTorch accepts them for kernel_size, stride, padding and dilation.

    Public because the layers in nnlib/nn/conv.py check their settings with it too."""
    pair = (value, value) if isinstance(value, numbers.Integral) else value
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(isinstance(v, numbers.Integral) for v in pair)):
        raise ValueError(f"{op_name}: {name} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def padding_sides(padding, kernel, stride, dilation, op_name):
    """`padding` as ((top, bottom), (left, right)). An int or a pair pads both sides alike; as in torch,
    'valid' means no padding and 'same' keeps H x W (stride 1 only): d (k - 1) rows in all, the odd one
    at the bottom (and the odd column on the right). Public: Conv2d checks its padding with it."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{op_name}: padding='same' is not supported for strided convolutions "
                                 f"(stride={stride}), as in torch; use stride 1 or an explicit padding")
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(f"{op_name}: invalid padding string {padding!r}, should be 'valid' or 'same' "
                         "(or an int or a pair of ints)")
    ph, pw = as_pair(padding, "padding", op_name)
    return (ph, ph), (pw, pw)


def _shown(sides):
    """Padding as an error message shows it: (p_h, p_w) when both sides agree, else ((top, bottom), (left, right))."""
    return (sides[0][0], sides[1][0]) if all(a == b for a, b in sides) else sides


def _output_size(op_name, x, kernel, stride, sides, dilation):
    """Check the input's dtype and the window settings (all pairs; `sides` from padding_sides); return (OH, OW)."""
    if x.dtype.kind != "f":
        raise TypeError(f"{op_name}: expected a floating-point input, got dtype {x.dtype}")
    if min(kernel + stride + dilation) < 1 or min(sides[0] + sides[1]) < 0:
        raise ValueError(f"{op_name}: kernel_size, stride and dilation must be positive and padding non-negative, "
                         f"got kernel_size={kernel}, stride={stride}, padding={_shown(sides)}, dilation={dilation}")
    padded = tuple(n + a + b for n, (a, b) in zip(x.shape[-2:], sides))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))  # rows and columns a dilated window covers
    if padded[0] < span[0] or padded[1] < span[1]:
        size = f"kernel size {kernel}" + ("" if dilation == (1, 1) else f" with dilation {dilation} spans {span} and")
        raise ValueError(f"{op_name}: {size} is larger than the padded input {padded} "
                         f"(input (H, W) = {tuple(x.shape[-2:])}, padding {_shown(sides)})")
    return tuple((n - e) // s + 1 for n, e, s in zip(padded, span, stride))


def _pad(data, sides, value):
    """`data` with `sides` = ((top, bottom), (left, right)) rows/columns of `value` added around its last two dimensions."""
    ((top, bottom), (left, right)), (h, w) = sides, data.shape[-2:]
    if top == bottom == left == right == 0:
        return data
    out = np.full(data.shape[:-2] + (h + top + bottom, w + left + right), value, dtype=data.dtype)
    out[..., top:top + h, left:left + w] = data  # faster than np.pad, which is general but slow on small arrays
    return out


def _unpad(data, sides, hw):
    """The (H, W) = `hw` middle of a padded array: the backward of `_pad` (a view)."""
    ((top, _), (left, _)), (h, w) = sides, hw
    return data[..., top:top + h, left:left + w]


def _windows(x_pad, kernel, stride, dilation):
    """windows[..., i, j, u, v] = x_pad[..., s_h i + d_h u, s_w j + d_w v]: a read-only view, nothing is copied."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    return sliding_window_view(x_pad, span, axis=(-2, -1))[..., ::stride[0], ::stride[1], ::dilation[0], ::dilation[1]]


def _col2im(grad_pad, window_grad, kernel, stride, dilation, out_hw):
    """The backward of `_windows`: add window_grad(u, v), the gradient of offset (u, v) of every window,
    shape (..., OH, OW), into `grad_pad` at the positions those windows read. Overlapping windows add up."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_hw
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            grad_pad[..., dh * u:dh * u + sh * oh:sh, dw * v:dw * v + sw * ow:sw] += window_grad(u, v)
    return grad_pad


def _check_groups(x, weight, groups):
    """The input's C_in channels and the weight's C_out filters split into `groups` equal parts;
    each filter reads the C_in / groups channels of its own part (so weight is (C_out, C_in / groups, kH, kW))."""
    (c, c_out, c_w) = x.shape[1], weight.shape[0], weight.shape[1]
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive integer, got {groups!r}")
    if c % groups:
        raise ValueError(f"conv2d: groups={groups} must divide the input channels, but the input of shape "
                         f"{tuple(x.shape)} has {c} channels")
    if c_out % groups:
        raise ValueError(f"conv2d: groups={groups} must divide the output channels, but the weight of shape "
                         f"{tuple(weight.shape)} has {c_out} filters (its first dimension)")
    if c_w != c // groups:
        if groups == 1:
            raise ValueError(f"conv2d: weight of shape {tuple(weight.shape)} expects {c_w} input channels, "
                             f"but the input of shape {tuple(x.shape)} has {c}")
        raise ValueError(f"conv2d: weight of shape {tuple(weight.shape)} expects {c_w} input channels per group, "
                         f"but the input of shape {tuple(x.shape)} has {c} channels, {c // groups} per group "
                         f"for groups={groups} (the weight's second dimension must be C_in / groups)")


@differentiable
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    r"""2-D convolution (cross-correlation, as in PyTorch) of input (N, C_in, H, W) with weight
    (C_out, C_in / groups, kH, kW), PyTorch's layout; x below is the input zero-padded by `padding`
    (an int, a pair, 'valid' or 'same'), s the stride and d the dilation:

    $$y_{n,c',i,j} = b_{c'} + \sum_{c \in G(c'),u,v} W_{c',c,u,v}\, x_{n,c,si+du,sj+dv}$$

    With groups = 1, G(c') holds every input channel. With groups = g, the channels split into g equal
    parts and filter c' reads only part G(c') = the one of its own part (filters c' of part k are
    k C_out/g ... (k+1) C_out/g - 1): g independent convolutions side by side. groups = C_in is a
    depthwise convolution, one filter (or several) per channel.

    Backward, with g = dL/dy:
    $\partial L/\partial W_{c',c,u,v} = \sum_{n,i,j} g_{n,c',i,j}\, x_{n,c,si+du,sj+dv}$,
    $\partial L/\partial b_{c'} = \sum_{n,i,j} g_{n,c',i,j}$, and dL/dx collects
    $\sum_{c' : c \in G(c')} g_{n,c',i,j} W_{c',c,u,v}$ at every position $(si+du, sj+dv)$ it came from (col2im).

    im2col turns all of this into matrix products, one per image and group: the columns hold one window
    per output pixel, so Y = W_mat @ cols, dL/dW_mat = sum over images of G @ cols^T, and
    dL/dcols = W_mat^T @ G, which col2im adds back onto the input. An unbatched (C_in, H, W) input is
    treated as a batch of one, as in PyTorch.
    """
    x, weight = as_operand(input), as_operand(weight)
    if x.ndim == 3:
        return conv2d(x.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"conv2d: expected input (N, C_in, H, W) or (C_in, H, W) and weight "
                         f"(C_out, C_in / groups, kH, kW), got input {tuple(x.shape)} and weight {tuple(weight.shape)}")
    _check_groups(x, weight, groups)
    (n, c, h, w), (c_out, c_g, kh, kw) = x.shape, weight.shape  # c_g = C_in / groups channels per group
    bias = None if bias is None else as_operand(bias)
    if bias is not None and bias.shape != (c_out,):
        raise ValueError(f"conv2d: bias must have shape ({c_out},) for weight {tuple(weight.shape)}, "
                         f"got {tuple(bias.shape)}")
    parents = (x, weight) if bias is None else (x, weight, bias)
    if len({p.dtype for p in parents}) > 1:
        raise TypeError(f"conv2d: input, weight and bias must have the same dtype, got "
                        f"{', '.join(str(p.dtype) for p in parents)}")
    kernel = (kh, kw)
    stride, dilation = as_pair(stride, "stride", "conv2d"), as_pair(dilation, "dilation", "conv2d")
    sides = padding_sides(padding, kernel, stride, dilation, "conv2d")
    oh, ow = _output_size("conv2d", x, kernel, stride, sides, dilation)

    x_pad = _pad(x.data, sides, 0.0)
    windows = _windows(x_pad, kernel, stride, dilation)  # (N, C, OH, OW, kH, kW), a view
    # im2col: the one copy. Per image and group, row (c, u, v) of cols pairs with column (c, u, v) of the
    # group's rows of weight.reshape(C_out, -1), and each copied run (along OW) is contiguous in x.
    k = c_g * kh * kw
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, groups, k, oh * ow)  # (N, groups, C_g kH kW, OH OW)
    w_mat = weight.data.reshape(groups, c_out // groups, k)
    out = np.matmul(w_mat, cols)  # (N, groups, C_out/groups, OH OW): one matmul, broadcast over the batch
    out = out.reshape(n, c_out, oh * ow)  # filters in PyTorch's order: group by group
    if bias is not None:
        out += bias.data[:, None]
    out = out.reshape(n, c_out, oh, ow)
    padded_shape = x_pad.shape  # the backward keeps cols, not the padded input

    def backward(g):
        g_mat = g.reshape(n, groups, c_out // groups, oh * ow)
        grad_x = grad_w = grad_b = None
        if weight.requires_grad:  # G_n @ cols_n^T per image and group, summed over the batch
            grad_w = np.matmul(g_mat, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(weight.shape)
        if bias is not None and bias.requires_grad:
            grad_b = g.sum(axis=(0, 2, 3))
        if x.requires_grad:
            # col2im of dL/dcols = W_mat^T G, one kernel offset at a time: the rows of offset (u, v) are
            # W[:, :, u, v]^T G per group, so dL/dcols (as big as cols) is never stored, which saves page faults.
            w_at = w_mat.reshape(groups, c_out // groups, c_g, kh, kw).transpose(3, 4, 0, 2, 1)  # (kH, kW, groups, C_g, C_out/groups)
            grad_pad = _col2im(np.zeros(padded_shape, dtype=x.dtype),
                               lambda u, v: np.matmul(w_at[u, v], g_mat).reshape(n, c, oh, ow),
                               kernel, stride, dilation, (oh, ow))
            grad_x = _unpad(grad_pad, sides, (h, w))
        return (grad_x, grad_w) if bias is None else (grad_x, grad_w, grad_b)

    # backward reads the input (through cols, which can be a view of it) and the weight, not the bias
    return make_result(out, parents, backward, "conv2d", saved=(x, weight))


def _pool_settings(op_name, x, kernel_size, stride, padding, dilation=1):
    """Check a pooling op's input and settings; return (kernel, stride, sides, dilation, (OH, OW))."""
    if x.ndim not in (3, 4):
        raise ValueError(f"{op_name}: expected input (N, C, H, W) or (C, H, W), got shape {tuple(x.shape)}")
    kernel = as_pair(kernel_size, "kernel_size", op_name)
    stride = kernel if stride is None else as_pair(stride, "stride", op_name)
    dilation = as_pair(dilation, "dilation", op_name)
    padding = as_pair(padding, "padding", op_name)  # pooling takes no 'same' / 'valid' strings, as in torch
    sides = ((padding[0], padding[0]), (padding[1], padding[1]))
    out_hw = _output_size(op_name, x, kernel, stride, sides, dilation)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        # PyTorch's rule too: otherwise a window could hold nothing but padding
        raise ValueError(f"{op_name}: padding should be at most half of the kernel size, got padding={padding} "
                         f"for kernel_size={kernel}")
    return kernel, stride, sides, dilation, out_hw


def check_no_ceil_mode(op_name, ceil_mode):
    """Pooling rounds its output size down only. Public: MaxPool2d checks its argument with it."""
    if ceil_mode:
        raise ValueError(f"{op_name}: ceil_mode=True is not supported: nnlib rounds the output size down "
                         "(ceil_mode=False, torch's default); pad the input to keep the last partial window")


@differentiable
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r"""Max pooling over kH x kW windows (stride defaults to kernel_size; padding adds -inf, so it never wins;
    dilation d spaces the window's taps d apart, as in conv2d):

    $$y_{n,c,i,j} = \max_{u,v}\, x_{n,c,si+du,sj+dv}$$

    Backward: each window's gradient goes to the position of its maximum (the first one on a tie, as in
    PyTorch); a position that is the maximum of several overlapping windows receives all their gradients.
    ceil_mode=True and return_indices=True are not supported (a ValueError).
    """
    x = as_operand(input)
    check_no_ceil_mode("max_pool2d", ceil_mode)
    if return_indices:
        raise ValueError("max_pool2d: return_indices=True is not supported (nnlib has no max_unpool2d to use them)")
    kernel, stride, sides, dilation, out_hw = _pool_settings("max_pool2d", x, kernel_size, stride, padding, dilation)
    x_pad = _pad(x.data, sides, -np.inf)
    windows = _windows(x_pad, kernel, stride, dilation)
    flat = windows.reshape(windows.shape[:-2] + (kernel[0] * kernel[1],))  # (..., OH, OW, kH*kW), a copy
    argmax = flat.argmax(axis=-1)  # which offset u*kW + v of each window holds its maximum
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    padded_shape = x_pad.shape  # the backward keeps only the argmax of each window

    def backward(g):
        grad_pad = np.zeros(padded_shape, dtype=x.dtype)
        _col2im(grad_pad, lambda u, v: np.where(argmax == u * kernel[1] + v, g, 0), kernel, stride, dilation, out_hw)
        return (_unpad(grad_pad, sides, x.shape[-2:]),)

    return make_result(out, (x,), backward, "max_pool2d", saved=())


def check_avg_pool_options(op_name, ceil_mode, count_include_pad, divisor_override):
    """avg_pool2d takes torch's arguments, but only their defaults. Public: AvgPool2d checks them with it."""
    check_no_ceil_mode(op_name, ceil_mode)
    if not count_include_pad or divisor_override is not None:
        raise ValueError(f"{op_name}: count_include_pad={count_include_pad}, divisor_override={divisor_override} "
                         "is not supported: nnlib divides by kH kW, padding included (count_include_pad=True, "
                         "divisor_override=None, torch's defaults)")


@differentiable
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    r"""Average pooling over kH x kW windows (stride defaults to kernel_size; padding adds zeros, which
    count in the average: PyTorch's default count_include_pad=True):

    $$y_{n,c,i,j} = \frac{1}{k_H k_W} \sum_{u,v} x_{n,c,si+u,sj+v}$$

    Backward: every position of a window receives g_{n,c,i,j} / (kH kW). Only the defaults of ceil_mode,
    count_include_pad and divisor_override are supported (others are a ValueError).
    """
    x = as_operand(input)
    check_avg_pool_options("avg_pool2d", ceil_mode, count_include_pad, divisor_override)
    kernel, stride, sides, dilation, out_hw = _pool_settings("avg_pool2d", x, kernel_size, stride, padding)
    x_pad = _pad(x.data, sides, 0.0)
    out = _windows(x_pad, kernel, stride, dilation).mean(axis=(-2, -1))
    padded_shape = x_pad.shape

    def backward(g):
        share = g / (kernel[0] * kernel[1])
        grad_pad = _col2im(np.zeros(padded_shape, dtype=x.dtype), lambda u, v: share, kernel, stride, dilation, out_hw)
        return (_unpad(grad_pad, sides, x.shape[-2:]),)

    return make_result(out, (x,), backward, "avg_pool2d", saved=())


def _adaptive_bins(size, out_size, dtype):
    """The (out_size, size) averaging matrix of adaptive pooling: row i holds 1 / |bin i| over bin i, which is
    positions floor(i size / out_size) ... ceil((i + 1) size / out_size) - 1 (torch's bins; they may overlap)."""
    matrix = np.zeros((out_size, size), dtype=dtype)
    for i in range(out_size):
        start, end = (i * size) // out_size, -(-(i + 1) * size // out_size)  # floor and ceil, in integers
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def _adaptive_output_size(output_size, hw):
    """output_size as (OH, OW): an int for both, or a pair whose None entries keep the input's size."""
    pair = (output_size, output_size) if isinstance(output_size, numbers.Integral) else output_size
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(
            v is None or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1) for v in pair)):
        raise ValueError(f"adaptive_avg_pool2d: output_size must be a positive int or a pair of positive ints "
                         f"(None keeps that dimension's size), got {output_size!r}")
    return tuple(n if v is None else int(v) for v, n in zip(pair, hw))


@differentiable
def adaptive_avg_pool2d(input, output_size):
    r"""Average pooling to a fixed output size (OH, OW), whatever the input's (H, W): output row i averages
    input rows R_i = [floor(i H / OH), ceil((i + 1) H / OH)), output column j columns C_j (the same with W):

    $$y_{n,c,i,j} = \frac{1}{|R_i|\,|C_j|} \sum_{h \in R_i} \sum_{w \in C_j} x_{n,c,h,w}$$

    The bins differ in size when OH does not divide H, so instead of windows this is two matrix products:
    with A (OH, H) holding 1/|R_i| on bin R_i of row i and B (OW, W) likewise, y = A x B^T per image and
    channel, and the backward is its transpose, dL/dx = A^T g B. output_size 1 is global average pooling.
    """
    x = as_operand(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d: expected input (N, C, H, W) or (C, H, W), got shape {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise TypeError(f"adaptive_avg_pool2d: expected a floating-point input, got dtype {x.dtype}")
    (h, w), (oh, ow) = x.shape[-2:], _adaptive_output_size(output_size, x.shape[-2:])
    rows, cols = _adaptive_bins(h, oh, x.dtype), _adaptive_bins(w, ow, x.dtype)
    out = np.matmul(np.matmul(rows, x.data), cols.T)  # (..., OH, OW)
    return make_result(out, (x,), lambda g: (np.matmul(np.matmul(rows.T, g), cols),), "adaptive_avg_pool2d", saved=())
