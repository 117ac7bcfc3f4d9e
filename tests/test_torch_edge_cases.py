"""nnlib against torch where code is easy to get wrong: an in-place op whose operand is the tensor itself,
outputs that backward reads, integer inputs, promotion across many tensors, gradients that must stay
finite at extreme inputs, a custom Function's gradient shape, save/load and device comparisons, and
basic indexing returning a view. Every expected value comes from torch, run on the same inputs.
"""
import io

import numpy as np
import pytest
import torch

import nnlib

LIBS = [nnlib, torch]


def grad_of(lib, fn, data, dtype="float64"):
    x = lib.tensor(np.asarray(data, dtype=dtype), requires_grad=True)
    fn(lib, x).sum().backward()
    return np.asarray(x.grad.detach().numpy() if lib is torch else x.grad.data)


def outcome(lib, fn):
    """fn(lib)'s value as an array, or the type of the error it raised."""
    try:
        value = fn(lib)
    except (RuntimeError, TypeError, ValueError, IndexError) as err:
        return type(err).__name__
    return np.asarray(value.detach().numpy() if lib is torch else value.data)


# ---- an in-place op whose other operand is self -------------------------------------------------------------
@pytest.mark.parametrize("name, step", [
    ("y += y", lambda y: y.add_(y)),
    ("y.add_(y, alpha=2)", lambda y: y.add_(y, alpha=2)),
    ("y.sub_(y)", lambda y: y.sub_(y)),
    ("y.copy_(y)", lambda y: y.copy_(y)),
])
def test_inplace_with_self_as_operand_has_torchs_gradient(name, step):
    def fn(lib, x):
        y = x * 1
        step(y)
        return y
    np.testing.assert_allclose(grad_of(nnlib, fn, [1.0, 2.0]), grad_of(torch, fn, [1.0, 2.0]), err_msg=name)


# ---- outputs that backward reads, changed in place --------------------------------------------------------
def test_layer_norm_without_weight_then_inplace_keeps_the_gradient():
    def fn(lib, x):
        y = lib.nn.functional.layer_norm(x * 1, (3,))
        y.mul_(2)
        return y * lib.tensor([[1.0, 0.0, 0.0]], dtype=lib.float64)
    np.testing.assert_allclose(grad_of(nnlib, fn, [[1.0, 2.0, 4.0]]), grad_of(torch, fn, [[1.0, 2.0, 4.0]]),
                               rtol=1e-10)


def test_batchnorm_without_affine_then_inplace_silu_matches_torch():
    data = np.random.default_rng(0).standard_normal((2, 3, 2, 2))
    grads = []
    for lib in LIBS:
        model = lib.nn.Sequential(lib.nn.BatchNorm2d(3, affine=False), lib.nn.SiLU(inplace=True)).double()
        x = lib.tensor(data, requires_grad=True)
        (model(x) * lib.tensor(np.arange(24.0).reshape(2, 3, 2, 2))).sum().backward()
        grads.append(np.asarray(x.grad.detach().numpy() if lib is torch else x.grad.data))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("which", ["sort", "topk"])
def test_indices_from_sort_and_topk_are_their_own_memory(which):
    """Changing the returned indices must not move the gradient: torch refuses at backward (it saved them);
    nnlib keeps its own copy, so the gradient is the one torch gives without the change."""
    def pick(lib, x):
        return x.sort() if which == "sort" else x.topk(2)

    weights = [1.0, 10.0, 100.0][:3 if which == "sort" else 2]
    x = nnlib.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, indices = pick(nnlib, x)
    indices.zero_()
    (values * nnlib.tensor(weights)).sum().backward()
    xt = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    (pick(torch, xt)[0] * torch.tensor(weights)).sum().backward()
    assert x.grad.tolist() == xt.grad.tolist()
    values, indices = pick(torch, torch.tensor([3.0, 1.0, 2.0], requires_grad=True))
    indices.zero_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (values * torch.tensor(weights)).sum().backward()


def test_logsumexp_output_changed_in_place_is_refused_as_in_torch():
    for lib in LIBS:
        x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        y = x.logsumexp(1)
        with lib.no_grad():
            y.add_(100)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


# ---- integer inputs, and promotion across many tensors -------------------------------------------------------
@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "tanh", "sigmoid", "sin"])
def test_float_ops_of_an_integer_tensor_are_float32_as_in_torch(op):
    values = {}
    for lib in LIBS:
        out = getattr(lib.tensor([1, 2, 3]), op)()
        assert str(out.dtype).endswith("float32"), f"{lib.__name__}.{op} of int64 gave {out.dtype}"
        values[lib] = np.asarray(out.tolist())
    np.testing.assert_allclose(values[nnlib], values[torch], rtol=1e-6)


def test_integer_clamp_to_a_float_bound_is_float32():
    for lib in LIBS:
        out = lib.tensor([0, 1, 2]).clamp(min=0.5)
        assert str(out.dtype).endswith("float32") and out.tolist() == [0.5, 1.0, 2.0], lib.__name__
        assert lib.tensor([0, 5]).clamp(max=3).tolist() == [0, 3]


def test_clamp_to_a_tensor_bound_says_what_to_use():
    with pytest.raises(TypeError, match="nnlib.maximum"):
        nnlib.tensor([0.0, 1.0], requires_grad=True).clamp(min=nnlib.tensor([0.5, 0.5]))


def test_cast_to_an_integer_dtype_leaves_the_graph():
    for lib in LIBS:
        x = lib.tensor([1.5, 2.5], requires_grad=True)
        assert not x.long().requires_grad and not x.to(lib.int32).requires_grad, lib.__name__
        assert x.double().requires_grad, lib.__name__
        with pytest.raises(RuntimeError):
            (x.long().float() * 3).sum().backward()


@pytest.mark.parametrize("join", ["cat", "stack"])
@pytest.mark.parametrize("dtypes", [("int64", "float32"), ("float32", "float64"), ("bool", "int64"),
                                    ("int32", "int64", "float32")])
def test_cat_and_stack_promote_as_torch(join, dtypes):
    got = {}
    for lib in LIBS:
        parts = [lib.tensor(np.ones(2, dtype=d)) for d in dtypes]
        got[lib] = str(getattr(lib, join)(parts).dtype).split(".")[-1]
    assert got[nnlib] == got[torch]


def test_cat_of_mixed_dtypes_backpropagates_into_each_dtype():
    a = nnlib.tensor([1.0, 2.0], dtype=nnlib.float32, requires_grad=True)
    b = nnlib.tensor([3.0], dtype=nnlib.float64, requires_grad=True)
    out = nnlib.cat([a, b])
    assert out.dtype == np.float64
    (out * nnlib.tensor([1.0, 2.0, 3.0], dtype=nnlib.float64)).sum().backward()
    assert a.grad.dtype == np.float32 and a.grad.tolist() == [1.0, 2.0] and b.grad.tolist() == [3.0]


def test_linear_refuses_a_bias_of_another_dtype_as_torch():
    for lib in LIBS:
        with pytest.raises(RuntimeError):
            lib.nn.functional.linear(lib.ones(1, 2), lib.ones(3, 2), lib.ones(3, dtype=lib.float64))


# ---- gradients that must stay finite ------------------------------------------------------------------------
@pytest.mark.parametrize("name, fn, data", [
    ("a / b, tiny b", lambda lib, x: x / x, [1e-160, 1e-200]),
    ("a / b, tiny b (float32)", lambda lib, x: x / x, np.array([1e-25, 1e-30], dtype=np.float32)),
    ("a ** 0 at a = 0", lambda lib, x: x ** 0, [0.0, 2.0]),
    ("0 ** b in b", lambda lib, x: lib.zeros(2, dtype=x.dtype) ** x, [1.0, 2.0]),
])
def test_gradients_stay_finite_and_equal_torchs(name, fn, data):
    dtype = getattr(data, "dtype", "float64")
    ours, theirs = grad_of(nnlib, fn, data, dtype), grad_of(torch, fn, data, dtype)
    assert np.all(np.isfinite(ours)), f"{name}: {ours}"
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, err_msg=name)


def test_divisor_gradient_of_tiny_values_is_finite():
    b = nnlib.tensor([1e-25], requires_grad=True)
    (nnlib.tensor([1e-25]) / b).sum().backward()
    bt = torch.tensor([1e-25], requires_grad=True)
    (torch.tensor([1e-25]) / bt).sum().backward()
    assert np.isfinite(b.grad.item()) and b.grad.item() == pytest.approx(bt.grad.item(), rel=1e-5)


def test_std_of_huge_float32_values_is_finite_as_in_torch():
    for lib in LIBS:
        x = lib.tensor([1e20, 0.0, -1e20], requires_grad=True)
        y = x.std()
        y.backward()
        assert y.item() == pytest.approx(1e20, rel=1e-6), lib.__name__
        np.testing.assert_allclose(x.grad.tolist(), [0.5, 0.0, -0.5], rtol=1e-6)


def test_var_that_overflows_is_inf_without_a_warning(recwarn):
    assert nnlib.tensor([1e20, 0.0, -1e20]).var().item() == np.inf
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# ---- a custom Function's gradient, save/load, devices, index errors ------------------------------------------
def _function(lib, backward_value):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return backward_value(lib, grad)
    return Bad


@pytest.mark.parametrize("name, value", [
    ("a scalar", lambda lib, g: g.sum()),
    ("too short", lambda lib, g: g[:2]),
])
def test_custom_function_with_a_wrong_gradient_shape_is_refused(name, value):
    for lib in LIBS:
        x = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="invalid gradient at index 0"):
            _function(lib, value).apply(x).sum().backward()


def test_custom_function_gradient_that_broadcasts_up_is_summed_back():
    grads = {}
    for lib in LIBS:
        x = lib.ones(3, requires_grad=True)
        _function(lib, lambda lib, g: g * lib.ones(2, 3)).apply(x).sum().backward()
        grads[lib] = x.grad.tolist()
    assert grads[nnlib] == grads[torch] == [2.0, 2.0, 2.0]


def test_save_and_load_a_size():
    buffer = io.BytesIO()
    nnlib.save({"size": nnlib.ones(2, 3).size(), "epoch": 3}, buffer)
    buffer.seek(0)
    loaded = nnlib.load(buffer)
    assert loaded == {"size": (2, 3), "epoch": 3} and type(loaded["size"]) is nnlib.Size


def test_load_names_the_class_it_refuses():
    import pickle

    buffer = io.BytesIO(pickle.dumps({"bad": io.StringIO}))
    with pytest.raises(RuntimeError, match="refuses to load _io.StringIO"):
        nnlib.load(buffer)


def test_comparing_a_device_with_another_devices_name_is_false():
    for lib in LIBS:
        assert (lib.ones(1).device == "cuda") is False
        assert (lib.ones(1).device == "cuda:0") is False
    assert nnlib.ones(1).device == "cpu"


def test_a_float_index_is_called_invalid_not_out_of_range():
    with pytest.raises(IndexError) as err:
        nnlib.ones(3)[1.5]
    assert "out of range" not in str(err.value) and "only integers" in str(err.value)
    with pytest.raises(IndexError, match="out of range"):
        nnlib.ones(3)[5]


# ---- basic indexing is a view, as in torch ----------------------------------------------------------------------
@pytest.mark.parametrize("name, change", [
    ("x[0].add_(1)", lambda x: x[0].add_(1)),
    ("x[1:, 2].fill_(5)", lambda x: x[1:, 2].fill_(5)),
    ("x[0, 1].zero_()", lambda x: x[0, 1].zero_()),
    ("x[..., None][2].mul_(3)", lambda x: x[..., None][2].mul_(3)),
])
def test_an_inplace_change_through_basic_indexing_changes_the_tensor(name, change):
    results = []
    for lib in LIBS:
        x = lib.tensor(np.arange(12.0).reshape(3, 4))
        change(x)
        results.append(x.tolist())
    assert results[0] == results[1], name


def test_padding_row_zeroed_through_the_weight_under_no_grad():
    embedding = nnlib.nn.Embedding(5, 3)
    with nnlib.no_grad():
        embedding.weight[0].fill_(0)
    assert np.all(embedding.weight.data[0] == 0)


def test_advanced_indexing_still_copies_as_in_torch():
    for lib in LIBS:
        x = lib.tensor(np.arange(6.0))
        x[[0, 1]].add_(10)
        x[x > 3].zero_()
        assert x.tolist() == list(range(6)), lib.__name__


def test_a_view_from_indexing_sees_the_version_of_its_base():
    x = nnlib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 1
    row = h[1:]
    y = row * row  # mul saves row, whose memory is h's
    with nnlib.no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("dim", [1, (0, 2), (-1,)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_logsumexp_over_several_dims_matches_torch(dim, keepdim):
    data = np.random.default_rng(0).standard_normal((2, 3, 4))
    results = []
    for lib in LIBS:
        x = lib.tensor(data, requires_grad=True)
        y = x.logsumexp(dim, keepdim=keepdim)
        (y * y).sum().backward()
        results.append((np.asarray(y.tolist()), np.asarray(x.grad.tolist())))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


@pytest.mark.parametrize("shape, dim", [((0,), 0), ((0, 3), 0), ((2, 0), 1), ((5,), 0), ((4, 2), 0), ((6,), 0)])
@pytest.mark.parametrize("how", ["split 2", "chunk 1", "chunk 3", "chunk 4"])
def test_split_and_chunk_give_torchs_pieces_also_of_an_empty_dimension(shape, dim, how):
    kind, n = how.split()
    pieces = {lib: getattr(lib.zeros(*shape), kind)(int(n), dim) for lib in LIBS}
    assert [tuple(p.shape) for p in pieces[nnlib]] == [tuple(p.shape) for p in pieces[torch]]
