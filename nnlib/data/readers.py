"""Readers for real datasets a user has downloaded already: MNIST-style IDX files and CIFAR-10 batches.

Nothing here downloads. Each reader checks the file's structure and raises a ValueError naming the
file and what was wrong, instead of returning garbage or failing deep inside NumPy.
"""
import gzip
import pathlib
import pickle

import numpy as np

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtypes
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _read_bytes(path):
    """The file's bytes, decompressed if it is gzipped (detected by its 1f 8b header, not its name)."""
    raw = pathlib.Path(path).read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError) as err:
        raise ValueError(f"{path}: looks gzipped but cannot be decompressed ({err})") from None


def read_idx(path):
    """Read an IDX file (MNIST, Fashion-MNIST), gzipped or not, into an array of its shape and type.

    Layout: magic number 0x00 0x00 <type code> <number of dimensions>, then each dimension as a
    big-endian uint32, then the values, big-endian, row-major. MNIST images are (N, 28, 28) uint8
    (magic 0x00000803), labels (N,) uint8 (magic 0x00000801).
    """
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _IDX_DTYPES or raw[3] == 0:
        raise ValueError(f"{path}: not an IDX file; the magic number should be 00 00 <type code in "
                         f"{[hex(c) for c in _IDX_DTYPES]}> <number of dimensions >= 1>, got {raw[:4].hex(' ')}")
    dtype, ndim = np.dtype(_IDX_DTYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: IDX header announces {ndim} dimensions but the file ends after {len(raw)} bytes")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(f"{path}: IDX dimensions {shape} of {dtype.name} need {expected} bytes of data, "
                         f"the file holds {len(raw) - header}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def load_cifar10_batch(path):
    """Read one CIFAR-10 "python version" batch file (data_batch_1, ..., test_batch).

    Returns (images uint8 (N, 3, 32, 32), labels int64 (N,)): each row of the file's 'data' holds
    1024 red, then 1024 green, then 1024 blue values, row-major, hence the reshape to channels first.
    The file is a pickle, and unpickling can run code: only open files from a source you trust.
    """
    try:
        with open(path, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError) as err:
        raise ValueError(f"{path}: not a CIFAR-10 python batch, cannot unpickle it "
                         f"({type(err).__name__}: {err})") from None
    if not isinstance(batch, dict):
        raise ValueError(f"{path}: a CIFAR-10 batch is a pickled dict, got {type(batch).__name__}")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or "labels" not in batch:
        raise ValueError(f"{path}: a CIFAR-10 batch has keys 'data' and 'labels', got {sorted(map(str, batch))}")
    data, labels = np.asarray(batch["data"]), np.asarray(batch["labels"])
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{path}: CIFAR-10 'data' should be uint8 of shape (N, 3072), got {data.dtype} {data.shape}")
    in_range = labels.size == 0 or (labels.dtype.kind in "iu" and 0 <= labels.min() and labels.max() <= 9)
    if labels.shape != (data.shape[0],) or labels.dtype.kind not in "iu" or not in_range:
        raise ValueError(f"{path}: CIFAR-10 'labels' should be {data.shape[0]} integers in 0..9, "
                         f"got shape {labels.shape} and dtype {labels.dtype}")
    return data.reshape(-1, 3, 32, 32), labels.astype(np.int64)
