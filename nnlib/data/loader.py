"""DataLoader: iterate over a dataset in mini-batches, optionally reshuffled every epoch.

Each batch is built from the dataset's samples by stacking each field along a new first dimension
and wrapping it as an nnlib Tensor, like PyTorch's default_collate. For a TensorDataset (or a Subset
of one) the batch is read by indexing its arrays with all the batch's indices at once, which avoids
a Python loop over samples.
"""
import numpy as np

from ..tensor import Tensor
from .dataset import Subset, TensorDataset


def _as_array(value):
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def default_collate(samples):
    """Stack a list of samples: tuples give a tuple of batched Tensors, single values one Tensor."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(Tensor(np.stack([_as_array(s[k]) for s in samples])) for k in range(len(first)))
    return Tensor(np.stack([_as_array(s) for s in samples]))


def _fetch(dataset, indices):
    """The batch at `indices`: one fancy-indexing per array for TensorDatasets, a loop otherwise."""
    if isinstance(dataset, TensorDataset):
        return tuple(Tensor(t.data[indices]) for t in dataset.tensors)
    if isinstance(dataset, Subset):
        return _fetch(dataset.dataset, dataset.indices[indices])
    return default_collate([dataset[int(i)] for i in indices])


class DataLoader:
    """Mini-batches of `dataset`, with PyTorch's arguments.

    shuffle=True draws a fresh permutation every epoch (every `iter(loader)`) from one NumPy
    Generator seeded once with `seed`, so two loaders built with the same seed yield the same
    batches epoch after epoch. drop_last=True drops the final incomplete batch.
    len(loader) = floor(N / batch_size) with drop_last, ceil(N / batch_size) without.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size should be a positive integer, got {batch_size!r}")
        self.dataset, self.batch_size = dataset, int(batch_size)
        self.shuffle, self.drop_last, self.seed = shuffle, drop_last, seed
        self.generator = np.random.default_rng(seed)

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = self.generator.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            yield _fetch(self.dataset, order[start:start + self.batch_size])

    def __repr__(self):
        return (f"DataLoader(batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last}, "
                f"seed={self.seed}, samples={len(self.dataset)})")
