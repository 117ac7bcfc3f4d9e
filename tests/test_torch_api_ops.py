"""The functions and methods of issue 6, side by side with torch, for what the op table does not cover:
indices (argmax/argmin, min/max, sort, topk, one_hot), the axis= alias, argument spellings (std's
unbiased), dtypes, in-place forms, error messages, and inputs at the extremes (+-1e4, -1 + tiny, zeros).
"""
import math

import numpy as np
import pytest
import torch

import nnlib
from nnlib.ops._erf import erf, erfc
from parity import assert_close, run_both


def both(fn, *arrays):
    """fn(m, *tensors) for m = nnlib and m = torch (no gradients); returns the two results as NumPy arrays."""
    ours = fn(nnlib, *[nnlib.tensor(a) for a in arrays])
    theirs = fn(torch, *[torch.tensor(a) for a in arrays])
    return np.asarray(ours.numpy()), theirs.numpy()


def check_same(fn, *arrays, rtol=1e-12, atol=1e-14):
    """Same values, same dtype, same shape on nnlib and torch."""
    ours, theirs = both(fn, *arrays)
    assert ours.dtype == theirs.dtype, f"dtype {ours.dtype}, torch gives {theirs.dtype}"
    assert ours.shape == theirs.shape, f"shape {ours.shape}, torch gives {theirs.shape}"
    if ours.dtype.kind in "biu":
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert_close("value", ours, theirs, rtol=rtol, atol=atol)


def check_grads(fn, *arrays, rtol=1e-9, atol=1e-12):
    out, expected, grads, expected_grads = run_both(fn, [np.asarray(a, dtype=np.float64) for a in arrays])
    assert_close("forward", out, expected, rtol=rtol, atol=atol)
    for k, (g, eg) in enumerate(zip(grads, expected_grads)):
        assert np.all(np.isfinite(np.asarray(g))), f"grad of input {k} is not finite: {g}"
        assert_close(f"grad of input {k}", g, eg, rtol=rtol, atol=atol)


RNG = np.random.default_rng(0)
X34 = RNG.standard_normal((3, 4))
X234 = RNG.standard_normal((2, 3, 4))
TIES = np.array([[1.0, 3.0, 3.0, 0.0, 3.0], [2.0, 2.0, 0.0, 2.0, 0.0], [5.0, 5.0, 5.0, 5.0, 5.0]])


# ---- indices: argmax / argmin, max / min along a dim ---------------------------------------------------
@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("kwargs", [{}, {"dim": 0}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"keepdim": True},
                                    {"dim": 0, "keepdim": True}])
@pytest.mark.parametrize("data", [X34, TIES], ids=["distinct", "ties"])
def test_argmax_argmin_match_torch_including_ties_and_keepdim(name, kwargs, data):
    check_same(lambda m, x: getattr(m, name)(x, **kwargs), data)
    check_same(lambda m, x: getattr(x, name)(**kwargs), data)


@pytest.mark.parametrize("name", ["argmax", "argmin", "max", "min"])
def test_zero_dimensional_input_along_dim_0(name):
    fn = (lambda m, x: getattr(x, name)(dim=0)) if name.startswith("arg") else (lambda m, x: getattr(x, name)(dim=0).indices)
    check_same(fn, np.array(2.5))


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_along_dim_give_torch_values_and_first_index_on_ties(name, keepdim):
    for dim in (0, 1, -1):
        check_same(lambda m, x: getattr(m, name)(x, dim=dim, keepdim=keepdim).values, TIES)
        check_same(lambda m, x: getattr(x, name)(dim, keepdim).indices, TIES)
        values, indices = getattr(nnlib.tensor(TIES), name)(dim)  # a named tuple unpacks like torch's
        assert values.shape == indices.shape and indices.dtype == np.int64


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_over_everything_share_the_gradient_among_ties(name):
    check_grads(lambda m, x: getattr(x, name)(), TIES)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_along_dim_give_the_gradient_to_the_index_torch_picks(name):
    check_grads(lambda m, x: getattr(x, name)(dim=1).values * m.tensor([1.0, 2.0, 3.0], dtype=m.float64), TIES)


def test_max_and_min_of_two_tensors_are_maximum_and_minimum():
    check_same(lambda m, a, b: m.max(a, b), X34, X34[0])
    check_same(lambda m, a, b: a.min(b), X34, X34[:, :1])


# ---- sort and topk: values and indices ------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"dim": 0}, {"descending": True}, {"dim": 0, "descending": True},
                                    {"stable": True}, {"stable": True, "descending": True}])
def test_sort_values_and_indices_match_torch_stable(kwargs):
    for data in (X234, TIES):
        ours = nnlib.sort(nnlib.tensor(data), **kwargs)
        theirs = torch.sort(torch.tensor(data), **({"stable": True} | kwargs))
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
        assert ours.indices.dtype == np.int64


def test_sort_puts_nan_last_ascending_and_first_descending_as_torch():
    data = np.array([1.0, np.nan, -2.0, 3.0, np.nan])
    for descending in (False, True):
        ours, theirs = nnlib.tensor(data).sort(descending=descending), torch.tensor(data).sort(descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


def test_sort_of_integers_keeps_the_dtype():
    check_same(lambda m, x: x.sort(descending=True).values, np.array([3, 1, 2], dtype=np.int32))


@pytest.mark.parametrize("kwargs", [{"k": 2}, {"k": 2, "dim": 0}, {"k": 1, "largest": False}, {"k": 4, "dim": -1},
                                    {"k": 2, "dim": 1, "largest": False}, {"k": 0}])
def test_topk_values_and_indices_match_torch(kwargs):
    ours = nnlib.tensor(X234).topk(**kwargs) if kwargs.get("dim", -1) != 0 else nnlib.topk(nnlib.tensor(X234), **kwargs)
    theirs = torch.tensor(X234).topk(**kwargs)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    values, indices = ours
    assert indices.dtype == np.int64 and values.shape == tuple(theirs.values.shape)


def test_topk_with_ties_gives_torchs_values_and_valid_indices():
    # torch does not promise which of equal values it picks; the values, and that indices point at them, agree
    ours, theirs = nnlib.tensor(TIES).topk(3), torch.tensor(TIES).topk(3)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(np.take_along_axis(TIES, ours.indices.numpy(), 1), ours.values.numpy())


def test_sorted_indices_gather_back_the_sorted_values_with_gradient():
    check_grads(lambda m, x: x.gather(1, x.sort(dim=1, descending=True).indices) * x, X34)


# ---- one_hot -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("labels, num_classes", [([0, 2, 1, 2], -1), ([0, 2, 1], 5), ([[0], [3]], 4), (2, 3), ([], 3)])
def test_one_hot_matches_torch(labels, num_classes):
    ours = nnlib.nn.functional.one_hot(nnlib.tensor(labels, dtype=nnlib.int64), num_classes)
    theirs = torch.nn.functional.one_hot(torch.tensor(labels, dtype=torch.int64), num_classes)
    assert ours.dtype == np.int64 and ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert not ours.requires_grad


@pytest.mark.parametrize("labels, num_classes, error, match", [
    (nnlib.tensor([0.0, 1.0]), 3, TypeError, "integer tensor of class indices, got dtype float32"),
    (nnlib.tensor([-1, 0]), 3, ValueError, "non-negative, got -1"),
    (nnlib.tensor([3]), 3, ValueError, "smaller than num_classes=3, got 3"),
    (nnlib.tensor([], dtype=nnlib.int64), -1, ValueError, "empty tensor"),
])
def test_one_hot_errors_say_what_is_wrong(labels, num_classes, error, match):
    with pytest.raises(error, match=match):
        nnlib.nn.functional.one_hot(labels, num_classes)


# ---- axis= is another name for dim=, as in torch --------------------------------------------------------
AXIS_CALLS = {
    "sum": lambda m, x, kw: m.sum(x, **kw),
    "mean": lambda m, x, kw: x.mean(**kw, keepdim=True),
    "var": lambda m, x, kw: m.var(x, **kw),
    "std": lambda m, x, kw: x.std(**kw),
    "max": lambda m, x, kw: x.max(**kw).values,
    "min": lambda m, x, kw: m.min(x, **kw).indices,
    "argmax": lambda m, x, kw: m.argmax(x, **kw),
    "argmin": lambda m, x, kw: x.argmin(**kw),
    "softmax": lambda m, x, kw: m.softmax(x, **kw),
    "log_softmax": lambda m, x, kw: x.log_softmax(**kw),
    "logsumexp": lambda m, x, kw: m.logsumexp(x, **kw),
    "cumsum": lambda m, x, kw: x.cumsum(**kw),
    "prod": lambda m, x, kw: m.prod(x, **kw),
    "norm": lambda m, x, kw: x.norm(**kw),
    "cat": lambda m, x, kw: m.cat([x, x], **kw),
    "stack": lambda m, x, kw: m.stack([x, x], **kw),
    "unsqueeze": lambda m, x, kw: x.unsqueeze(**kw),
    "squeeze": lambda m, x, kw: x[:, :1].squeeze(**kw),
    "sort": lambda m, x, kw: x.sort(**kw).indices,
    "topk": lambda m, x, kw: m.topk(x, 2, **kw).values,
}


@pytest.mark.parametrize("name", sorted(AXIS_CALLS))
def test_axis_is_an_alias_of_dim(name):
    call = AXIS_CALLS[name]
    if name == "norm":  # torch.norm is the one that takes no axis=; nnlib's does, and equals torch's dim=
        ours, theirs = call(nnlib, nnlib.tensor(X34), {"axis": 1}).numpy(), call(torch, torch.tensor(X34), {"dim": 1}).numpy()
        assert_close("norm", ours, theirs, rtol=1e-12)
    else:
        check_same(lambda m, x: call(m, x, {"axis": 1}), X34)
    ours = call(nnlib, nnlib.tensor(X34), {"axis": 1}).numpy()
    np.testing.assert_array_equal(ours, call(nnlib, nnlib.tensor(X34), {"dim": 1}).numpy())


@pytest.mark.parametrize("name", sorted(AXIS_CALLS))
def test_giving_dim_and_axis_is_a_type_error(name):
    # (dim=1 is no op's default: cat's dim=0 or sort's dim=-1 left at the default is replaced by axis=, silently)
    with pytest.raises(TypeError, match=r"both dim=1 and axis=0"):
        AXIS_CALLS[name](nnlib, nnlib.tensor(X34), {"dim": 1, "axis": 0})


def test_an_op_that_needs_a_dim_says_so():
    with pytest.raises(TypeError, match=r"cumsum\(\) missing required argument 'dim' \(or its alias 'axis'\)"):
        nnlib.tensor(X34).cumsum()
    with pytest.raises(TypeError, match=r"softmax\(\) missing required argument 'dim'"):
        nnlib.softmax(nnlib.tensor(X34))


# ---- argument spellings and dtypes ---------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda m, x: x.std(0, True), lambda m, x: x.std(1, False), lambda m, x: m.std(x, True), lambda m, x: m.std(x, False),
    lambda m, x: x.std(dim=1, unbiased=False, keepdim=True), lambda m, x: x.std(dim=(0, 1), correction=2),
    lambda m, x: x.var(0, False), lambda m, x: m.var(x, False), lambda m, x: x.var(1, True, True),
    lambda m, x: x.var(dim=1, correction=0),
], ids=["std-dim-unbiased", "std-dim-biased", "std-unbiased-only", "std-biased-only", "std-keywords", "std-correction-2",
        "var-dim-biased", "var-biased-only", "var-positional-keepdim", "var-correction-0"])
def test_std_and_var_take_torchs_three_spellings(call):
    check_same(call, X34)


def test_std_refuses_unbiased_and_correction_together_and_integer_input():
    with pytest.raises(TypeError, match="unbiased= or correction=, not both"):
        nnlib.tensor(X34).std(dim=1, unbiased=True, correction=0)
    with pytest.raises(TypeError, match="floating-point.*int64"):
        nnlib.tensor([1, 2, 3]).std()


@pytest.mark.parametrize("call", [
    lambda m, x: m.sin(x), lambda m, x: m.cos(x), lambda m, x: m.log1p(x), lambda m, x: m.expm1(x),
    lambda m, x: m.sign(x), lambda m, x: m.square(x), lambda m, x: x.cumsum(0), lambda m, x: x.prod(),
    lambda m, x: x.prod(0), lambda m, x: m.sign(x - 2), lambda m, x: x.gather(0, m.tensor([2, 0])),
    lambda m, x: x.masked_fill(x > 1, 7), lambda m, x: x.masked_fill(x > 1, 2.7), lambda m, x: x.tril() if x.ndim > 1 else x,
    lambda m, x: m.einsum("i,i->", x, x),
], ids=["sin", "cos", "log1p", "expm1", "sign", "square", "cumsum", "prod", "prod-dim", "sign-negative", "gather",
        "masked-fill-int", "masked-fill-float-value", "tril", "einsum"])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_inputs_give_torchs_dtype(call, dtype):
    check_same(call, np.array([1, 2, 3], dtype=dtype), rtol=1e-6)


@pytest.mark.parametrize("call", [lambda m, x: x.cumsum(0), lambda m, x: x.prod(), lambda m, x: m.sign(x)],
                         ids=["cumsum", "prod", "sign"])
def test_boolean_inputs_give_torchs_dtype(call):
    check_same(call, np.array([True, False, True]))


@pytest.mark.parametrize("call", [lambda m, x: x.norm(), lambda m, x: x.std(), lambda m, x: x.cumsum(1),
                                  lambda m, x: x.prod(1), lambda m, x: m.nn.functional.gelu(x), lambda m, x: x.sort().values,
                                  lambda m, x: m.outer(x[0], x[1]), lambda m, x: m.einsum("ij->j", x)],
                         ids=["norm", "std", "cumsum", "prod", "gelu", "sort", "outer", "einsum"])
def test_float32_stays_float32(call):
    check_same(call, X34.astype(np.float32), rtol=1e-6, atol=1e-6)


def test_outer_promotes_like_torch():
    check_same(lambda m, a, b: m.outer(a, b), X34[0].astype(np.float32), X34[1])


def test_cumsum_and_prod_take_a_dtype():
    check_same(lambda m, x: x.cumsum(0, dtype=m.float64), X34.astype(np.float32))
    check_same(lambda m, x: m.prod(x, 1, dtype=m.float64), X34.astype(np.float32))


@pytest.mark.parametrize("p", [2, 1, float("inf"), -float("inf"), 3, 0, "fro"])
def test_norm_orders_match_torch(p):
    check_same(lambda m, x: m.norm(x, p=p), X34)
    check_same(lambda m, x: x.norm(p, 1, True), X34)


# ---- in-place and functional forms ---------------------------------------------------------------------------
def test_masked_fill_and_scatter_in_place_match_torch():
    mask = X34 > 0
    for name, call in [("masked_fill_", lambda m, y: y.masked_fill_(m.tensor(mask), -2.0)),
                       ("scatter_", lambda m, y: y.scatter_(1, m.tensor([[0], [3], [1]]), 9.0)),
                       ("scatter_add_", lambda m, y: y.scatter_add_(0, m.tensor([[0, 1, 2, 0]]), m.ones(1, 4, dtype=y.dtype)))]:
        ours, theirs = nnlib.tensor(X34), torch.tensor(X34)
        assert call(nnlib, ours) is ours and call(torch, theirs) is theirs
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=name)


def test_in_place_masked_fill_on_a_non_leaf_backpropagates_like_torch():
    check_grads(lambda m, x: (x * 2).masked_fill_(m.tensor(X34 > 0), 0.5) * x, X34)


def test_leaky_relu_and_silu_in_place_on_a_non_leaf_match_torch():
    check_grads(lambda m, x: m.nn.functional.leaky_relu(x * 1, 0.1, inplace=True), X34)
    check_grads(lambda m, x: m.nn.functional.silu(x * 1, inplace=True), X34)


def test_expand_is_a_read_only_view_that_follows_its_base():
    x = nnlib.tensor([[1.0], [2.0]])
    y = x.expand(2, 3)
    with nnlib.no_grad():
        x.mul_(10)  # as in torch, the expanded view sees the change
    np.testing.assert_array_equal(y.numpy(), [[10.0] * 3, [20.0] * 3])
    with pytest.raises(RuntimeError, match="read-only.*clone"):
        y.add_(1)
    z = y.clone()
    z.add_(1)  # a clone has its own memory
    assert z.numpy()[0, 0] == 11.0 and x.numpy()[0, 0] == 10.0


def test_scatter_with_a_src_larger_than_index_uses_its_corner_and_backpropagates_there():
    # torch's forward does the same, but its backward errors for a larger src ("invalid gradient"); nnlib's is right
    index = [[0, 2], [1, 3]]
    x, src = nnlib.tensor(X34, requires_grad=True), nnlib.tensor(RNG.standard_normal((3, 3)), requires_grad=True)
    out = x.scatter(1, nnlib.tensor(index), src)
    expected = torch.tensor(X34).scatter(1, torch.tensor(index), torch.tensor(src.detach().numpy()))
    np.testing.assert_array_equal(out.detach().numpy(), expected.numpy())
    out.backward(nnlib.tensor(np.arange(12.0).reshape(3, 4)))
    np.testing.assert_array_equal(src.grad.numpy(), [[0.0, 2.0, 0.0], [5.0, 7.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 1.0, 0.0, 3.0], [4.0, 0.0, 6.0, 0.0], [8.0, 9.0, 10.0, 11.0]])


# ---- error messages -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, match", [
    (lambda x: x.gather(1, nnlib.tensor([0, 1])), ValueError,
     r"gather: index has 1 dimensions \(shape \(2,\)\) but the input has 2 \(shape \(3, 4\)\)"),
    (lambda x: x.gather(1, nnlib.tensor([[0, 5]])), IndexError, r"gather: index 5 is out of bounds for dimension 1 with size 4"),
    (lambda x: x.gather(1, nnlib.tensor([[0, -1]])), IndexError, r"index -1 is out of bounds"),
    (lambda x: x.gather(1, nnlib.tensor([[0.0, 1.0]])), TypeError, r"gather: index must be an integer tensor, got dtype float32"),
    (lambda x: x.gather(1, nnlib.zeros(4, 2, dtype=nnlib.int64)), ValueError,
     r"index of shape \(4, 2\) is larger than the input of shape \(3, 4\) in dimension 0"),
    (lambda x: x.gather(2, nnlib.zeros(3, 4, dtype=nnlib.int64)), IndexError, r"gather: dimension 2 is out of range"),
    (lambda x: x.scatter(1, nnlib.tensor([[0, 1]]), nnlib.ones(1, 2, dtype=nnlib.float32)), TypeError,
     r"scatter: src has dtype float32 but the input has dtype float64"),
    (lambda x: x.scatter(1, nnlib.tensor([[0, 1]]), nnlib.ones(1, 1, dtype=nnlib.float64)), ValueError,
     r"index of shape \(1, 2\) is larger than src of shape \(1, 1\) in dimension 1"),
    (lambda x: x.scatter(1, nnlib.tensor([[0, 1]]), nnlib.ones(2, dtype=nnlib.float64)), ValueError,
     r"scatter: src has shape \(2,\) but the input has shape \(3, 4\)"),
    (lambda x: x.scatter(1, nnlib.tensor([[0]]), 1.0, reduce="add"), ValueError, "scatter_add"),
    (lambda x: x.topk(5), ValueError, r"topk: k=5 is out of range for dimension 1 of size 4 of the input of shape \(3, 4\)"),
    (lambda x: x.topk(-1), ValueError, r"k=-1 is out of range"),
    (lambda x: x.sort(dim=2), IndexError, r"sort: dimension 2 is out of range for a tensor with 2 dimensions"),
    (lambda x: nnlib.einsum("ij,jk->ik", x), ValueError, r"equation 'ij,jk->ik' has 2 operand term\(s\) but 1 operand\(s\)"),
    (lambda x: nnlib.einsum("ij->i", x, x), ValueError, r"1 operand term\(s\) but 2 operand\(s\)"),
    (lambda x: nnlib.einsum("ij,jk->ik", x, x), ValueError,
     r"subscript of 'ij,jk->ik' \('j', or one under '...'\) has size 3 in operand 1 \(shape \(3, 4\)\) but size 4"),
    (lambda x: nnlib.einsum("ijk->i", x), ValueError, r"subscripts 'ijk' name 3 dimension\(s\) but operand 0 has shape \(3, 4\)"),
    (lambda x: nnlib.einsum("ij->k", x), ValueError, r"output subscript 'k' of 'ij->k' appears in no operand"),
    (lambda x: nnlib.einsum("ij->ii", x), ValueError, r"output subscript 'i' appears more than once"),
    (lambda x: nnlib.einsum("ii->i", x), ValueError, r"subscript 'i' is repeated in operand 0 .* sizes differ \(3 and 4"),
    (lambda x: nnlib.einsum("i1->i", x), ValueError, r"invalid subscript\(s\) \['1'\]"),
    (lambda x: nnlib.einsum("ij,jk", x, nnlib.ones(4, 2)), RuntimeError, r"einsum \(operands 0 and 1\).*same dtype"),
    (lambda x: x.masked_fill(x > 0.0 + 0, 1.0).masked_fill(nnlib.ones(3, 4), 0.0), TypeError,
     r"masked_fill: mask must be a boolean tensor, got dtype float32"),
    (lambda x: x.masked_fill(nnlib.ones(2, 4, dtype=nnlib.bool), 0.0), ValueError, r"masked_fill: shapes \(3, 4\) and \(2, 4\)"),
    (lambda x: x.masked_fill(x > 0, nnlib.ones(2)), ValueError, r"value must be a number or a 0-d tensor"),
    (lambda x: x[0].tril(), ValueError, r"tril: the input must have at least 2 dimensions, got shape \(4,\)"),
    (lambda x: x.expand(4, 4), ValueError,
     r"expand: the expanded size 4 must match the existing size 3 at non-singleton dimension 0"),
    (lambda x: x.expand(4), ValueError, r"expand: 1 sizes \[4\] are fewer than the 2 dimensions"),
    (lambda x: x.repeat(2), ValueError, r"repeat: 1 repeat counts \[2\] are fewer than the 2 dimensions"),
    (lambda x: nnlib.outer(x, x[0]), ValueError, r"outer: expected two 1-D tensors, got shapes \(3, 4\) and \(4,\)"),
    (lambda x: x.norm(p="nuc"), ValueError, "nuclear norm"),
    (lambda x: x.norm(p="inf"), ValueError, r"unknown order p='inf'"),
    (lambda x: nnlib.norm(nnlib.tensor([1, 2])), TypeError, "norm: expected a floating-point tensor, got dtype int64"),
    (lambda x: nnlib.nn.functional.gelu(x, approximate="fast"), ValueError, "approximate must be 'none' or 'tanh'"),
    (lambda x: nnlib.nn.functional.gelu(nnlib.tensor([1, 2])), TypeError, "gelu: expected a floating-point tensor"),
])
def test_bad_input_gets_an_error_naming_shapes_dims_or_dtypes(call, error, match):
    with pytest.raises(error, match=match):
        call(nnlib.tensor(X34))


def test_in_place_leaky_relu_on_a_leaf_that_requires_grad_is_refused_as_in_torch():
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad.*leaky_relu_"):
        nnlib.nn.functional.leaky_relu(nnlib.tensor(X34, requires_grad=True), inplace=True)


# ---- extreme inputs: finite values and gradients, as torch -------------------------------------------------
EXTREMES = np.array([-1e4, -1e3, -60.0, -30.0, -8.0, -1e-8, 0.0, 1e-8, 8.0, 30.0, 1e3, 1e4])


@pytest.mark.parametrize("fn", [
    lambda m, x: m.nn.functional.gelu(x), lambda m, x: m.nn.functional.gelu(x, approximate="tanh"),
    lambda m, x: m.nn.functional.silu(x), lambda m, x: m.nn.functional.leaky_relu(x, 0.2),
    lambda m, x: m.sin(x), lambda m, x: m.expm1(x.clamp(max=50.0)), lambda m, x: m.sign(x), lambda m, x: m.log1p(x.abs()),
], ids=["gelu", "gelu-tanh", "silu", "leaky-relu", "sin", "expm1", "sign", "log1p"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activations_stay_finite_and_match_torch_at_extreme_inputs(fn, dtype):
    data = EXTREMES.astype(dtype)
    out, expected, grads, expected_grads = run_both(fn, [data])
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(np.asarray(grads[0])))
    # atol: torch's GELU computes 1 + erf(x / sqrt 2), which loses everything to cancellation below x = -8
    # (it gives -4.88e-15 at x = -8 in float64, and -0.0 in float32, for -4.98e-15); nnlib's uses erfc
    tol = (1e-12, 1e-14) if dtype == np.float64 else (1e-5, 1e-6)
    assert_close("forward", out, expected, rtol=tol[0], atol=tol[1])
    assert_close("grad", grads[0], expected_grads[0], rtol=tol[0], atol=tol[1])


def test_gelu_far_left_is_accurate_not_zero_from_cancellation():
    # x Phi(x) at x = -30 is about -1.5e-196; 1 + erf(x / sqrt 2) would round to 0 there (torch gives -0.0).
    # rtol 1e-12: rounding x / sqrt 2 alone moves erfc there by about 2 (x^2 / 2) 1e-16 = 1e-13, relatively
    x = [-30.0, -10.0, -8.0, -3.0]
    y = nnlib.nn.functional.gelu(nnlib.tensor(x, dtype=nnlib.float64)).numpy()
    expected = [v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x]
    assert_close("gelu", y, expected, rtol=1e-12, atol=0)


def test_log1p_near_minus_one_and_expm1_near_zero_are_accurate_and_finite():
    check_grads(lambda m, x: m.log1p(x), np.array([-1 + 1e-15, -1 + 1e-10, -0.5, 1e-300, 1e-12]), rtol=1e-12)
    check_grads(lambda m, x: m.expm1(x), np.array([1e-300, -1e-15, 1e-10, -700.0, 700.0]), rtol=1e-12)
    assert nnlib.log1p(nnlib.tensor([1e-17], dtype=nnlib.float64)).item() == 1e-17  # log(1 + x) would give 0


@pytest.mark.parametrize("fn", [
    lambda m, x: x.norm(), lambda m, x: x.norm(p=1), lambda m, x: x.norm(p=float("inf")), lambda m, x: x.norm(p=3),
    lambda m, x: x.norm(dim=1), lambda m, x: x.std(), lambda m, x: x.std(dim=0), lambda m, x: x.prod(dim=1),
    lambda m, x: x.prod(),
], ids=["norm", "norm-p1", "norm-inf", "norm-p3", "norm-dim", "std", "std-dim", "prod-dim", "prod"])
def test_zeros_give_finite_gradients_like_torch(fn):
    check_grads(fn, np.zeros((2, 3)))


def test_norm_of_one_zero_row_keeps_the_other_rows_gradient():
    check_grads(lambda m, x: x.norm(dim=1), np.array([[0.0, 0.0, 0.0], [3.0, -4.0, 0.0]]))
    check_grads(lambda m, x: x.norm(p=float("inf"), dim=1), np.array([[0.0, 0.0], [3.0, -3.0]]))


def test_softmax_after_an_attention_mask_of_minus_inf_matches_torch():
    mask = np.triu(np.ones((4, 4), dtype=bool), 1)
    check_grads(lambda m, x: x.masked_fill(m.tensor(mask), float("-inf")).softmax(dim=-1), RNG.standard_normal((4, 4)))


# ---- erf, the helper behind GELU ------------------------------------------------------------------------------
def test_erf_agrees_with_math_erf_to_a_few_ulp():
    x = np.concatenate([np.linspace(-7, 7, 20001), np.geomspace(1e-300, 7, 2001), -np.geomspace(1e-300, 7, 2001)])
    reference = np.array([math.erf(v) for v in x])
    assert np.all(erf(x)[x == 0] == 0)
    x, reference = x[x != 0], reference[x != 0]
    relative = np.abs(erf(x) - reference) / np.abs(reference)
    assert relative.max() < 1e-15, f"max relative error {relative.max():.3g} at x = {x[relative.argmax()]}"


def test_erfc_agrees_with_math_erfc_relative_to_its_size_into_the_far_tail():
    x = np.concatenate([np.linspace(-5, 26.5, 20001), np.linspace(5.99, 6.01, 101)])
    reference = np.array([math.erfc(v) for v in x])
    relative = np.abs(erfc(x) - reference) / reference
    assert relative.max() < 2e-15, f"max relative error {relative.max():.3g} at x = {x[relative.argmax()]}"


def test_erf_and_erfc_at_the_edges():
    edges = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 30.0, -30.0, 1e300])
    np.testing.assert_array_equal(erf(edges), [1.0, -1.0, np.nan, 0.0, -0.0, 1.0, -1.0, 1.0])
    np.testing.assert_array_equal(erfc(edges), [0.0, 2.0, np.nan, 1.0, 1.0, 0.0, 2.0, 0.0])
    assert np.signbit(erf(np.array([-0.0]))[0])
    assert erf(np.float64(0.5)).shape == () and erf(0.5) == pytest.approx(math.erf(0.5), rel=1e-15)  # 0-d works too
    assert erfc(np.zeros((2, 0))).shape == (2, 0)
