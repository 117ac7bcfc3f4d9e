"""Loss functions. Each takes `reduction` = 'mean' (default), 'sum' or 'none', as in PyTorch.

The cross-entropy family has a fused backward: the gradient of softmax followed by the negative log
of the true class's probability collapses to  softmax(z) - onehot(y),  which is both cheaper and
stable for any logits.
"""
import numpy as np

from ..autograd import differentiable
from ..tensor import make_result
from ._common import as_operand, broadcast_shape
from .activations import _logsumexp, _stable_sigmoid

REDUCTIONS = ("mean", "sum", "none")
BCE_EPS = float(np.float32(1e-12))  # PyTorch's floor for p (1 - p) in the BCE gradient (a float32 constant)


def _reduce(name, loss, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if reduction == "none":
        return loss
    return loss.mean() if reduction == "mean" else loss.sum()


def _check_same_shape(name, input, target):
    if input.shape != target.shape:
        raise ValueError(f"{name}: input has shape {input.shape} but target has shape {target.shape}; they must match")


@differentiable
def mse_loss(input, target, reduction="mean"):
    """L = mean((x - y)^2);  dL/dx = 2 (x - y) / n."""
    input, target = as_operand(input), as_operand(target, like=as_operand(input))
    _check_same_shape("mse_loss", input, target)
    diff = input - target
    return _reduce("mse_loss", diff * diff, reduction)


@differentiable
def l1_loss(input, target, reduction="mean"):
    """L = mean(|x - y|);  dL/dx = sign(x - y) / n."""
    input, target = as_operand(input), as_operand(target, like=as_operand(input))
    _check_same_shape("l1_loss", input, target)
    return _reduce("l1_loss", (input - target).abs(), reduction)


@differentiable
def binary_cross_entropy(input, target, reduction="mean"):
    """L = -[y log p + (1 - y) log(1 - p)], each log clamped at -100 as in PyTorch (so p = 0 or 1 stays finite);
    dL/dp = (p - y) / (p (1 - p))."""
    p, y = as_operand(input), as_operand(target, like=as_operand(input))
    _check_same_shape("binary_cross_entropy", p, y)
    if np.any((p.data < 0) | (p.data > 1)):
        raise ValueError("binary_cross_entropy: input must be probabilities in [0, 1]; for raw scores use binary_cross_entropy_with_logits")
    with np.errstate(divide="ignore"):
        log_p, log_not_p = np.maximum(np.log(p.data), -100), np.maximum(np.log1p(-p.data), -100)
    out = -(y.data * log_p + (1 - y.data) * log_not_p)

    def backward(g):
        return (g * (p.data - y.data) / np.maximum(p.data * (1 - p.data), BCE_EPS),
                g * (log_not_p - log_p))
    return _reduce("binary_cross_entropy", make_result(out, (p, y), backward, "binary_cross_entropy"), reduction)


@differentiable
def binary_cross_entropy_with_logits(input, target, reduction="mean"):
    """L = -[y log s(z) + (1 - y) log(1 - s(z))] with s the sigmoid, computed as max(z, 0) - z y + log(1 + e^-|z|);
    dL/dz = s(z) - y."""
    z, y = as_operand(input), as_operand(target, like=as_operand(input))
    _check_same_shape("binary_cross_entropy_with_logits", z, y)
    out = np.maximum(z.data, 0) - z.data * y.data + np.log1p(np.exp(-np.abs(z.data)))

    def backward(g):
        return g * (_stable_sigmoid(z.data) - y.data), g * -z.data
    return _reduce("binary_cross_entropy_with_logits", make_result(out, (z, y), backward, "binary_cross_entropy_with_logits"), reduction)


def _check_class_targets(name, logits, target):
    if logits.ndim != 2:
        raise ValueError(f"{name}: expected input of shape (batch, classes), got {logits.shape}")
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must hold integer class indices, got dtype {target.dtype} (use .to(nnlib.int64))")
    if target.shape != (logits.shape[0],):
        raise ValueError(f"{name}: input has shape {logits.shape}, so target must have shape ({logits.shape[0]},); got {target.shape}")
    bad = np.flatnonzero((target.data < 0) | (target.data >= logits.shape[1]))
    if bad.size:
        raise IndexError(f"{name}: target {int(target.data[bad[0]])} at position {int(bad[0])} is out of range "
                         f"for {logits.shape[1]} classes (valid: 0 to {logits.shape[1] - 1}); {bad.size} targets are out of range")


@differentiable
def cross_entropy(input, target, reduction="mean"):
    """L_i = -log softmax(z_i)[y_i] = logsumexp(z_i) - z_i[y_i]  for logits z of shape (N, C) and class indices y;
    dL_i/dz_i = softmax(z_i) - onehot(y_i)."""
    z, target = as_operand(input), as_operand(target)
    _check_class_targets("cross_entropy", z, target)
    if reduction not in REDUCTIONS:
        raise ValueError(f"cross_entropy: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    rows = np.arange(z.shape[0])
    log_probs = z.data - _logsumexp(z.data, 1)
    losses = -log_probs[rows, target.data]
    scale = 1.0 / max(z.shape[0], 1) if reduction == "mean" else 1.0
    out = losses if reduction == "none" else np.sum(losses) * scale

    def backward(g):
        grad = np.exp(log_probs)
        grad[rows, target.data] -= 1
        return (grad * (g[:, None] if reduction == "none" else g * scale), None)
    return make_result(np.asarray(out, dtype=z.dtype), (z, target), backward, "cross_entropy")


@differentiable
def nll_loss(input, target, reduction="mean"):
    """L_i = -input_i[y_i] for log-probabilities `input` (N, C);  dL/dinput = -onehot(y) (/ N for the mean)."""
    logp, target = as_operand(input), as_operand(target)
    _check_class_targets("nll_loss", logp, target)
    picked = logp[np.arange(logp.shape[0]), target.data]
    return _reduce("nll_loss", -picked, reduction)
