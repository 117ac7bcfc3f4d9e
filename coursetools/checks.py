"""Comparisons that say what is wrong: which tensor, which index, how far off.

Used by the exercise tests (the feedback a learner reads) and by nnlib's own parity tests.
"""
import numpy as np


def assert_close(name, actual, expected, rtol=1e-6, atol=1e-8):
    """Raise AssertionError naming `name`, the first differing index and both values, unless
    `actual` and `expected` have the same shape and agree elementwise within rtol/atol."""
    actual = np.asarray(getattr(actual, "data", actual))
    expected = np.asarray(getattr(expected, "data", expected))
    if actual.shape != expected.shape:
        raise AssertionError(f"{name}: shape {actual.shape}, expected {expected.shape}")
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        difference = np.max(np.abs(actual.astype(np.float64) - expected)[bad])
        raise AssertionError(
            f"{name}: {int(bad.sum())} of {bad.size} elements differ; first at index {index}: "
            f"got {actual[index]!r}, expected {expected[index]!r} (max abs difference {difference:.3g})"
        )
