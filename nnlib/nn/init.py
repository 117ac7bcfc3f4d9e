"""Weight initialisation, with PyTorch's default schemes (drawn from nnlib's seeded generator)."""
import math

import numpy as np

from ..autograd import no_grad
from ..tensor import default_generator


def uniform_(tensor, a=0.0, b=1.0):
    with no_grad():
        tensor.data[...] = default_generator().uniform(a, b, size=tensor.shape)
    return tensor


def normal_(tensor, mean=0.0, std=1.0):
    with no_grad():
        tensor.data[...] = default_generator().normal(mean, std, size=tensor.shape)
    return tensor


def zeros_(tensor):
    tensor.data[...] = 0
    return tensor


def ones_(tensor):
    tensor.data[...] = 1
    return tensor


def fan_in_and_fan_out(shape):
    """fan_in = inputs feeding one output unit (in_features, or C_in k_h k_w for a conv kernel)."""
    receptive_field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive_field, shape[0] * receptive_field


def default_uniform_(tensor, fan_in):
    """PyTorch's default for Linear, Conv and RNN weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    (For weights PyTorch writes it as kaiming_uniform_ with a = sqrt(5), which is the same bound.)
    """
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return uniform_(tensor, -bound, bound)


def kaiming_uniform_(tensor, nonlinearity="relu"):
    """He initialisation: U(-b, b) with b = gain sqrt(3 / fan_in), gain = sqrt(2) for ReLU."""
    gain = math.sqrt(2.0) if nonlinearity == "relu" else 1.0
    bound = gain * math.sqrt(3.0 / fan_in_and_fan_out(tensor.shape)[0])
    return uniform_(tensor, -bound, bound)


def xavier_uniform_(tensor, gain=1.0):
    """Glorot initialisation: U(-b, b) with b = gain sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(tensor.shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)
