"""Run one expression on nnlib and on torch; assert_close then says which tensor, which index, how far off.

Library tests import nothing from coursetools (the course's tooling): assert_close here is a name-first
form of nnlib's public nnlib.testing.assert_close.
"""
import numpy as np
import torch

import nnlib
from nnlib.testing import assert_close as _assert_close


def assert_close(name, actual, expected, rtol=1e-6, atol=1e-8):
    """AssertionError naming `name`, the first differing index, both values and the largest difference,
    unless actual and expected have the same shape and agree within rtol/atol (NaN equals NaN; dtypes are
    checked separately by the tests that care)."""
    _assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=True, check_dtype=False, name=name)


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
