"""The Transformer encoder block: self-attention and a feed-forward network, each inside a residual
connection with LayerNorm, as torch.nn.TransformerEncoderLayer (same arguments, submodules and keys)."""
import numpy as np

from .. import ops
from ..tensor import as_tensor
from .attention import MultiheadAttention
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm


class TransformerEncoderLayer(Module):
    """One encoder block. With SA(x) = self_attn(x, x, x) and FFN(x) = linear2(dropout(activation(linear1(x)))):

    Post-LN (norm_first=False, the original Transformer):
        x = norm1(x + dropout1(SA(x)))
        x = norm2(x + dropout2(FFN(x)))
    Pre-LN (norm_first=True, easier to train when deep):
        x = x + dropout1(SA(norm1(x)))
        x = x + dropout2(FFN(norm2(x)))

    activation is 'relu' or a callable (such as nnlib.relu or a Module); src is (S, N, E), or (N, S, E)
    with batch_first=True, or (S, E).
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, dtype=np.float32):
        super().__init__()
        if isinstance(activation, str):
            if activation != "relu":
                raise ValueError(f"TransformerEncoderLayer: activation should be 'relu' or a callable, got {activation!r} "
                                 "(nnlib has no built-in gelu; pass your own function of nnlib ops)")
            activation = ops.relu
        elif not callable(activation):
            raise TypeError(f"TransformerEncoderLayer: activation should be 'relu' or a callable, got {type(activation).__name__}")
        self.d_model = d_model
        # assigned in PyTorch's order, which is the order of the state_dict keys
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = activation

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        """src_mask (S, S): True (or -inf) where position i may not attend to j; src_key_padding_mask (N, S):
        True (or -inf) for padding; is_causal: PyTorch's hint that src_mask is the causal mask (give both)."""
        x = as_tensor(src)
        if x.ndim not in (2, 3) or x.shape[-1] != self.d_model:
            raise ValueError(f"TransformerEncoderLayer(d_model={self.d_model}): expected src with {self.d_model} features "
                             f"in its last dimension (2 or 3 dimensions), got shape {tuple(x.shape)}")
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x
