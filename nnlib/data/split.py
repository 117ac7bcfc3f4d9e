"""Train / validation / test splits, plain or stratified (each split keeps the class proportions)."""
import numpy as np

from ..tensor import Tensor


def _take(array, indices):
    """array[indices] for NumPy arrays and nnlib Tensors alike, keeping the type."""
    return Tensor(array.data[indices]) if isinstance(array, Tensor) else np.asarray(array)[indices]


def _largest_remainder(quotas, total, room):
    """Integer counts summing to `total`, each floor(quota) or floor(quota) + 1 and at most `room`."""
    counts = np.floor(quotas).astype(np.int64)
    leftover = total - counts.sum()
    # hand the leftover units to the largest fractional parts among classes with room to spare
    # (stable sort: ties go to the first class)
    order = [c for c in np.argsort(-(quotas - counts), kind="stable") if counts[c] < room[c]]
    counts[order[:leftover]] += 1
    return counts


def train_val_test_split(*arrays, val_fraction, test_fraction, seed, stratify=None):
    """Shuffle the samples once and cut them into train, validation and test parts.

    Returns, for each array in order, (train, val, test), like scikit-learn's train_test_split:
        X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(X, y, ...)
    Sizes: n_test = ceil(test_fraction * N), n_val = ceil(val_fraction * N), the rest is train.
    With stratify=labels, each class c (N_c samples) gives about N_c * fraction samples to each split
    (within one sample), and the totals are the same as without stratification.
    """
    if not arrays:
        raise ValueError("train_val_test_split needs at least one array")
    n = len(arrays[0])
    lengths = [len(a) for a in arrays]
    if any(length != n for length in lengths):
        raise ValueError(f"train_val_test_split: every array needs the same number of samples, got {lengths}")
    for name, f in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0 <= f < 1:
            raise ValueError(f"train_val_test_split: {name} must be in [0, 1), got {f}")
    n_test, n_val = int(np.ceil(test_fraction * n)), int(np.ceil(val_fraction * n))
    if n_test + n_val >= n:
        raise ValueError(f"train_val_test_split: val_fraction={val_fraction} and test_fraction={test_fraction} "
                         f"leave no training samples out of {n}")
    rng = np.random.default_rng(seed)
    if stratify is None:
        order = rng.permutation(n)
        test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
    else:
        labels = stratify.data if isinstance(stratify, Tensor) else np.asarray(stratify)
        if labels.shape != (n,):
            raise ValueError(f"train_val_test_split: stratify must have shape ({n},), got {labels.shape}")
        classes, class_of = np.unique(labels, return_inverse=True)
        members = [rng.permutation(np.flatnonzero(class_of == c)) for c in range(len(classes))]
        sizes = np.array([len(m) for m in members])
        test_counts = _largest_remainder(sizes * n_test / n, n_test, sizes)
        val_counts = _largest_remainder(sizes * n_val / n, n_val, sizes - test_counts)
        test = np.concatenate([m[:t] for m, t in zip(members, test_counts)])
        val = np.concatenate([m[t:t + v] for m, t, v in zip(members, test_counts, val_counts)])
        train = np.concatenate([m[t + v:] for m, t, v in zip(members, test_counts, val_counts)])
        test, val, train = rng.permutation(test), rng.permutation(val), rng.permutation(train)  # mix the classes
    return [part for a in arrays for part in (_take(a, train), _take(a, val), _take(a, test))]
