"""nnlib.nn: layers and models, shaped like torch.nn (same names, arguments and state_dict keys)."""
from . import functional, init  # noqa: F401
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh  # noqa: F401
from .container import ModuleList, Sequential  # noqa: F401
from .linear import Flatten, Identity, Linear  # noqa: F401
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss  # noqa: F401
from .module import Module  # noqa: F401
from .parameter import Parameter  # noqa: F401
