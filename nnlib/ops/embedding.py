"""Embedding lookup: rows of a table picked by integer ids (the op behind nnlib.nn.Embedding)."""
import numpy as np

from ..autograd import differentiable
from ..tensor import make_result
from ._common import as_operand


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
    input, weight = as_operand(input), as_operand(weight)
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

    # backward reads no weight values, only the indices (not a parent: they get no gradient); as torch,
    # changing the indices in place before backward is an error instead of a wrong gradient
    return make_result(weight.data[indices], (weight,), backward, "embedding", saved=(input,))
