"""nnlib.data: loaders, splits, the scaler (vs scikit-learn), augmentation, embedded datasets, file readers."""
import gzip
import itertools
import pickle
import sys

import numpy as np
import pytest
import torch
from sklearn.preprocessing import StandardScaler as SkStandardScaler

import nnlib
from nnlib import data
from nnlib.data import (ADDITION_VOCAB, BRACKET_VOCAB, Compose, DataLoader, Dataset, GaussianNoise,
                        RandomHorizontalFlip, RandomShift, StandardScaler, Subset, TensorDataset, Vocabulary)


# ---- DataLoader ---------------------------------------------------------------------------------

def toy(n=10):
    X = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    return X, np.arange(n, dtype=np.int64)


def test_batches_are_tuples_of_tensors_in_order_without_shuffle():
    X, y = toy(10)
    batches = list(DataLoader(TensorDataset(X, y), batch_size=4))
    assert [tuple(b[0].shape) for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert all(isinstance(b, tuple) and all(isinstance(t, nnlib.Tensor) for t in b) for b in batches)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64
    np.testing.assert_array_equal(np.concatenate([b[0].data for b in batches]), X)
    np.testing.assert_array_equal(batches[2][1].data, [8, 9])


@pytest.mark.parametrize("n, batch_size", [(10, 4), (12, 4), (3, 5), (1, 1), (7, 1), (0, 3)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_len_counts_the_batches_yielded(n, batch_size, drop_last):
    loader = DataLoader(TensorDataset(*toy(n)), batch_size=batch_size, shuffle=True, drop_last=drop_last, seed=0)
    sizes = [len(b[0]) for b in loader]
    assert len(loader) == len(sizes) == (n // batch_size if drop_last else -(-n // batch_size))
    assert all(s == batch_size for s in sizes[:-1] if sizes)
    assert sum(sizes) == (n - n % batch_size if drop_last else n)


def test_same_seed_same_batches_and_a_new_permutation_every_epoch():
    ds = TensorDataset(*toy(20))
    a, b = DataLoader(ds, batch_size=6, shuffle=True, seed=3), DataLoader(ds, batch_size=6, shuffle=True, seed=3)
    epochs_a = [[bt[1].data for bt in a] for _ in range(3)]
    epochs_b = [[bt[1].data for bt in b] for _ in range(3)]
    for ea, eb in zip(epochs_a, epochs_b):
        for ba, bb in zip(ea, eb):
            np.testing.assert_array_equal(ba, bb)
    orders = [np.concatenate(e) for e in epochs_a]
    assert all(sorted(o) == list(range(20)) for o in orders)  # each epoch visits every sample once
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    other = np.concatenate([bt[1].data for bt in DataLoader(ds, batch_size=6, shuffle=True, seed=4)])
    assert not np.array_equal(orders[0], other)


class PairsDataset(Dataset):
    """A map-style dataset returning (array, int), to exercise the generic collate path."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], int(self.y[i])


def test_generic_dataset_and_subset_give_the_same_batches_as_the_fast_path():
    X, y = toy(11)
    fast = list(DataLoader(TensorDataset(X, y), batch_size=3, shuffle=True, seed=1))
    slow = list(DataLoader(PairsDataset(X, y), batch_size=3, shuffle=True, seed=1))
    for (fx, fy), (sx, sy) in zip(fast, slow):
        np.testing.assert_array_equal(fx.data, sx.data)
        np.testing.assert_array_equal(fy.data, sy.data)
        assert sy.dtype == np.int64
    subset = Subset(TensorDataset(X, y), [5, 2, 9])
    (sx, sy), = DataLoader(subset, batch_size=3)
    np.testing.assert_array_equal(sy.data, [5, 2, 9])
    np.testing.assert_array_equal(sx.data, X[[5, 2, 9]])
    assert [int(subset[i][1].item()) for i in range(3)] == [5, 2, 9]


def test_a_dataset_of_single_values_gives_single_tensors():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return float(i * i)

    batches = list(DataLoader(Squares(), batch_size=2))
    assert isinstance(batches[0], nnlib.Tensor) and batches[0].dtype == np.float64
    np.testing.assert_array_equal(batches[2].data, [16.0])


@pytest.mark.parametrize("lengths", [[7, 3], [0.7, 0.3], [0.34, 0.33, 0.33], [5, 0, 5]])
def test_random_split_is_disjoint_covers_everything_and_sizes_like_torch(lengths):
    ds = TensorDataset(*toy(10))
    parts = data.random_split(ds, lengths, seed=0)
    expected = [len(p) for p in torch.utils.data.random_split(range(10), lengths)]
    assert [len(p) for p in parts] == expected
    indices = np.concatenate([p.indices for p in parts])
    assert sorted(indices) == list(range(10))
    again = data.random_split(ds, lengths, seed=0)
    assert all(np.array_equal(p.indices, q.indices) for p, q in zip(parts, again))


def test_loader_and_dataset_errors_are_clear():
    with pytest.raises(ValueError, match=r"same first dimension.*\[\(10, 3\), \(9,\)\]"):
        TensorDataset(toy(10)[0], np.zeros(9))
    with pytest.raises(ValueError, match="batch_size should be a positive integer, got 0"):
        DataLoader(TensorDataset(*toy(3)), batch_size=0)
    with pytest.raises(ValueError, match=r"sum of input lengths \(9\) does not equal the length of the input dataset \(10\)"):
        data.random_split(TensorDataset(*toy(10)), [5, 4], seed=0)


# ---- splits --------------------------------------------------------------------------------------

def test_split_is_disjoint_covers_everything_and_keeps_rows_aligned():
    n = 103
    labels = np.arange(n) % 4
    X = np.arange(n)
    X_tr, X_va, X_te, y_tr, y_va, y_te = data.train_val_test_split(X, labels, val_fraction=0.2, test_fraction=0.1, seed=0)
    assert (len(X_tr), len(X_va), len(X_te)) == (n - 21 - 11, 21, 11)  # ceil(0.2 n), ceil(0.1 n)
    assert sorted(np.concatenate([X_tr, X_va, X_te])) == list(range(n))
    for Xs, ys in ((X_tr, y_tr), (X_va, y_va), (X_te, y_te)):
        np.testing.assert_array_equal(ys, labels[Xs])
    again = data.train_val_test_split(X, val_fraction=0.2, test_fraction=0.1, seed=0)
    np.testing.assert_array_equal(again[0], X_tr)
    assert not np.array_equal(data.train_val_test_split(X, val_fraction=0.2, test_fraction=0.1, seed=1)[0], X_tr)


@pytest.mark.parametrize("seed", range(5))
def test_stratified_split_keeps_class_proportions(seed):
    rng = np.random.default_rng(seed)
    labels = rng.choice(5, size=400, p=[0.5, 0.2, 0.15, 0.1, 0.05])
    X = np.arange(len(labels))
    X_tr, X_va, X_te = data.train_val_test_split(X, val_fraction=0.15, test_fraction=0.25, seed=seed, stratify=labels)
    assert sorted(np.concatenate([X_tr, X_va, X_te])) == list(range(len(labels)))
    assert (len(X_va), len(X_te)) == (60, 100)  # the same sizes as without stratification
    class_sizes = np.bincount(labels, minlength=5)
    for part, fraction in ((X_te, 0.25), (X_va, 0.15), (X_tr, 0.6)):
        counts = np.bincount(labels[part], minlength=5)
        assert np.all(np.abs(counts - fraction * class_sizes) <= 1.0 + 1e-9), (counts, fraction * class_sizes)
    # an unstratified split of the same data misses the proportions by more than one sample somewhere
    plain = data.train_val_test_split(X, val_fraction=0.15, test_fraction=0.25, seed=seed)[2]
    assert np.any(np.abs(np.bincount(labels[plain], minlength=5) - 0.25 * class_sizes) > 1)


def test_split_accepts_tensors_and_rejects_bad_arguments():
    X = nnlib.tensor(np.arange(20.0).reshape(10, 2))
    X_tr, X_va, X_te = data.train_val_test_split(X, val_fraction=0.2, test_fraction=0.2, seed=0)
    assert isinstance(X_tr, nnlib.Tensor) and X_tr.shape == (6, 2)
    with pytest.raises(ValueError, match=r"same number of samples, got \[10, 9\]"):
        data.train_val_test_split(X, np.zeros(9), val_fraction=0.1, test_fraction=0.1, seed=0)
    with pytest.raises(ValueError, match="leave no training samples"):
        data.train_val_test_split(X, val_fraction=0.5, test_fraction=0.5, seed=0)
    with pytest.raises(ValueError, match=r"test_fraction must be in \[0, 1\), got 1.5"):
        data.train_val_test_split(X, val_fraction=0.1, test_fraction=1.5, seed=0)
    with pytest.raises(ValueError, match=r"stratify must have shape \(10,\), got \(9,\)"):
        data.train_val_test_split(X, val_fraction=0.1, test_fraction=0.1, seed=0, stratify=np.zeros(9))


# ---- StandardScaler ------------------------------------------------------------------------------

def scaler_data(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((50, 5)) * [1.0, 10.0, 1e-3, 1.0, 1.0] + [0.0, 5.0, 1e4, 3.0, 0.0]
    X[:, 3] = 3.0  # a constant feature
    X[:, 4] = 0.1  # a constant that float rounding leaves with a tiny nonzero variance
    return X[:35].astype(dtype), X[35:].astype(dtype)


@pytest.mark.parametrize("seed", range(3))
def test_standard_scaler_equals_sklearn_fitted_on_train_only(seed):
    train, test = scaler_data(seed)
    ours, theirs = StandardScaler().fit(train), SkStandardScaler().fit(train)
    for name in ("mean_", "var_", "scale_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-12, err_msg=name)
    assert ours.scale_[3] == ours.scale_[4] == 1.0
    np.testing.assert_allclose(ours.transform(test), theirs.transform(test), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.fit_transform(train), theirs.fit_transform(train), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(test)), test, rtol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(test), theirs.inverse_transform(test), rtol=1e-12)
    z = ours.transform(train)
    # column 2 (mean 1e4, spread 1e-3) loses about 1e4 * eps / 1e-3 = 2e-9 to cancellation
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-8)
    np.testing.assert_allclose(z[:, :3].std(axis=0), 1, rtol=1e-9)


def test_standard_scaler_keeps_float32_and_tensors_and_complains_clearly():
    train, test = scaler_data(0, np.float32)
    scaler = StandardScaler().fit(train)
    assert scaler.transform(test).dtype == np.float32
    well_conditioned = [0, 1, 3, 4]
    np.testing.assert_allclose(scaler.transform(test)[:, well_conditioned],
                               SkStandardScaler().fit(train).transform(test)[:, well_conditioned], rtol=1e-6, atol=1e-6)
    # column 2 (1e4 + 1e-3 noise): the statistics stay in float64, so float32 data is standardised as
    # accurately as float32 output allows (scikit-learn rounds mean_ to float32 first and is off by 0.2 here)
    exact = (test[:, 2].astype(np.float64) - train[:, 2].astype(np.float64).mean()) / train[:, 2].astype(np.float64).std()
    np.testing.assert_allclose(scaler.transform(test)[:, 2], exact, rtol=1e-6)
    out = scaler.transform(nnlib.tensor(test))
    assert isinstance(out, nnlib.Tensor) and out.shape == test.shape
    with pytest.raises(RuntimeError, match=r"not fitted yet; call fit\(X_train\) first"):
        StandardScaler().transform(test)
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(5,\), got X of shape \(15, 4\)"):
        scaler.transform(test[:, :4])
    with pytest.raises(ValueError, match=r"expected a numeric array of shape \(n_samples, n_features\), got shape \(5,\)"):
        scaler.fit(test[0])


# ---- augmentation --------------------------------------------------------------------------------

def images(shape=(16, 2, 6, 7), seed=0):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


def shift_reference(image, dy, dx):
    """Shift one (..., H, W) image by (dy, dx) with explicit loops: out[i, j] = image[i - dy, j - dx]."""
    out = np.zeros_like(image)
    H, W = image.shape[-2:]
    for i, j in itertools.product(range(H), range(W)):
        if 0 <= i - dy < H and 0 <= j - dx < W:
            out[..., i, j] = image[..., i - dy, j - dx]
    return out


@pytest.mark.parametrize("shape", [(16, 2, 6, 7), (16, 6, 7)])
def test_random_shift_moves_each_image_by_at_most_k_with_zero_fill(shape):
    x = images(shape)
    out = RandomShift(2, seed=0)(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    shifts_used = set()
    for image, shifted in zip(x, out):
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                   if np.array_equal(shifted, shift_reference(image, dy, dx))]
        assert len(matches) == 1, "each output must be its input shifted by one (dy, dx) with |dy|, |dx| <= 2"
        shifts_used.add(matches[0])
    assert len(shifts_used) > 5  # the shift is drawn per image
    np.testing.assert_array_equal(RandomShift(0, seed=0)(x), x)


def test_flips_really_flip_with_probability_p():
    x = images()
    np.testing.assert_array_equal(RandomHorizontalFlip(p=1.0, seed=0)(x), x[..., ::-1])
    np.testing.assert_array_equal(RandomHorizontalFlip(p=0.0, seed=0)(x), x)
    x = images((2000, 3, 4))
    out = RandomHorizontalFlip(p=0.3, seed=0)(x)
    flipped = np.array([np.array_equal(o, i[..., ::-1]) for o, i in zip(out, x)])
    kept = np.array([np.array_equal(o, i) for o, i in zip(out, x)])
    assert np.all(flipped ^ kept)  # every image is either mirrored or untouched
    assert abs(flipped.mean() - 0.3) < 0.04


def test_gaussian_noise_statistics_dtype_and_clip():
    x = np.full((200, 1, 10, 10), 0.5, dtype=np.float32)
    noise = GaussianNoise(mean=0.1, sigma=0.2, seed=0)(x) - x
    assert noise.dtype == np.float32
    assert abs(noise.mean() - 0.1) < 0.005 and abs(noise.std() - 0.2) < 0.005
    clipped = GaussianNoise(sigma=1.0, clip=True, seed=0)(x)
    assert clipped.min() == 0.0 and clipped.max() == 1.0
    with pytest.raises(TypeError, match="expected floating-point images, got dtype uint8"):
        GaussianNoise(seed=0)(np.zeros((2, 3, 3), dtype=np.uint8))


def test_augmentations_are_deterministic_for_a_seed_and_compose_in_order():
    x = images()

    def pipeline(seed):
        return Compose([RandomShift(1, seed=seed), RandomHorizontalFlip(seed=seed + 1), GaussianNoise(sigma=0.1, seed=seed + 2)])

    a, b = pipeline(0), pipeline(0)
    first = a(x)
    np.testing.assert_array_equal(first, b(x))
    assert not np.array_equal(a(x), first)  # the next batch draws new randomness
    assert not np.array_equal(pipeline(1)(x), first)
    np.testing.assert_array_equal(Compose([RandomHorizontalFlip(1.0), RandomHorizontalFlip(1.0)])(x), x)
    out = pipeline(0)(nnlib.tensor(x))
    assert isinstance(out, nnlib.Tensor) and out.shape == x.shape
    assert "RandomShift(max_shift=1)" in repr(a)


def test_augmentation_rejects_a_single_image_or_bad_arguments():
    with pytest.raises(ValueError, match=r"expected a batch of images of shape \(N, C, H, W\) or \(N, H, W\), got shape \(8, 8\)"):
        RandomShift(1)(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="p must be a probability in"):
        RandomHorizontalFlip(p=1.5)
    with pytest.raises(ValueError, match="max_shift must be a non-negative integer, got -1"):
        RandomShift(-1)


# ---- embedded datasets ---------------------------------------------------------------------------

def test_digits_has_1797_images_of_10_classes_scaled_to_unit_range():
    X, y = data.load_digits()
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert sorted(np.unique(y)) == list(range(10))
    flat, _ = data.load_digits(flatten=True)
    assert flat.shape == (1797, 64)
    from sklearn.datasets import load_digits
    np.testing.assert_allclose(flat, load_digits().data / 16, rtol=1e-7)


def test_digits_without_scikit_learn_says_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match="install scikit-learn"):
        data.load_digits()


@pytest.mark.parametrize("make", [data.make_spirals, data.make_moons, data.make_circles])
def test_2d_sets_shapes_dtypes_balance_and_determinism(make):
    X, y = make(301, noise=0.1, seed=0)
    assert X.shape == (301, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert list(np.bincount(y)) in ([151, 150], [150, 151])
    X2, y2 = make(301, noise=0.1, seed=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(make(301, noise=0.1, seed=1)[0], X)


def test_2d_sets_lie_on_their_curves_without_noise():
    X, y = data.make_circles(200, noise=0.0, seed=0, factor=0.3)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.where(y == 0, 1.0, 0.3), rtol=1e-6)
    X, y = data.make_moons(200, noise=0.0, seed=0)
    centre = np.where(y[:, None] == 0, [0.0, 0.0], [1.0, 0.5])
    np.testing.assert_allclose(np.linalg.norm(X - centre, axis=1), 1.0, rtol=1e-6)
    X, y = data.make_spirals(300, noise=0.0, seed=0, num_classes=3)
    assert list(np.bincount(y)) == [100, 100, 100]
    assert np.linalg.norm(X, axis=1).max() == pytest.approx(1.0)


def test_text_corpus_is_deterministic_and_its_vocabulary_round_trips():
    text = data.load_text_corpus(50_000)
    assert len(text) == 50_000 and text == data.load_text_corpus(50_000)
    assert data.load_text_corpus(80_000).startswith(text)
    vocab = Vocabulary(text)
    assert vocab.chars == sorted(set(text)) and len(vocab) == len(set(text))
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and ids.min() == 0 and ids.max() == len(vocab) - 1
    assert vocab.decode(ids) == text
    assert vocab.decode(nnlib.tensor(ids[:100])) == text[:100]
    assert "def " in text and "import " in text
    with pytest.raises(KeyError, match="character '\u20ac' is not in this vocabulary"):
        vocab.encode("\u20ac")
    with pytest.raises(ValueError, match=r"ids must be in \[0, "):
        vocab.decode([len(vocab)])


def test_corpus_files_come_from_the_stdlib_without_tests_or_site_packages():
    files = data.stdlib_source_files()
    names = [f.as_posix() for f in files]
    assert len(files) > 100 and names == sorted(names)
    assert any(n.endswith("/os.py") for n in names)
    assert not any("/site-packages/" in n or "/test/" in n or "/tests/" in n for n in names)


@pytest.mark.parametrize("reverse", [False, True])
def test_addition_task_answers_are_correct(reverse):
    inputs, targets = data.make_addition_task(500, num_digits=3, seed=0, reverse=reverse)
    assert inputs.shape == (500, 8) and targets.shape == (500, 4) and inputs.dtype == targets.dtype == np.int64
    for question, answer in zip(inputs, targets):
        q, a = ADDITION_VOCAB.decode(question), ADDITION_VOCAB.decode(answer)
        assert q[3] == "+" and q[-1] == "="
        assert int(a[::-1] if reverse else a) == int(q[:3]) + int(q[4:7])
    assert np.array_equal(inputs, data.make_addition_task(500, num_digits=3, seed=0)[0])


def test_copy_task_targets_repeat_the_inputs_after_the_delay():
    inputs, targets = data.make_copy_task(50, seq_len=4, delay=3, num_symbols=6, seed=0)
    assert inputs.shape == targets.shape == (50, 11)
    blank, go = 6, 7
    np.testing.assert_array_equal(targets[:, 7:], inputs[:, :4])
    assert np.all(targets[:, :7] == blank) and np.all(inputs[:, 7] == go)
    assert np.all(inputs[:, 4:7] == blank) and np.all(inputs[:, 8:] == blank)
    assert inputs[:, :4].max() < blank


def balanced_by_loop(row):
    depth = 0
    for token in row:
        depth += 1 if BRACKET_VOCAB.decode([token]) == "(" else -1
        if depth < 0:
            return False
    return depth == 0


def test_bracket_task_labels_are_right_and_balanced_strings_are_uniform():
    X, y = data.make_bracket_task(1001, seq_len=6, seed=0)
    assert X.shape == (1001, 6) and y.dtype == np.int64 and y.sum() == 500
    assert all(balanced_by_loop(row) == bool(label) for row, label in zip(X, y))
    assert np.all(X.sum(axis=1) == 3)  # as many ')' as '(' in every row: counting is not enough
    # the 5 balanced strings of length 6 are drawn equally often (100 each expected; 4 sigma is about 36)
    words, counts = np.unique(X[y == 1], axis=0, return_counts=True)
    assert len(words) == 5 and counts.min() > 64 and counts.max() < 136
    np.testing.assert_array_equal(data.make_bracket_task(1001, seq_len=6, seed=0)[0], X)
    with pytest.raises(ValueError, match="seq_len must be even"):
        data.make_bracket_task(10, seq_len=5)


def test_teacher_student_regression_and_classes():
    X, y = data.make_teacher_student(200, 6, seed=1, teacher_hidden=(16, 16), d_out=2)
    assert X.shape == (200, 6) and X.dtype == np.float32 and y.shape == (200, 2) and y.dtype == np.float32
    assert y.std() > 0.1
    # the teacher depends on teacher_seed only: more samples extend the same data, another seed gives new inputs
    X_more, y_more = data.make_teacher_student(500, 6, seed=1, teacher_hidden=(16, 16), d_out=2)
    np.testing.assert_array_equal(X_more[:200], X)
    np.testing.assert_array_equal(y_more[:200], y)
    X_other_teacher, y_other_teacher = data.make_teacher_student(200, 6, seed=1, teacher_hidden=(16, 16), d_out=2, teacher_seed=1)
    np.testing.assert_array_equal(X_other_teacher, X)
    assert not np.allclose(y_other_teacher, y)
    noisy = data.make_teacher_student(200, 6, seed=1, teacher_hidden=(16, 16), d_out=2, noise=0.5)[1]
    assert 0.4 < (noisy - y).std() < 0.6
    Xc, yc = data.make_teacher_student(1000, 6, seed=0, num_classes=4)
    assert yc.shape == (1000,) and yc.dtype == np.int64 and set(np.unique(yc)) == {0, 1, 2, 3}


def test_low_rank_ratings_sample_the_true_matrix():
    users, items, ratings, R = data.make_low_rank_ratings(30, 20, rank=3, noise=0.0, density=0.25, seed=0)
    assert R.shape == (30, 20) and np.linalg.matrix_rank(R.astype(np.float64), tol=1e-4) == 3
    assert len(users) == len(items) == len(ratings) == 150
    assert users.dtype == items.dtype == np.int64 and ratings.dtype == np.float32
    assert len(set(zip(users.tolist(), items.tolist()))) == 150  # no pair twice
    np.testing.assert_array_equal(ratings, R[users, items])
    noisy = data.make_low_rank_ratings(30, 20, rank=3, noise=0.5, density=0.25, seed=0)[2]
    assert 0.4 < (noisy - ratings).std() < 0.6


# ---- readers -------------------------------------------------------------------------------------

def write_idx(path, array, type_code):
    header = bytes([0, 0, type_code, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_read_idx_reads_mnist_style_files_gzipped_or_not(tmp_path, name):
    images_ = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / name, images_, 0x08)
    out = data.read_idx(tmp_path / name)
    assert out.dtype == np.uint8 and out.shape == (5, 28, 28)
    np.testing.assert_array_equal(out, images_)


@pytest.mark.parametrize("dtype, code", [(np.int32, 0x0C), (np.float32, 0x0D), (np.float64, 0x0E), (np.int16, 0x0B)])
def test_read_idx_converts_big_endian_values(tmp_path, dtype, code):
    values = (np.arange(12).reshape(3, 4) * 1000 - 5000).astype(dtype)
    write_idx(tmp_path / "values.idx", values, code)
    out = data.read_idx(tmp_path / "values.idx")
    assert out.dtype == dtype and out.dtype.isnative
    np.testing.assert_array_equal(out, values)


def test_read_idx_rejects_corrupt_files(tmp_path):
    labels = np.arange(10, dtype=np.uint8)
    write_idx(tmp_path / "labels", labels, 0x08)
    good = (tmp_path / "labels").read_bytes()
    (tmp_path / "truncated").write_bytes(good[:-3])
    with pytest.raises(ValueError, match=r"dimensions \(10,\) of uint8 need 10 bytes of data, the file holds 7"):
        data.read_idx(tmp_path / "truncated")
    (tmp_path / "magic").write_bytes(b"\x01\x02" + good[2:])
    with pytest.raises(ValueError, match="not an IDX file; the magic number .* got 01 02 08 01"):
        data.read_idx(tmp_path / "magic")
    (tmp_path / "header").write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(ValueError, match="announces 3 dimensions but the file ends after 6 bytes"):
        data.read_idx(tmp_path / "header")
    (tmp_path / "bad.gz").write_bytes(gzip.compress(good)[:-8])
    with pytest.raises(ValueError, match="looks gzipped but cannot be decompressed"):
        data.read_idx(tmp_path / "bad.gz")


def test_load_cifar10_batch_reads_channels_first(tmp_path):
    rng = np.random.default_rng(0)
    flat = rng.integers(0, 256, size=(4, 3072), dtype=np.uint8)
    with open(tmp_path / "data_batch_1", "wb") as f:
        pickle.dump({b"batch_label": b"training batch 1 of 5", b"data": flat, b"labels": [3, 0, 9, 1]}, f, protocol=2)
    images_, labels = data.load_cifar10_batch(tmp_path / "data_batch_1")
    assert images_.shape == (4, 3, 32, 32) and images_.dtype == np.uint8
    assert labels.dtype == np.int64 and labels.tolist() == [3, 0, 9, 1]
    # pixel (channel c, row i, column j) of image n is byte c*1024 + i*32 + j of its row
    assert images_[2, 1, 5, 7] == flat[2, 1024 + 5 * 32 + 7]


def test_load_cifar10_batch_rejects_corrupt_files(tmp_path):
    (tmp_path / "garbage").write_bytes(b"this is not a pickle")
    with pytest.raises(ValueError, match="not a CIFAR-10 python batch, cannot unpickle it"):
        data.load_cifar10_batch(tmp_path / "garbage")
    with open(tmp_path / "nolabels", "wb") as f:
        pickle.dump({b"data": np.zeros((2, 3072), np.uint8)}, f)
    with pytest.raises(ValueError, match=r"has keys 'data' and 'labels', got \['data'\]"):
        data.load_cifar10_batch(tmp_path / "nolabels")
    with open(tmp_path / "shape", "wb") as f:
        pickle.dump({b"data": np.zeros((2, 1024), np.uint8), b"labels": [0, 1]}, f)
    with pytest.raises(ValueError, match=r"should be uint8 of shape \(N, 3072\), got uint8 \(2, 1024\)"):
        data.load_cifar10_batch(tmp_path / "shape")
    with open(tmp_path / "labels", "wb") as f:
        pickle.dump({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 12]}, f)
    with pytest.raises(ValueError, match="'labels' should be 2 integers in 0..9"):
        data.load_cifar10_batch(tmp_path / "labels")
