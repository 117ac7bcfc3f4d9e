"""SGD: stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""
from .optimizer import Optimizer


class SGD(Optimizer):
    r"""Stochastic gradient descent, with torch.optim.SGD's exact update. For each parameter p with
    gradient g, learning rate lr, momentum mu, dampening tau and weight decay lambda:

        g <- g + lambda p                       (if weight_decay != 0)
        b <- g                                  (first step)
        b <- mu b + (1 - tau) g                 (later steps; if momentum != 0)
        g <- g + mu b   if nesterov   else   g <- b
        p <- p - lr g

    b is the momentum buffer, state['momentum_buffer']. Nesterov momentum looks one step ahead:
    it adds the momentum to the current gradient instead of stepping along the buffer alone.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)
        super().__init__(params, defaults)

    def _check_options(self, group):
        super()._check_options(group)
        if group["momentum"] < 0:
            raise ValueError(f"Invalid momentum value: {group['momentum']} (expected momentum >= 0)")
        if group["weight_decay"] < 0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']} (expected weight_decay >= 0)")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening, "
                             f"but got momentum={group['momentum']} and dampening={group['dampening']}")

    def _update(self, p, grad, group):
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        if weight_decay != 0:
            grad = grad + weight_decay * p.data  # a new array: p.grad itself is left as backward() made it
        if momentum != 0:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.copy()
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * grad
            grad = grad + momentum * buf if group["nesterov"] else buf
        p.data -= group["lr"] * grad
