"""nnlib.data: datasets, splits, mini-batch loading, standardisation, augmentation, and the course's
embedded datasets and file readers. Shaped like torch.utils.data (Dataset, TensorDataset,
DataLoader, random_split) so that a training loop moves to PyTorch by changing the import."""
from .augment import Compose, GaussianNoise, RandomHorizontalFlip, RandomShift
from .dataset import Dataset, Subset, TensorDataset, random_split
from .datasets import (ADDITION_VOCAB, BRACKET_VOCAB, Vocabulary, is_balanced, load_digits, load_text_corpus,
                       make_addition_task, make_bracket_task, make_circles, make_copy_task, make_low_rank_ratings,
                       make_moons, make_spirals, make_teacher_student, stdlib_source_files)
from .loader import DataLoader, default_collate
from .preprocessing import StandardScaler
from .readers import load_cifar10_batch, read_idx
from .split import train_val_test_split
