"""Embedding: a lookup table that turns integer ids (words, characters, items) into learned vectors."""
import numpy as np

from ..autograd import differentiable
from ..tensor import make_result
from ..ops._common import as_tensor
from . import init
from .module import Module
from .parameter import Parameter


def _check_indices(input, num_embeddings):
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {input.dtype} (use .to(nnlib.int64))")
    bad = np.argwhere((input.data < 0) | (input.data >= num_embeddings))
    if bad.size:
        position = tuple(int(i) for i in bad[0])
        raise IndexError(f"embedding: index {int(input.data[position])} at position {position} is out of range "
                         f"for num_embeddings={num_embeddings} (valid: 0 to {num_embeddings - 1}); "
                         f"{len(bad)} indices are out of range")


@differentiable
def embedding(input, weight, padding_idx=None):
    """y[..., :] = weight[input[...], :]: row i of weight for every index i in `input` (any shape);
    dL/dweight[i] = sum of dL/dy over the positions where input == i, and 0 for row padding_idx.

    The backward adds (np.add.at) rather than assigns, so an id used twice gets both gradients.
    """
    input, weight = as_tensor(input), as_tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must have shape (num_embeddings, embedding_dim), got {tuple(weight.shape)}")
    _check_indices(input, weight.shape[0])
    if padding_idx is not None and not -weight.shape[0] <= padding_idx < weight.shape[0]:
        raise ValueError(f"embedding: padding_idx must be within num_embeddings={weight.shape[0]}, got {padding_idx}")
    indices = input.data

    def backward(g):
        grad = np.zeros_like(weight.data)
        np.add.at(grad, indices, g)
        if padding_idx is not None:
            grad[padding_idx] = 0  # the padding vector stays what it is (zeros by default)
        return (grad,)
    return make_result(weight.data[indices], (weight,), backward, "embedding")


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
