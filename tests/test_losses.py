"""Losses: stable at extreme inputs, equal to torch there too, and clear about bad targets."""
import numpy as np
import pytest
import torch

import nnlib
import nnlib.nn.functional as F


def _value_and_grad(lib, fn, array, *args):
    x = lib.tensor(array, requires_grad=True)
    loss = fn(lib)(x, *args)
    loss.backward()
    return float(loss.item()), np.asarray(x.grad)


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_cross_entropy_is_finite_and_equals_torch_for_huge_logits(scale):
    logits = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]) * scale
    ours = _value_and_grad(nnlib, lambda m: m.nn.functional.cross_entropy, logits, nnlib.tensor([2, 0]))
    theirs = _value_and_grad(torch, lambda m: m.nn.functional.cross_entropy, logits, torch.tensor([2, 0]))
    assert np.isfinite(ours[0]) and np.isfinite(ours[1]).all()
    assert ours[0] == pytest.approx(theirs[0], rel=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_bce_with_logits_is_finite_and_equals_torch_for_huge_logits(scale):
    z = np.array([1.0, -1.0, 0.0, 2.0]) * scale
    y = np.array([1.0, 0.0, 1.0, 0.0])
    ours = _value_and_grad(nnlib, lambda m: m.nn.functional.binary_cross_entropy_with_logits, z, nnlib.tensor(y))
    theirs = _value_and_grad(torch, lambda m: m.nn.functional.binary_cross_entropy_with_logits, z, torch.tensor(y))
    assert np.isfinite(ours[0]) and np.isfinite(ours[1]).all()
    assert ours[0] == pytest.approx(theirs[0], rel=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)


def test_bce_on_saturated_probabilities_is_finite_like_torch():
    p = np.array([0.0, 1.0, 1.0, 0.0, 0.3])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    ours = _value_and_grad(nnlib, lambda m: m.nn.functional.binary_cross_entropy, p, nnlib.tensor(y))
    theirs = _value_and_grad(torch, lambda m: m.nn.functional.binary_cross_entropy, p, torch.tensor(y))
    assert np.isfinite(ours[0]) and ours[0] == pytest.approx(theirs[0], rel=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-9)


def test_bce_is_the_corrected_formula_not_the_documents_one():
    # -mean(y log p + (1 - y) log(1 - p)); the source document multiplies logs together instead
    p, y = np.array([0.9, 0.2]), np.array([1.0, 0.0])
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert F.binary_cross_entropy(nnlib.tensor(p), nnlib.tensor(y)).item() == pytest.approx(expected)


def test_cross_entropy_target_out_of_range_says_which_and_where():
    with pytest.raises(IndexError, match=r"target 10 at position 2 is out of range for 10 classes \(valid: 0 to 9\)"):
        F.cross_entropy(nnlib.randn(4, 10), nnlib.tensor([1, 2, 10, 3]))
    with pytest.raises(IndexError, match=r"target -1 at position 0"):
        F.cross_entropy(nnlib.randn(2, 3), nnlib.tensor([-1, 0]))


def test_cross_entropy_wants_integer_targets_of_the_batch_size():
    with pytest.raises(TypeError, match="integer class indices.*float32"):
        F.cross_entropy(nnlib.randn(2, 3), nnlib.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"input has shape \(2, 3\), so target must have shape \(2,\); got \(3,\)"):
        F.cross_entropy(nnlib.randn(2, 3), nnlib.tensor([0, 1, 2]))


def test_regression_losses_need_matching_shapes():
    with pytest.raises(ValueError, match=r"mse_loss: input has shape \(4, 1\) but target has shape \(4,\)"):
        F.mse_loss(nnlib.randn(4, 1), nnlib.randn(4))


def test_bce_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\].*with_logits"):
        F.binary_cross_entropy(nnlib.tensor([1.5]), nnlib.tensor([1.0]))


def test_unknown_reduction_is_named():
    with pytest.raises(ValueError, match="reduction must be one of.*'avg'"):
        F.cross_entropy(nnlib.randn(2, 3), nnlib.tensor([0, 1]), reduction="avg")
