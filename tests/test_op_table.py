"""Every differentiable op, driven by tests/op_table.py: gradient check, PyTorch parity, coverage."""
import numpy as np
import pytest

import nnlib
from op_table import OP_TABLE, sample
from parity import assert_close, run_both

CASES = [pytest.param(spec, shapes, id=f"{spec.id}-{'x'.join(map(str, shapes))}")
         for spec in OP_TABLE for shapes in spec.cases]


def missing_from_table(registered, table):
    """Names of registered ops that no table row exercises."""
    return sorted(set(registered) - {spec.name for spec in table})


def test_every_differentiable_op_has_a_row():
    assert missing_from_table(nnlib.DIFFERENTIABLE_OPS, OP_TABLE) == []


def test_coverage_check_notices_a_new_op():
    registered = dict(nnlib.DIFFERENTIABLE_OPS, softplus=lambda x: x)
    assert missing_from_table(registered, OP_TABLE) == ["softplus"]


def test_every_exported_function_that_builds_a_graph_is_registered():
    # an op that calls make_result but forgot @differentiable would escape the table
    for spec in OP_TABLE:
        for shapes in spec.cases:
            inputs = [nnlib.tensor(sample(s, spec.domain, np.random.default_rng(0)), requires_grad=True) for s in shapes]
            out = spec.fn(nnlib, *inputs)
            assert out.op in nnlib.DIFFERENTIABLE_OPS, f"{spec.id}: result made by unregistered op {out.op!r}"


@pytest.mark.parametrize("spec, shapes", CASES)
def test_gradcheck_float64(spec, shapes):
    rng = np.random.default_rng(1)
    grad_inputs = range(len(shapes)) if spec.grad_inputs is None else spec.grad_inputs
    inputs = [nnlib.tensor(sample(s, spec.domain, rng), requires_grad=k in grad_inputs) for k, s in enumerate(shapes)]
    assert nnlib.gradcheck(lambda *xs: spec.fn(nnlib, *xs), inputs)


@pytest.mark.parametrize("spec, shapes", CASES)
def test_parity_with_torch_float64(spec, shapes):
    rng = np.random.default_rng(2)
    arrays = [sample(s, spec.domain, rng) for s in shapes]
    out, expected, grads, expected_grads = run_both(spec.fn, arrays, spec.grad_inputs)
    assert_close(f"{spec.id} forward", out, expected, rtol=1e-10, atol=1e-12)
    for k, (g, eg) in enumerate(zip(grads, expected_grads)):
        assert_close(f"{spec.id} grad of input {k}", g, eg, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("spec, shapes", CASES)
def test_parity_with_torch_float32_keeps_dtype(spec, shapes):
    rng = np.random.default_rng(3)
    arrays = [sample(s, spec.domain, rng).astype(np.float32) for s in shapes]
    out, expected, grads, expected_grads = run_both(spec.fn, arrays, spec.grad_inputs)
    assert out.dtype == expected.dtype, f"{spec.id}: dtype {out.dtype}, torch gives {expected.dtype}"
    assert_close(f"{spec.id} forward", out, expected, rtol=1e-5, atol=1e-6)
    for k, (g, eg) in enumerate(zip(grads, expected_grads)):
        assert g.dtype == np.float32, f"{spec.id}: grad of input {k} has dtype {g.dtype}"
        assert_close(f"{spec.id} grad of input {k}", g, eg, rtol=1e-4, atol=1e-5)
