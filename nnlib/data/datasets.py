"""The course's embedded datasets: nothing is downloaded, and everything is deterministic for a seed.

- images: scikit-learn's bundled handwritten digits (1,797 8x8 images);
- 2-D classification sets for decision-boundary plots: spirals, moons, circles;
- text: a character corpus read from the running interpreter's standard-library sources, and a
  character Vocabulary;
- sequence tasks with exact answers: copying, k-digit addition, balanced brackets;
- scaling experiments: teacher-student data (a fixed random network labels unlimited inputs);
- recommendation: noisy samples of a low-rank user-item rating matrix.
Inputs are float32 (nnlib's default), labels and token ids int64.
"""
import os
import pathlib
import sysconfig

import numpy as np

from ..tensor import Tensor


# ---- images ------------------------------------------------------------------------------------

def load_digits(flatten=False):
    """scikit-learn's digits: X (1797, 1, 8, 8) float32 in [0, 1] (or (1797, 64) with flatten=True), y int64 0-9.

    The pixels are counts 0..16 in the original data, so X = counts / 16.
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits  # only here: nnlib needs NumPy only
    except ImportError:
        raise ImportError("nnlib.data.load_digits reads the digits bundled with scikit-learn; "
                          "install scikit-learn (pip install scikit-learn)") from None
    pixels, labels = sklearn_load_digits(return_X_y=True)
    X = (pixels / 16.0).astype(np.float32)
    return (X if flatten else X.reshape(-1, 1, 8, 8)), labels.astype(np.int64)


# ---- 2-D sets ------------------------------------------------------------------------------------

def _per_class(n, num_classes):
    """Split n samples as evenly as possible: the first n % num_classes classes get one more."""
    return [n // num_classes + (c < n % num_classes) for c in range(num_classes)]


def _shuffled(rng, X, y, noise):
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order].astype(np.int64)


def make_spirals(n=300, noise=0.1, seed=0, num_classes=2):
    """Interleaved spiral arms, one per class: X (n, 2) float32, y (n,) int64.

    A point at radius r in [0.05, 1] on arm k has angle 2 pi k / num_classes + 3 pi r (1.5 turns),
    plus N(0, noise^2) on each coordinate. No straight line separates the arms.
    """
    rng = np.random.default_rng(seed)
    parts, labels = [], []
    for k, m in enumerate(_per_class(n, num_classes)):
        r = np.linspace(0.05, 1.0, m)
        angle = 2 * np.pi * k / num_classes + 3 * np.pi * r
        parts.append(np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1))
        labels.append(np.full(m, k))
    return _shuffled(rng, np.concatenate(parts), np.concatenate(labels), noise)


def make_moons(n=300, noise=0.1, seed=0):
    """Two interleaving half circles (scikit-learn's construction): X (n, 2) float32, y (n,) int64.

    Class 0: (cos t, sin t), class 1: (1 - cos t, 1/2 - sin t), t in [0, pi]; plus N(0, noise^2).
    """
    rng = np.random.default_rng(seed)
    n0, n1 = n - n // 2, n // 2
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)])
    return _shuffled(rng, X, np.repeat([0, 1], [n0, n1]), noise)


def make_circles(n=300, noise=0.05, seed=0, factor=0.5):
    """A circle inside another (scikit-learn's construction): X (n, 2) float32, y (n,) int64.

    Class 0 on the unit circle, class 1 on the circle of radius `factor`; plus N(0, noise^2).
    """
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor}")
    rng = np.random.default_rng(seed)
    n0, n1 = n - n // 2, n // 2
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), factor * np.stack([np.cos(t1), np.sin(t1)], 1)])
    return _shuffled(rng, X, np.repeat([0, 1], [n0, n1]), noise)


# ---- text ----------------------------------------------------------------------------------------

_SKIPPED_DIRS = {"site-packages", "dist-packages", "test", "tests", "idle_test"}


def stdlib_source_files():
    """The standard library's *.py files of this interpreter, sorted by path, without tests or site-packages."""
    root = pathlib.Path(sysconfig.get_path("stdlib") or "")
    if not root.is_dir():
        root = pathlib.Path(os.__file__).parent
    files = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if d not in _SKIPPED_DIRS]  # prune: never walk into them
        files += [pathlib.Path(folder, name) for name in names if name.endswith(".py")]
    return sorted(files, key=lambda f: f.relative_to(root).as_posix())


def load_text_corpus(n_chars=200_000):
    """The first n_chars characters of the standard library's sources, concatenated in sorted path order.

    Deterministic for one Python version; another version has other sources, so never compare a
    number derived from this text exactly across machines.
    """
    pieces, total = [], 0
    for path in stdlib_source_files():
        if total >= n_chars:
            break
        text = path.read_text(encoding="utf-8", errors="replace")
        pieces.append(text)
        total += len(text)
    if total < n_chars:
        raise ValueError(f"load_text_corpus: asked for {n_chars} characters, but the standard library "
                         f"sources hold only {total}")
    return "".join(pieces)[:n_chars]


class Vocabulary:
    """Characters <-> integer ids: the sorted distinct characters of `text`, id = position in that list."""

    def __init__(self, text):
        self.chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def __contains__(self, char):
        return char in self.stoi

    def encode(self, text):
        """A string -> int64 array of ids."""
        try:
            return np.array([self.stoi[c] for c in text], dtype=np.int64)
        except KeyError as err:
            raise KeyError(f"Vocabulary.encode: character {err.args[0]!r} is not in this vocabulary "
                           f"of {len(self)} characters") from None

    def decode(self, ids):
        """A sequence of ids (list, 1-D array or Tensor) -> the string."""
        ids = np.asarray(ids.data if isinstance(ids, Tensor) else ids)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise ValueError(f"Vocabulary.decode: expected a 1-D sequence of integer ids, got shape {ids.shape} "
                             f"and dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"Vocabulary.decode: ids must be in [0, {len(self)}), got values from "
                             f"{ids.min()} to {ids.max()}")
        return "".join(self.chars[i] for i in ids.tolist())

    def __repr__(self):
        return f"Vocabulary(size={len(self)})"


# ---- sequence tasks with exact answers ------------------------------------------------------------

def make_copy_task(n=1000, seq_len=5, delay=10, num_symbols=8, seed=0):
    """Remember a sequence and repeat it after a delay: (inputs, targets), both int64 (n, 2 seq_len + delay).

    Tokens: symbols 0..num_symbols-1, BLANK = num_symbols, GO = num_symbols + 1 (vocabulary size
    num_symbols + 2). With s = s_1..s_L drawn uniformly:
        inputs  = s_1 .. s_L, BLANK x delay, GO, BLANK x (L - 1)
        targets = BLANK x (L + delay), s_1 .. s_L
    so the model must output s_t at the GO position and the L - 1 after it, having seen s
    L + delay steps earlier. Predicting BLANK, then guessing, gets accuracy
    (L + delay + L / num_symbols) / (2 L + delay) per token: the baseline to beat.
    """
    rng = np.random.default_rng(seed)
    blank, go = num_symbols, num_symbols + 1
    symbols = rng.integers(0, num_symbols, size=(n, seq_len))
    inputs = np.full((n, 2 * seq_len + delay), blank, dtype=np.int64)
    inputs[:, :seq_len] = symbols
    inputs[:, seq_len + delay] = go
    targets = np.full_like(inputs, blank)
    targets[:, seq_len + delay:] = symbols
    return inputs, targets


ADDITION_VOCAB = Vocabulary("0123456789+=")  # sorted: '+' is id 0, digit d is id d + 1, '=' is id 11


def _digits(numbers, width):
    """Decimal digits, most significant first: (n,) -> (n, width)."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers) % 10


def make_addition_task(n=1000, num_digits=3, seed=0, reverse=False):
    """a + b for random num_digits-digit numbers, as character sequences: (inputs, targets) int64.

    inputs  (n, 2 k + 2): "a+b=" with a and b zero-padded to k = num_digits digits, e.g. "042+917=";
    targets (n, k + 1):   the sum zero-padded to k + 1 digits, e.g. "0959", or reversed ("9590") with
    reverse=True, which puts the least significant digit first, the order the carry is computed in.
    Ids are ADDITION_VOCAB's: ADDITION_VOCAB.decode(inputs[0]) gives the string back.
    """
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 10 ** num_digits, size=(2, n), dtype=np.int64)
    digit_id = ADDITION_VOCAB.encode("0123456789")
    plus, equals = ADDITION_VOCAB.encode("+=")
    inputs = np.concatenate([digit_id[_digits(a, num_digits)], np.full((n, 1), plus),
                             digit_id[_digits(b, num_digits)], np.full((n, 1), equals)], axis=1)
    targets = digit_id[_digits(a + b, num_digits + 1)]
    return inputs, (targets[:, ::-1].copy() if reverse else targets)


BRACKET_VOCAB = Vocabulary("()")  # '(' is id 0, ')' is id 1


def is_balanced(brackets):
    """True where each row of ids (0 = '(', 1 = ')') is balanced: every prefix opens at least as many
    as it closes, and the whole row closes all it opens."""
    depth = np.cumsum(np.where(np.asarray(brackets) == 0, 1, -1), axis=-1)
    return (depth.min(axis=-1) >= 0) & (depth[..., -1] == 0)


def make_bracket_task(n=1000, seq_len=16, seed=0):
    """Classify bracket strings as balanced (1) or not (0): X (n, seq_len) int64 ids, y (n,) int64.

    Half the rows (n // 2) are balanced, drawn uniformly among balanced strings with the cycle lemma:
    among the rotations of a random sequence of seq_len/2 '(' and seq_len/2 + 1 ')', exactly one,
    the one starting after the first lowest point of the running depth, stays at depth >= 0 until
    its last ')'; dropping that ')' gives a uniform balanced string. The other rows have as many '('
    as ')' but are unbalanced, so counting brackets is not enough: the order matters.
    """
    if seq_len < 2 or seq_len % 2:
        raise ValueError(f"make_bracket_task: seq_len must be even and at least 2, got {seq_len}")
    rng = np.random.default_rng(seed)
    half = seq_len // 2
    n_balanced = n // 2
    steps = rng.permuted(np.tile(np.repeat([1, -1], [half, half + 1]), (n_balanced, 1)), axis=1)
    start = np.argmin(np.cumsum(steps, axis=1), axis=1) + 1  # argmin returns the first lowest point
    rotation = (start[:, None] + np.arange(seq_len)) % (seq_len + 1)
    balanced = np.where(np.take_along_axis(steps, rotation, axis=1) == 1, 0, 1)
    unbalanced = np.empty((0, seq_len), dtype=np.int64)
    while len(unbalanced) < n - n_balanced:  # rejection: a random arrangement is unbalanced with prob half/(half+1)
        draws = rng.permuted(np.tile(np.repeat([0, 1], [half, half]), (2 * (n - n_balanced), 1)), axis=1)
        unbalanced = np.concatenate([unbalanced, draws[~is_balanced(draws)]])
    X = np.concatenate([balanced, unbalanced[:n - n_balanced]]).astype(np.int64)
    y = np.repeat(np.array([1, 0], dtype=np.int64), [n_balanced, n - n_balanced])
    order = rng.permutation(n)
    return X[order], y[order]


# ---- teacher-student -----------------------------------------------------------------------------

def make_teacher_student(n, d_in, seed=0, teacher_hidden=(32,), d_out=1, num_classes=None, noise=0.0,
                         teacher_seed=0):
    """Inputs x ~ N(0, I_{d_in}) labelled by a fixed random MLP, the teacher.

    The teacher has tanh hidden layers of sizes teacher_hidden, weights N(0, 1/fan_in) and biases
    N(0, 0.1^2), drawn from teacher_seed only: calls with different `seed` (and any n) sample new
    inputs labelled by the same teacher, so train and test sets of any size come from one function.
    - regression (num_classes=None): y = teacher(x) + noise * N(0, 1), float32 (n, d_out);
    - classification: y = argmax(teacher(x) + noise * N(0, 1)) over num_classes outputs, int64 (n,).
    Returns (X float32 (n, d_in), y).
    """
    teacher_rng, rng = np.random.default_rng(teacher_seed), np.random.default_rng(seed)
    sizes = [d_in, *teacher_hidden, num_classes or d_out]
    layers = [(teacher_rng.standard_normal((fan_out, fan_in)) / np.sqrt(fan_in),  # W, PyTorch's (out, in) layout
               0.1 * teacher_rng.standard_normal(fan_out))  # b
              for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
    X = rng.standard_normal((n, d_in))
    h = X
    for i, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if i < len(layers) - 1:
            h = np.tanh(h)
    out = h + noise * rng.standard_normal(h.shape)
    y = out.argmax(axis=1).astype(np.int64) if num_classes else out.astype(np.float32)
    return X.astype(np.float32), y


# ---- recommendation ------------------------------------------------------------------------------

def make_low_rank_ratings(n_users=100, n_items=80, rank=5, noise=0.1, density=0.2, seed=0):
    """Noisy observed entries of a rank-`rank` rating matrix R = U V^T.

    U (n_users, rank) and V (n_items, rank) have N(0, 1/sqrt(rank)) entries, so each R[u, i] has
    variance 1. round(density * n_users * n_items) distinct (user, item) pairs are observed, in
    random order, with rating R[u, i] + noise * N(0, 1).
    Returns (users int64, items int64, ratings float32, R float32 (n_users, n_items)).
    """
    if not 0 < density <= 1:
        raise ValueError(f"make_low_rank_ratings: density must be in (0, 1], got {density}")
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((n_users, rank)) * rank ** -0.25
    V = rng.standard_normal((n_items, rank)) * rank ** -0.25
    R = U @ V.T
    m = max(1, round(density * n_users * n_items))
    cells = rng.choice(n_users * n_items, size=m, replace=False)
    users, items = np.divmod(cells, n_items)
    ratings = R[users, items] + noise * rng.standard_normal(m)
    return users.astype(np.int64), items.astype(np.int64), ratings.astype(np.float32), R.astype(np.float32)
