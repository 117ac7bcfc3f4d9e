"""Attention: scaled dot-product attention (a function) and multi-head attention (a layer), as in PyTorch.

Both are built from ops nnlib already differentiates (matmul, softmax, add, where, reshape), so
their backward needs no new formula: the graph of those ops is the backward.

Masks come in two conventions, both PyTorch's, and they are opposite for boolean masks:
- scaled_dot_product_attention(attn_mask=...): True means "takes part" (may be attended to);
- MultiheadAttention(attn_mask=..., key_padding_mask=...): True means "ignore".
A float mask is added to the scores in both (use -inf to block a position).
"""
import math

import numpy as np

from .. import ops
from ..tensor import Tensor, as_tensor
from . import init
from .dropout import _check_p, dropout
from .linear import Linear
from .module import Module
from .parameter import Parameter


def _attention(query, key, value, mask, dropout_p, scale):
    """softmax(Q K^T * scale + M) V and the attention weights; `mask` M is None or an additive float tensor."""
    scores = ops.matmul(query, ops.transpose(key, -2, -1)) * scale
    if mask is not None:
        scores = scores + mask
    # A query whose every key is masked would get softmax of all -inf = nan; like torch's
    # scaled_dot_product_attention, it attends to nothing instead (weights 0, output 0).
    blocked = np.all(np.isneginf(scores.data), axis=-1, keepdims=True)
    if blocked.any():
        scores = ops.where(blocked, 0.0, scores)
    weights = ops.softmax(scores, -1)
    if blocked.any():
        weights = ops.where(blocked, 0.0, weights)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return ops.matmul(weights, value), weights


def _additive(mask, dtype, blocked_value, name):
    """A float mask to add to the scores: a bool mask becomes 0 / -inf (-inf where mask == blocked_value)."""
    mask = as_tensor(mask)
    if mask.dtype == np.bool_:
        return Tensor._wrap(np.where(mask.data == blocked_value, -np.inf, 0.0).astype(dtype))
    if mask.dtype.kind != "f":
        raise TypeError(f"{name}: only bool and floating-point masks are supported, got dtype {mask.dtype}")
    return mask


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k) + M) V

    query (..., L, E), key (..., S, E), value (..., S, E_v) -> output (..., L, E_v); the leading (batch,
    head) dimensions broadcast. d_k = E unless `scale` (which replaces 1 / sqrt(d_k)) is given.
    M comes from attn_mask, broadcastable to (..., L, S): a bool mask where True means "takes part"
    (M = 0) and False means "masked" (M = -inf), or a float mask that is added as it is.
    is_causal=True masks the future: query i attends only to keys j <= i.
    dropout_p > 0 applies dropout to the attention weights (always, as torch.nn.functional does).
    """
    query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
    name = "scaled_dot_product_attention"
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise ValueError(f"{name}: query, key and value need at least 2 dimensions (..., length, features), got shapes "
                         f"{tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(f"{name}: query and key must have the same number of features (last dimension), got "
                         f"shapes {tuple(query.shape)} and {tuple(key.shape)}")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"{name}: key and value must have the same length (dimension -2), got shapes "
                         f"{tuple(key.shape)} and {tuple(value.shape)}")
    _check_p(name, dropout_p)
    L, S = query.shape[-2], key.shape[-2]
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{name}: give either attn_mask or is_causal=True, not both")
        attn_mask = Tensor(np.tril(np.ones((L, S), dtype=bool)))  # query i sees keys 0..i
    mask = None
    if attn_mask is not None:
        mask = _additive(attn_mask, query.dtype, False, name)
        scores_shape = np.broadcast_shapes(query.shape[:-2], key.shape[:-2]) + (L, S)
        try:
            fits = np.broadcast_shapes(mask.shape, scores_shape) == scores_shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"{name}: attn_mask of shape {tuple(mask.shape)} does not broadcast to the attention "
                             f"scores' shape {scores_shape} (..., L, S)")
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    output, _ = _attention(query, key, value, mask, dropout_p, scale)
    return output


class MultiheadAttention(Module):
    """Multi-head attention:  MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O,
    head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V), with Attention as in scaled_dot_product_attention.

    The three input projections are stacked in in_proj_weight (3 E, E) = [W^Q; W^K; W^V] (each head
    uses a slice of E / num_heads rows) and in_proj_bias (3 E); out_proj is a Linear(E, E). Names,
    shapes and initialisation (Xavier-uniform in_proj_weight, zero biases) are PyTorch's.

    Inputs are (L, N, E) or, with batch_first=True, (N, L, E), or (L, E) for a single sequence.
    A query whose every key is masked attends to nothing (weights 0), as in PyTorch's need_weights=False
    path; PyTorch's need_weights=True path returns nan for it instead.
    PyTorch's add_bias_kv, add_zero_attn, kdim and vdim are not offered, so batch_first is keyword-only
    here (in PyTorch it comes after them).
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, *, batch_first=False, dtype=np.float32):
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})")
        _check_p("MultiheadAttention", dropout)
        self.embed_dim, self.num_heads, self.dropout, self.batch_first = embed_dim, num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        self.in_proj_weight = init.xavier_uniform_(Parameter(np.empty((3 * embed_dim, embed_dim), dtype=dtype)))
        self.in_proj_bias = init.zeros_(Parameter(np.empty(3 * embed_dim, dtype=dtype))) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if bias:
            init.zeros_(self.out_proj.bias)

    def _check_inputs(self, query, key, value, key_padding_mask, attn_mask):
        """Shapes as PyTorch accepts them; returns whether the input is batched."""
        me = f"MultiheadAttention(embed_dim={self.embed_dim})"
        layout = "(N, L, E)" if self.batch_first else "(L, N, E)"
        if query.ndim not in (2, 3):
            raise ValueError(f"{me}: expected query of shape {layout} or (L, E), got shape {tuple(query.shape)}")
        for which, t in (("query", query), ("key", key), ("value", value)):
            if t.ndim != query.ndim or t.shape[-1] != self.embed_dim:
                raise ValueError(f"{me}: expected {which} with {query.ndim} dimensions and {self.embed_dim} features in "
                                 f"its last one, got shape {tuple(t.shape)} (query has shape {tuple(query.shape)})")
        if key.shape != value.shape:
            raise ValueError(f"{me}: key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")
        batch_dim = 0 if self.batch_first else 1
        if query.ndim == 3 and key.shape[batch_dim] != query.shape[batch_dim]:
            raise ValueError(f"{me}: query and key have batch sizes {query.shape[batch_dim]} and {key.shape[batch_dim]} "
                             f"(shapes {tuple(query.shape)} and {tuple(key.shape)})")
        if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
            raise ValueError(f"{me}: expected key_padding_mask of shape {'(N, S)' if query.ndim == 3 else '(S,)'}, "
                             f"got shape {tuple(key_padding_mask.shape)}")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise ValueError(f"{me}: expected attn_mask of shape (L, S) or (N * num_heads, L, S), got shape "
                             f"{tuple(attn_mask.shape)}")
        return query.ndim == 3

    def _combined_mask(self, attn_mask, key_padding_mask, N, L, S, dtype):
        """attn_mask and key_padding_mask as one additive mask broadcastable to the scores (N, H, L, S)."""
        me = f"MultiheadAttention(embed_dim={self.embed_dim})"
        mask = None
        if attn_mask is not None:
            expected = (L, S) if attn_mask.ndim == 2 else (N * self.num_heads, L, S)
            if tuple(attn_mask.shape) != expected:
                raise ValueError(f"{me}: expected a {attn_mask.ndim}D attn_mask of shape {expected}, "
                                 f"got {tuple(attn_mask.shape)}")
            # (L, S) is shared by every sequence and head; (N * H, L, S) holds one mask per sequence and head
            scores_layout = (1, 1, L, S) if attn_mask.ndim == 2 else (N, self.num_heads, L, S)
            mask = ops.reshape(_additive(attn_mask, dtype, True, me), scores_layout)
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (N, S):
                raise ValueError(f"{me}: expected key_padding_mask of shape (N, S) = {(N, S)}, "
                                 f"got {tuple(key_padding_mask.shape)}")
            padding = ops.reshape(_additive(key_padding_mask, dtype, True, me), (N, 1, 1, S))
            mask = padding if mask is None else mask + padding
        return mask

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """Returns (output shaped like query, attention weights or None). The weights are (N, L, S),
        averaged over heads, or (N, num_heads, L, S) with average_attn_weights=False.

        key_padding_mask (N, S): True (or -inf) marks keys to ignore, e.g. padding. attn_mask (L, S) or
        (N * num_heads, L, S): True (or -inf) marks pairs that may not attend. is_causal is PyTorch's hint
        that attn_mask is the causal mask; like PyTorch, it needs that mask to be given.
        """
        query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
        key_padding_mask = None if key_padding_mask is None else as_tensor(key_padding_mask)
        attn_mask = None if attn_mask is None else as_tensor(attn_mask)
        if is_causal and attn_mask is None:
            raise ValueError("MultiheadAttention: is_causal=True is a hint that attn_mask is the causal mask, so attn_mask "
                             "must be given too (as in PyTorch), e.g. a bool (L, L) mask that is True above the diagonal")
        batched = self._check_inputs(query, key, value, key_padding_mask, attn_mask)
        if not batched:  # one sequence: a batch of one, batch first
            query, key, value = ops.unsqueeze(query, 0), ops.unsqueeze(key, 0), ops.unsqueeze(value, 0)
            key_padding_mask = None if key_padding_mask is None else ops.unsqueeze(key_padding_mask, 0)
        elif not self.batch_first:  # work in (N, L, E)
            query, key, value = (ops.transpose(t, 0, 1) for t in (query, key, value))
        (N, L, E), S, H = query.shape, key.shape[1], self.num_heads
        mask = self._combined_mask(attn_mask, key_padding_mask, N, L, S, query.dtype)

        w, b = self.in_proj_weight, self.in_proj_bias
        heads = []
        for i, x in enumerate((query, key, value)):  # project with rows [iE, (i+1)E) of the stacked weight
            projected = ops.linear(x, w[i * E:(i + 1) * E], None if b is None else b[i * E:(i + 1) * E])
            heads.append(ops.transpose(ops.reshape(projected, (N, -1, H, self.head_dim)), 1, 2))  # (N, H, length, E/H)
        out, weights = _attention(*heads, mask, self.dropout if self.training else 0.0, 1.0 / math.sqrt(self.head_dim))
        out = self.out_proj(ops.reshape(ops.transpose(out, 1, 2), (N, L, E)))  # concatenate the heads, then W^O

        if not batched:
            out = ops.reshape(out, (L, E))
        elif not self.batch_first:
            out = ops.transpose(out, 0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = ops.mean(weights, dim=1)
        return out, (ops.reshape(weights, weights.shape[1:]) if not batched else weights)
