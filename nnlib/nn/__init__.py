"""nnlib.nn: layers and models, shaped like torch.nn (same names, arguments and state_dict keys)."""
from . import functional, init  # noqa: F401
from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Tanh  # noqa: F401
from .container import ModuleList, Sequential  # noqa: F401
from .conv import AdaptiveAvgPool2d, AvgPool2d, Conv2d, MaxPool2d  # noqa: F401
from .linear import Flatten, Identity, Linear  # noqa: F401
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss  # noqa: F401
from .module import Module  # noqa: F401
from .attention import MultiheadAttention  # noqa: F401
from .dropout import Dropout  # noqa: F401
from .embedding import Embedding  # noqa: F401
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm  # noqa: F401
from .transformer import TransformerEncoderLayer  # noqa: F401
from .parameter import Parameter  # noqa: F401
from .rnn import GRU, LSTM, RNN  # noqa: F401
from . import utils  # noqa: F401
