"""Embedding: a lookup table that turns integer ids (words, characters, items) into learned vectors."""
import numpy as np

from ..ops.embedding import embedding
from . import init
from .module import Module
from .parameter import Parameter


class Embedding(Module):
    """A (num_embeddings, embedding_dim) table of vectors, initialised N(0, 1) like PyTorch.

    Row padding_idx (negative counts from the end) starts at zero and receives no gradient, so the id
    used to pad short sequences to a common length contributes nothing.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, dtype=np.float32):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be within num_embeddings={num_embeddings} "
                                 f"(from {-num_embeddings} to {num_embeddings - 1}), got {padding_idx}")
            padding_idx %= num_embeddings
        self.padding_idx = padding_idx
        self.weight = init.normal_(Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype)))
        if padding_idx is not None:
            self.weight.data[padding_idx] = 0

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
