"""coursetools.checks.assert_close, the exercises' comparison: nnlib.testing's, called name first."""
import numpy as np
import pytest

import nnlib
from coursetools import checks


def test_checks_uses_nnlib_testing_rather_than_a_copy_of_it():
    assert checks._nnlib_assert_close is nnlib.testing.assert_close


def test_the_exercises_call_compares_values_only_and_names_the_tensor():
    checks.assert_close("x", nnlib.tensor([1.0]), np.array([1.0]))  # float32 against float64: values only
    checks.assert_close("x", nnlib.tensor([1.0, float("nan")]), [1.0, float("nan")])  # NaN equals NaN
    with pytest.raises(AssertionError, match=r"^grad_a: 1 of 2 elements differ; first at index \(1,\): got "
                                             r"np.float32\(3.0\), expected np.float64\(2.0\) \(max abs difference 1\)$"):
        checks.assert_close("grad_a", nnlib.tensor([1.0, 3.0]), [1.0, 2.0])
    checks.assert_close("tolerances", [1.0], [1.0 + 1e-7], rtol=1e-6, atol=0)
    with pytest.raises(AssertionError, match=r"^tolerances: 1 of 1"):
        checks.assert_close("tolerances", [1.0], [1.0 + 1e-5], rtol=1e-6, atol=0)
