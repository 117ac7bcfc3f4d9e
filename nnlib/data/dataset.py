"""Datasets: an indexable collection of samples, as in torch.utils.data.

A Dataset answers len(ds) and ds[i]; TensorDataset wraps arrays whose first dimension is the sample
index; Subset views part of another dataset; random_split cuts a dataset into disjoint Subsets.
"""
import math

import numpy as np

from ..tensor import Tensor


class Dataset:
    """Base class: subclasses define __len__ and __getitem__(i) returning one sample (often a tuple)."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Sample i is (t[i] for t in tensors). Arrays are wrapped as nnlib Tensors, keeping their dtype."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one array or tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        sizes = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in sizes or len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: every array needs the same first dimension (the sample index), "
                             f"got shapes {[tuple(t.shape) for t in self.tensors]}")

    def __getitem__(self, index):
        return tuple(Tensor(t.data[index]) for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, seed=None, generator=None):
    """Split `dataset` into disjoint random Subsets of the given lengths (as torch.utils.data.random_split).

    The order comes from `seed` if given, else from `generator` (a NumPy Generator), else from
    nnlib's own generator (seeded by nnlib.manual_seed, as torch's default generator).

    `lengths` are counts summing to len(dataset), or fractions summing to 1: then each gets
    floor(fraction * n) and the remainder goes one by one to the first subsets, as in PyTorch.
    """
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1 and all(isinstance(f, float) for f in lengths):
        if any(f < 0 for f in lengths):
            raise ValueError(f"random_split: fractions must be non-negative, got {list(lengths)}")
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(int(l) != l or l < 0 for l in lengths) or sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal the length of "
                         f"the input dataset ({n}); lengths were {list(lengths)}")
    if seed is not None:
        generator = np.random.default_rng(seed)
    elif generator is None:
        from ..tensor import default_generator
        generator = default_generator()
    order = generator.permutation(n)
    ends = np.cumsum(lengths)
    return [Subset(dataset, order[end - length:end]) for length, end in zip(lengths, ends)]
