"""Hypothesis property tests: for any broadcastable shapes, outputs have NumPy's broadcast shape,
gradients have their input's shape, and both agree with PyTorch."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import nnlib
from op_table import OP_TABLE, sample
from parity import assert_close, run_both

BINARY = [spec for spec in OP_TABLE if spec.name in ("add", "sub", "mul", "div", "pow", "maximum", "minimum", "where")
          and len(spec.cases[0]) == 2]
REDUCTIONS = {
    "sum": lambda m, a, dim, keepdim: a.sum(dim=dim, keepdim=keepdim),
    "mean": lambda m, a, dim, keepdim: a.mean(dim=dim, keepdim=keepdim),
    "var": lambda m, a, dim, keepdim: a.var(dim=dim, keepdim=keepdim),
    "max": lambda m, a, dim, keepdim: a.max(dim=dim, keepdim=keepdim).values,
    "min": lambda m, a, dim, keepdim: a.min(dim=dim, keepdim=keepdim).values,
    "std": lambda m, a, dim, keepdim: a.std(dim=dim, keepdim=keepdim),
    "norm": lambda m, a, dim, keepdim: a.norm(dim=dim, keepdim=keepdim),
    "prod": lambda m, a, dim, keepdim: a.prod(dim=dim, keepdim=keepdim),
    "logsumexp": lambda m, a, dim, keepdim: m.logsumexp(a, dim=dim, keepdim=keepdim),
}
UNARY = [spec for spec in OP_TABLE if len(spec.cases[0]) == 1 and spec.cases == [((),), ((5,),), ((3, 4),), ((2, 3, 4),)]]

settings.register_profile("course", max_examples=25, deadline=None, derandomize=True)
settings.load_profile("course")


@pytest.mark.parametrize("spec", BINARY, ids=lambda s: s.id)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4))
def test_binary_ops_broadcast_like_numpy_and_torch(spec, shapes):
    rng = np.random.default_rng(0)
    arrays = [sample(s, spec.domain, rng) for s in shapes.input_shapes]
    out, expected, grads, expected_grads = run_both(spec.fn, arrays)
    assert out.shape == shapes.result_shape
    for array, grad in zip(arrays, grads):
        assert grad.shape == array.shape
    assert_close(f"{spec.id} forward", out, expected, rtol=1e-10, atol=1e-12)
    for k, (g, eg) in enumerate(zip(grads, expected_grads)):
        assert_close(f"{spec.id} grad {k}", g, eg, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=2, max_side=4), data=st.data())
def test_reductions_over_any_dim(name, shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    array = np.random.default_rng(0).standard_normal(shape)
    fn = lambda m, a: REDUCTIONS[name](m, a, dim, keepdim)  # noqa: E731
    out, expected, grads, expected_grads = run_both(fn, [array])
    assert out.shape == np.sum(array, axis=dim, keepdims=keepdim).shape
    assert grads[0].shape == shape
    assert_close(f"{name} forward", out, expected, rtol=1e-10, atol=1e-12)
    assert_close(f"{name} grad", grads[0], expected_grads[0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("spec", UNARY, ids=lambda s: s.id)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=4), dtype=st.sampled_from([np.float32, np.float64]))
def test_unary_ops_keep_shape_and_dtype(spec, shape, dtype):
    array = sample(shape, spec.domain, np.random.default_rng(0)).astype(dtype)
    out = spec.fn(nnlib, nnlib.tensor(array, requires_grad=True))
    if spec.name not in ("sum", "mean", "max", "to_dtype"):
        assert out.shape == shape
    if spec.name != "to_dtype":
        assert out.dtype == dtype
