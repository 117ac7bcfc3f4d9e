"""nnlib.nn.functional: the stateless forms of the layers, named and called as in torch.nn.functional."""
from ..ops import (gelu, leaky_relu, linear, log_softmax, one_hot, pad, relu, sigmoid, silu, softmax,  # noqa: F401
                   tanh)
from ..ops.losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,  # noqa: F401
                          l1_loss, mse_loss, nll_loss)
from ..ops.conv import adaptive_avg_pool2d, avg_pool2d, conv2d, max_pool2d  # noqa: F401
from ..ops.normalization import batch_norm, layer_norm  # noqa: F401
from .attention import scaled_dot_product_attention  # noqa: F401
from .dropout import dropout  # noqa: F401
from ..ops.embedding import embedding  # noqa: F401
from ..ops.recurrent import gru_cell, lstm_cell  # noqa: F401
