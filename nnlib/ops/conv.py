r"""Convolution and pooling: ops that slide a kH x kW window over the last two dimensions (H, W).

All three share one scheme, im2col. A strided *view* of the padded input,

    windows[n, c, i, j, u, v] = x_pad[n, c, s_h i + u, s_w j + v],

holds every window without copying anything; the forward then reduces each window (a dot product
with the kernel, a max, a mean). The backward is the adjoint of that view, col2im: each window's
gradient is added back onto the input positions it was read from. col2im loops over the kH*kW
kernel offsets (u, v) only, never over pixels or over the batch: offset (u, v) of every window at
once is one strided slice of the input, x_pad[..., u : u + s_h OH : s_h, v : v + s_w OW : s_w].

Output size, per dimension:  OH = floor((H + 2 p_h - kH) / s_h) + 1  (and the same for W).
"""
import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd import differentiable, make_result
from ._common import as_tensor


def _pair(value, name, op_name):
    """An int or a pair of ints, as PyTorch accepts them for kernel_size, stride and padding."""
    pair = (value, value) if isinstance(value, numbers.Integral) else value
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(isinstance(v, numbers.Integral) for v in pair)):
        raise ValueError(f"{op_name}: {name} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def _sizes(op_name, x, kernel_size, stride, padding):
    """Check the input and the window settings; return (kernel, stride, padding, (OH, OW)) as pairs."""
    if x.dtype.kind != "f":
        raise TypeError(f"{op_name}: expected a floating-point input, got dtype {x.dtype}")
    kernel, stride, padding = (_pair(kernel_size, "kernel_size", op_name), _pair(stride, "stride", op_name),
                               _pair(padding, "padding", op_name))
    if min(kernel) < 1 or min(stride) < 1 or min(padding) < 0:
        raise ValueError(f"{op_name}: kernel_size and stride must be positive and padding non-negative, "
                         f"got kernel_size={kernel}, stride={stride}, padding={padding}")
    padded = tuple(n + 2 * p for n, p in zip(x.shape[-2:], padding))
    if padded[0] < kernel[0] or padded[1] < kernel[1]:
        raise ValueError(f"{op_name}: kernel size {kernel} is larger than the padded input {padded} "
                         f"(input (H, W) = {tuple(x.shape[-2:])}, padding {padding})")
    out_hw = tuple((n - k) // s + 1 for n, k, s in zip(padded, kernel, stride))
    return kernel, stride, padding, out_hw


def _pad(data, padding, value):
    """`data` with `padding` = (p_h, p_w) rows/columns of `value` added on each side of the last two dimensions."""
    (ph, pw), (h, w) = padding, data.shape[-2:]
    if ph == pw == 0:
        return data
    out = np.full(data.shape[:-2] + (h + 2 * ph, w + 2 * pw), value, dtype=data.dtype)
    out[..., ph:ph + h, pw:pw + w] = data  # faster than np.pad, which is general but slow on small arrays
    return out


def _unpad(data, padding, hw):
    """The (H, W) = `hw` middle of a padded array: the backward of `_pad` (a view)."""
    (ph, pw), (h, w) = padding, hw
    return data[..., ph:ph + h, pw:pw + w]


def _windows(x_pad, kernel, stride):
    """windows[..., i, j, u, v] = x_pad[..., s_h i + u, s_w j + v]: a read-only view, nothing is copied."""
    return sliding_window_view(x_pad, kernel, axis=(-2, -1))[..., ::stride[0], ::stride[1], :, :]


def _col2im(grad_pad, window_grad, kernel, stride, out_hw):
    """The backward of `_windows`: add window_grad(u, v), the gradient of offset (u, v) of every window,
    shape (..., OH, OW), into `grad_pad` at the positions those windows read. Overlapping windows add up."""
    (sh, sw), (oh, ow) = stride, out_hw
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            grad_pad[..., u:u + sh * oh:sh, v:v + sw * ow:sw] += window_grad(u, v)
    return grad_pad


@differentiable
def conv2d(input, weight, bias=None, stride=1, padding=0):
    r"""2-D convolution (cross-correlation, as in PyTorch) of input (N, C_in, H, W) with weight
    (C_out, C_in, kH, kW), PyTorch's layout; x below is the input zero-padded by `padding`:

    $$y_{n,c',i,j} = b_{c'} + \sum_{c,u,v} W_{c',c,u,v}\, x_{n,c,si+u,sj+v}$$

    Backward, with g = dL/dy:
    $\partial L/\partial W_{c',c,u,v} = \sum_{n,i,j} g_{n,c',i,j}\, x_{n,c,si+u,sj+v}$,
    $\partial L/\partial b_{c'} = \sum_{n,i,j} g_{n,c',i,j}$, and dL/dx collects
    $\sum_{c'} g_{n,c',i,j} W_{c',c,u,v}$ at every position $(si+u, sj+v)$ it came from (col2im).

    im2col turns all of this into matrix products: per image, the columns hold one window per output
    pixel, so Y = W_mat @ cols, dL/dW_mat = sum over images of G @ cols^T, and dL/dcols = W_mat^T @ G,
    which col2im adds back onto the input. An unbatched (C_in, H, W) input is treated as a batch of one,
    as in PyTorch.
    """
    x, weight = as_tensor(input), as_tensor(weight)
    if x.ndim == 3:
        return conv2d(x.unsqueeze(0), weight, bias, stride, padding).squeeze(0)
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"conv2d: expected input (N, C_in, H, W) or (C_in, H, W) and weight (C_out, C_in, kH, kW), "
                         f"got input {x.shape} and weight {weight.shape}")
    (n, c, h, w), (c_out, c_w, kh, kw) = x.shape, weight.shape
    if c_w != c:
        raise ValueError(f"conv2d: weight of shape {weight.shape} expects {c_w} input channels, "
                         f"but the input of shape {x.shape} has {c}")
    bias = None if bias is None else as_tensor(bias)
    if bias is not None and bias.shape != (c_out,):
        raise ValueError(f"conv2d: bias must have shape ({c_out},) for weight {weight.shape}, got {bias.shape}")
    parents = (x, weight) if bias is None else (x, weight, bias)
    if len({p.dtype for p in parents}) > 1:
        raise TypeError(f"conv2d: input, weight and bias must have the same dtype, got "
                        f"{', '.join(str(p.dtype) for p in parents)}")
    kernel, stride, padding, (oh, ow) = _sizes("conv2d", x, (kh, kw), stride, padding)

    x_pad = _pad(x.data, padding, 0.0)
    windows = _windows(x_pad, kernel, stride)  # (N, C, OH, OW, kH, kW), a view
    # im2col: the one copy. Per image, row (c, u, v) of cols pairs with column (c, u, v) of
    # weight.reshape(C_out, -1), and each copied run (along OW) is contiguous in x.
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, oh * ow)  # (N, C kH kW, OH OW)
    w_mat = weight.data.reshape(c_out, c * kh * kw)
    out = np.matmul(w_mat, cols)  # (N, C_out, OH OW): one matmul, broadcast over the batch, in PyTorch's layout
    if bias is not None:
        out += bias.data[:, None]
    out = out.reshape(n, c_out, oh, ow)
    padded_shape = x_pad.shape  # the backward keeps cols, not the padded input

    def backward(g):
        g_mat = g.reshape(n, c_out, oh * ow)
        grad_x = grad_w = grad_b = None
        if weight.requires_grad:  # G_n @ cols_n^T per image, summed over the batch
            grad_w = np.matmul(g_mat, cols.transpose(0, 2, 1)).sum(axis=0).reshape(weight.shape)
        if bias is not None and bias.requires_grad:
            grad_b = g_mat.sum(axis=(0, 2))
        if x.requires_grad:
            # col2im of dL/dcols = W_mat^T G, one kernel offset at a time: the rows of offset (u, v) are
            # W[:, :, u, v]^T G, so dL/dcols (as big as cols) is never stored, which saves page faults.
            w_at = w_mat.reshape(c_out, c, kh, kw).transpose(2, 3, 1, 0)  # w_at[u, v] = W[:, :, u, v]^T: (C_in, C_out)
            grad_pad = _col2im(np.zeros(padded_shape, dtype=x.dtype),
                               lambda u, v: np.matmul(w_at[u, v], g_mat).reshape(n, c, oh, ow),
                               kernel, stride, (oh, ow))
            grad_x = _unpad(grad_pad, padding, (h, w))
        return (grad_x, grad_w) if bias is None else (grad_x, grad_w, grad_b)

    return make_result(out, parents, backward, "conv2d")


def _pool_settings(op_name, x, kernel_size, stride, padding):
    if x.ndim not in (3, 4):
        raise ValueError(f"{op_name}: expected input (N, C, H, W) or (C, H, W), got shape {x.shape}")
    stride = kernel_size if stride is None else stride
    kernel, stride, padding, out_hw = _sizes(op_name, x, kernel_size, stride, padding)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        # PyTorch's rule too: otherwise a window could hold nothing but padding
        raise ValueError(f"{op_name}: padding should be at most half of the kernel size, got padding={padding} "
                         f"for kernel_size={kernel}")
    return kernel, stride, padding, out_hw


@differentiable
def max_pool2d(input, kernel_size, stride=None, padding=0):
    r"""Max pooling over kH x kW windows (stride defaults to kernel_size; padding adds -inf, so it never wins):

    $$y_{n,c,i,j} = \max_{u,v}\, x_{n,c,si+u,sj+v}$$

    Backward: each window's gradient goes to the position of its maximum (the first one on a tie, as in
    PyTorch); a position that is the maximum of several overlapping windows receives all their gradients.
    """
    x = as_tensor(input)
    kernel, stride, padding, out_hw = _pool_settings("max_pool2d", x, kernel_size, stride, padding)
    x_pad = _pad(x.data, padding, -np.inf)
    windows = _windows(x_pad, kernel, stride)
    flat = windows.reshape(windows.shape[:-2] + (kernel[0] * kernel[1],))  # (..., OH, OW, kH*kW), a copy
    argmax = flat.argmax(axis=-1)  # which offset u*kW + v of each window holds its maximum
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    padded_shape = x_pad.shape  # the backward keeps only the argmax of each window

    def backward(g):
        grad_pad = np.zeros(padded_shape, dtype=x.dtype)
        _col2im(grad_pad, lambda u, v: np.where(argmax == u * kernel[1] + v, g, 0), kernel, stride, out_hw)
        return (_unpad(grad_pad, padding, x.shape[-2:]),)

    return make_result(out, (x,), backward, "max_pool2d")


@differentiable
def avg_pool2d(input, kernel_size, stride=None, padding=0):
    r"""Average pooling over kH x kW windows (stride defaults to kernel_size; padding adds zeros, which
    count in the average: PyTorch's default count_include_pad=True):

    $$y_{n,c,i,j} = \frac{1}{k_H k_W} \sum_{u,v} x_{n,c,si+u,sj+v}$$

    Backward: every position of a window receives g_{n,c,i,j} / (kH kW).
    """
    x = as_tensor(input)
    kernel, stride, padding, out_hw = _pool_settings("avg_pool2d", x, kernel_size, stride, padding)
    x_pad = _pad(x.data, padding, 0.0)
    out = _windows(x_pad, kernel, stride).mean(axis=(-2, -1))
    padded_shape = x_pad.shape

    def backward(g):
        share = g / (kernel[0] * kernel[1])
        grad_pad = _col2im(np.zeros(padded_shape, dtype=x.dtype), lambda u, v: share, kernel, stride, out_hw)
        return (_unpad(grad_pad, padding, x.shape[-2:]),)

    return make_result(out, (x,), backward, "avg_pool2d")
