"""Parameter: a tensor that a Module registers as something to train."""
import numpy as np

from ..tensor import Tensor, to_array


class Parameter(Tensor):
    """A leaf tensor that always requires grad; assigning one to a Module attribute registers it."""

    __slots__ = ()

    def __init__(self, data, requires_grad=True):
        super().__init__(np.array(to_array(data)), requires_grad=requires_grad)  # its own copy

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
