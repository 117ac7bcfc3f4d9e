"""Run one expression on nnlib and on torch and compare forward, backward, shape and dtype.

The comparison reports which tensor, which index and how far off, so a failure says what to fix.
"""
import numpy as np
import torch

import nnlib

TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


def assert_close(name, actual, expected, rtol, atol):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{name}: shape {actual.shape}, expected {expected.shape}"
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AssertionError(
            f"{name}: {int(bad.sum())} of {bad.size} elements differ; first at index {index}: "
            f"got {actual[index]!r}, expected {expected[index]!r} "
            f"(max abs difference {np.max(np.abs(actual - expected)[bad]):.3g})"
        )


def run_both(fn, arrays, grad_inputs=None, seed=0):
    """Evaluate fn on nnlib and torch copies of `arrays`; backprop the same random output weights.

    Returns (nnlib output, torch output, [nnlib input grads], [torch input grads]) as NumPy arrays.
    """
    grad_inputs = range(len(arrays)) if grad_inputs is None else grad_inputs
    ours = [nnlib.tensor(a.copy(), requires_grad=k in grad_inputs) for k, a in enumerate(arrays)]
    theirs = [torch.tensor(a.copy(), requires_grad=k in grad_inputs) for k, a in enumerate(arrays)]
    out_ours, out_theirs = fn(nnlib, *ours), fn(torch, *theirs)
    weights = np.random.default_rng(seed).standard_normal(out_ours.shape).astype(out_ours.dtype)
    out_ours.backward(nnlib.tensor(weights))
    out_theirs.backward(torch.tensor(weights))
    grads_ours = [t.grad for t in ours if t.requires_grad]
    grads_theirs = [t.grad.numpy() for t in theirs if t.requires_grad]
    return out_ours.detach().numpy(), out_theirs.detach().numpy(), grads_ours, grads_theirs
