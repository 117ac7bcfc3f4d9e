"""nnlib.utils.data, as torch.utils.data: `from nnlib.utils.data import DataLoader, TensorDataset` works.

The code lives in nnlib/data/ (with the course's embedded datasets); this module is its PyTorch name.
"""
from ..data.dataset import Dataset, Subset, TensorDataset, random_split  # noqa: F401
from ..data.loader import DataLoader, default_collate  # noqa: F401

__all__ = ["Dataset", "Subset", "TensorDataset", "random_split", "DataLoader", "default_collate"]
