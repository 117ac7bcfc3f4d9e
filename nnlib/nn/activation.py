"""Activation functions as modules, so they can sit in a Sequential."""
from .. import ops
from .module import Module


class ReLU(Module):
    def forward(self, x):
        return ops.relu(x)


class Sigmoid(Module):
    def forward(self, x):
        return ops.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return ops.tanh(x)


class Softmax(Module):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return ops.softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, x):
        return ops.log_softmax(x, self.dim)
