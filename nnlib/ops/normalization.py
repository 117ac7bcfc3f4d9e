"""Normalisation ops with a fused backward: layer_norm and batch_norm.

Both compute  x_hat = (x - mean) / sqrt(var + eps)  over some dimensions (var is the biased variance,
dividing by n) and then  y = x_hat * weight + bias. Written as a chain of small ops, the backward
would pass through a mean, a variance, a square root and a division; worked out by hand it collapses
to one line. With g_hat = dL/dx_hat = dL/dy * weight and sigma = sqrt(var + eps), averaging over the
n normalised elements:

    dL/dx = (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat)) / sigma

(the two subtracted terms are the gradient flowing through the mean and through the variance).
"""
import numbers

import numpy as np

from ..autograd import differentiable
from ..tensor import make_result
from ._common import as_operand


def _normalize(x, axes, eps):
    """x_hat = (x - mean) / sqrt(var + eps) over `axes` (biased var), and 1 / sqrt(var + eps) kept for backward."""
    mean = np.mean(x, axis=axes, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    return centred * inv_std, mean, var, inv_std


def _normalize_backward(g_hat, x_hat, inv_std, axes):
    """dL/dx = (g_hat - mean(g_hat) - x_hat mean(g_hat x_hat)) / sigma, the means over `axes`."""
    return inv_std * (g_hat - np.mean(g_hat, axis=axes, keepdims=True)
                      - x_hat * np.mean(g_hat * x_hat, axis=axes, keepdims=True))


def _affine(name, x, x_hat, weight, bias, stats_shape, affine_axes, grad_x_hat_to_x):
    """y = x_hat * weight + bias as one graph node whose parents are x and whichever of weight and bias exist.

    weight and bias are stored with shape `stats_shape` once broadcast to x; `affine_axes` are the dimensions
    their gradients are summed over; `grad_x_hat_to_x(g_hat)` turns dL/dx_hat into dL/dx.
    """
    w = None if weight is None else weight.data.reshape(stats_shape)
    out = x_hat.copy() if w is None else x_hat * w  # a copy: backward reads x_hat, the output may change in place
    if bias is not None:
        out = out + bias.data.reshape(stats_shape)
    parents = [x] + [t for t in (weight, bias) if t is not None]

    def backward(g):
        grads = [grad_x_hat_to_x(g if w is None else g * w) if x.requires_grad else None]
        if weight is not None:
            grads.append(np.sum(g * x_hat, axis=affine_axes).reshape(weight.shape) if weight.requires_grad else None)
        if bias is not None:
            grads.append(np.sum(g, axis=affine_axes).reshape(bias.shape) if bias.requires_grad else None)
        return tuple(grads)
    return make_result(out.astype(x.dtype, copy=False), parents, backward, name)


def _check_param_shape(name, which, param, expected):
    if param is not None and tuple(param.shape) != tuple(expected):
        raise ValueError(f"{name}: expected {which} of shape {tuple(expected)}, got {tuple(param.shape)}")


@differentiable
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, with E and Var (biased) over the last
    len(normalized_shape) dimensions of x, separately for every position in the leading ones.

    dL/dx = (g_hat - mean(g_hat) - x_hat mean(g_hat x_hat)) / sqrt(Var[x] + eps),  g_hat = dL/dy * weight;
    dL/dweight = sum over the leading dimensions of dL/dy * x_hat;  dL/dbias = the same sum of dL/dy.
    """
    x = as_operand(input)
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(int(n) for n in normalized_shape)
    k = len(normalized_shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != normalized_shape:
        raise ValueError(f"layer_norm: normalized_shape {normalized_shape} must match the last dimensions of the input, "
                         f"got input of shape {tuple(x.shape)}")
    weight = None if weight is None else as_operand(weight)
    bias = None if bias is None else as_operand(bias)
    _check_param_shape("layer_norm", "weight", weight, normalized_shape)
    _check_param_shape("layer_norm", "bias", bias, normalized_shape)
    axes = tuple(range(x.ndim - k, x.ndim))  # the normalised dimensions
    x_hat, _, _, inv_std = _normalize(x.data, axes, eps)
    leading = tuple(range(x.ndim - k))  # weight and bias are shared across these
    return _affine("layer_norm", x, x_hat, weight, bias, normalized_shape, leading,
                   lambda g_hat: _normalize_backward(g_hat, x_hat, inv_std, axes))


@differentiable
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """y = (x - mean) / sqrt(var + eps) * weight + bias per channel (dimension 1 of x of shape (N, C, ...)).

    training=True: mean and var are the batch's (over N and every dimension after C; var biased), and
    the running statistics, if given, are updated in place:
        running_mean = (1 - momentum) running_mean + momentum mean
        running_var  = (1 - momentum) running_var  + momentum var * n / (n - 1)   (the unbiased variance)
    dL/dx = (g_hat - mean(g_hat) - x_hat mean(g_hat x_hat)) / sqrt(var + eps),  g_hat = dL/dy * weight.
    training=False: mean and var are running_mean and running_var, constants, so dL/dx = g_hat / sqrt(var + eps).
    dL/dweight = sum over all but C of dL/dy * x_hat;  dL/dbias = the same sum of dL/dy.
    """
    x = as_operand(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, ...), got shape {tuple(x.shape)}")
    channels = x.shape[1]
    stats_shape = (1, channels) + (1,) * (x.ndim - 2)  # per-channel values, broadcastable against x
    axes = (0,) + tuple(range(2, x.ndim))  # everything but the channel dimension
    weight = None if weight is None else as_operand(weight)
    bias = None if bias is None else as_operand(bias)
    for which, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        _check_param_shape("batch_norm", which, t, (channels,))

    if training:
        count = x.data.size // channels
        if count <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input of shape "
                             f"{tuple(x.shape)}")
        x_hat, mean, var, inv_std = _normalize(x.data, axes, eps)
        if running_mean is not None:  # updated without a graph: statistics are not trained
            running_mean.data[...] = (1 - momentum) * running_mean.data + momentum * mean.reshape(channels)
        if running_var is not None:
            unbiased = var.reshape(channels) * count / (count - 1)
            running_var.data[...] = (1 - momentum) * running_var.data + momentum * unbiased

        def grad_x(g_hat):
            return _normalize_backward(g_hat, x_hat, inv_std, axes)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: training=False normalises with running_mean and running_var, "
                             "so both must be given")
        inv_std = 1.0 / np.sqrt(running_var.data.reshape(stats_shape) + eps)
        x_hat = (x.data - running_mean.data.reshape(stats_shape)) * inv_std

        def grad_x(g_hat):
            return g_hat * inv_std
    return _affine("batch_norm", x, x_hat, weight, bias, stats_shape, axes, grad_x)
