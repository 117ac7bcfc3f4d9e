"""Loss modules, thin wrappers over nnlib.nn.functional (the formulas are in nnlib/ops/losses.py)."""
from ..ops import losses
from .module import Module


class _Loss(Module):
    function = None

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, input, target):
        return type(self).function(input, target, reduction=self.reduction)

    def extra_repr(self):
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class MSELoss(_Loss):
    function = staticmethod(losses.mse_loss)


class L1Loss(_Loss):
    function = staticmethod(losses.l1_loss)


class BCELoss(_Loss):
    function = staticmethod(losses.binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    function = staticmethod(losses.binary_cross_entropy_with_logits)


class CrossEntropyLoss(_Loss):
    function = staticmethod(losses.cross_entropy)


class NLLLoss(_Loss):
    function = staticmethod(losses.nll_loss)
