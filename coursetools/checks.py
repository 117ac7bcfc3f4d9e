"""Comparisons that say what is wrong: which tensor, which index, how far off.

Used by the exercise tests (the feedback a learner reads). The comparison itself is nnlib's public
`nnlib.testing.assert_close` (modelled on torch.testing.assert_close); this keeps the exercises'
name-first call and their tolerances.
"""
from nnlib.testing import assert_close as _nnlib_assert_close


def assert_close(name, actual, expected, rtol=1e-6, atol=1e-8):
    """Raise AssertionError naming `name`, the first differing index and both values, unless
    `actual` and `expected` have the same shape and agree elementwise within rtol/atol (NaN equals NaN;
    dtypes are not compared)."""
    _nnlib_assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=True, check_dtype=False, name=name)
