"""RMSprop: divide each gradient by a running root-mean-square of its recent values."""
import numpy as np

from .optimizer import Optimizer


class RMSprop(Optimizer):
    r"""RMSprop, with torch.optim.RMSprop's exact update. For each parameter p with gradient g,
    learning rate lr, smoothing constant alpha, momentum mu and weight decay lambda
    (v, g_avg and b start at zero):

        g     <- g + lambda p                            (if weight_decay != 0)
        v     <- alpha v + (1 - alpha) g^2               (state['square_avg'])
        g_avg <- alpha g_avg + (1 - alpha) g             (if centered; state['grad_avg'])
        v~    <- v - g_avg^2   if centered   else   v    (centered: a running variance of g)
        b     <- mu b + g / (sqrt(v~) + eps)             (if momentum > 0; state['momentum_buffer'])
        p     <- p - lr b   if momentum > 0   else   p <- p - lr g / (sqrt(v~) + eps)

    Each coordinate gets its own step size: large where gradients are large, small where they are
    small. eps is added outside the square root, as in torch.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _check_options(self, group):
        super()._check_options(group)
        for name in ("eps", "momentum", "weight_decay", "alpha"):
            if group[name] < 0:
                raise ValueError(f"Invalid {name} value: {group[name]} (expected {name} >= 0)")

    def _update(self, p, grad, group):
        alpha, momentum = group["alpha"], group["momentum"]
        state = self.state[p]
        if not state:
            state["step"] = np.array(0.0)  # a 0-d array, so that state_dict() holds arrays only (torch: a tensor)
            state["square_avg"] = np.zeros_like(p.data)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(p.data)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p.data)
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p.data
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (grad - grad_avg)  # = alpha g_avg + (1 - alpha) g, as torch's lerp_
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += group["eps"]
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += grad / avg
            p.data -= group["lr"] * buf
        else:
            p.data -= group["lr"] * grad / avg
