"""Adam and AdamW: momentum and RMSprop's per-coordinate scaling, with bias correction."""
import numpy as np

from .optimizer import Optimizer


class Adam(Optimizer):
    r"""Adam, with torch.optim.Adam's exact update: the correct algorithm, with bias correction
    (the course's source documents omit the correction; without it the first steps are far too small).
    For each parameter p with gradient g at step t = 1, 2, ..., learning rate lr, betas (beta1, beta2)
    and weight decay lambda (m and v start at zero):

        g   <- g + lambda p                  (if weight_decay != 0; AdamW decays p instead, see below)
        m   <- beta1 m + (1 - beta1) g       (state['exp_avg']: the first moment, momentum)
        v   <- beta2 v + (1 - beta2) g^2     (state['exp_avg_sq']: the second moment, as RMSprop)
        m^  =  m / (1 - beta1^t)             (bias correction: m and v start at zero,
        v^  =  v / (1 - beta2^t)              so early averages are too small by these factors)
        p   <- p - lr m^ / (sqrt(v^) + eps)  (eps outside the square root, as in torch)

    With decoupled_weight_decay=True (what AdamW sets) the decay acts on the parameter, not the gradient:
    p <- p (1 - lr lambda) first, and g is left alone, so the decay is not rescaled by 1 / sqrt(v^).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *, decoupled_weight_decay=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_options(self, group):
        super()._check_options(group)
        if group["eps"] < 0:
            raise ValueError(f"Invalid epsilon value: {group['eps']} (expected eps >= 0)")
        for i, beta in enumerate(group["betas"]):
            if not 0 <= beta < 1:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta} (expected 0 <= beta < 1)")
        if group["weight_decay"] < 0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']} (expected weight_decay >= 0)")

    def _update(self, p, grad, group):
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        state = self.state[p]
        if not state:
            state["step"] = np.array(0.0)  # a 0-d array, so that state_dict() holds arrays only (torch: a tensor)
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p.data *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * p.data  # a new array: p.grad itself is left as backward() made it
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - beta1) * (grad - m)  # = beta1 m + (1 - beta1) g, written as torch's lerp_
        v *= beta2
        v += (1 - beta2) * grad * grad
        t = float(state["step"])
        bias_correction1 = 1 - beta1 ** t
        bias_correction2 = 1 - beta2 ** t
        denom = np.sqrt(v) / np.sqrt(bias_correction2) + group["eps"]
        p.data -= (lr / bias_correction1) * m / denom


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW.

        p <- p (1 - lr lambda)               (decay the weights directly; the default lambda is 1e-2)
        then Adam's update of m, v and p with the undecayed gradient g (see Adam).

    In Adam with weight_decay, the decay term lambda p is divided by sqrt(v^) like the gradient, so
    weights with large gradients are barely decayed; here every weight shrinks by the same factor.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay, decoupled_weight_decay=True)
