"""PyTorch idioms that learners write, run on nnlib and on torch side by side (values and dtypes).

In-place updates and their autograd rules, `.grad` as a tensor, dtype and device vocabulary,
PyTorch's type promotion, grad_fn, custom autograd Functions, save/load and nnlib.utils.data.
"""
import io

import numpy as np
import pytest
import torch

import nnlib

LIBS = [nnlib, torch]


def as_array(t):
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


# ---- in-place updates ---------------------------------------------------------------------------------
@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_loop_over_parameters_with_minus_equals_trains(lib):
    """`for p in model.parameters(): p -= lr * p.grad` must change the parameters themselves."""
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 1)
    x = lib.tensor(np.linspace(-1, 1, 30, dtype=np.float32).reshape(10, 3))
    y = (x.sum(dim=1, keepdim=True) * 2.0)
    losses = []
    for _ in range(50):
        loss = ((model(x) - y) ** 2).mean()
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with lib.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
    assert losses[-1] < 0.05 * losses[0]
    assert all(p.is_leaf and p.requires_grad for p in model.parameters())


@pytest.mark.parametrize("method, args, expected", [
    ("sub_", (nnlib.tensor([1.0, 1.0]),), [0.0, 1.0]),
    ("add_", (nnlib.tensor([1.0, 1.0]),), [2.0, 3.0]),
    ("mul_", (3.0,), [3.0, 6.0]),
    ("div_", (2.0,), [0.5, 1.0]),
    ("zero_", (), [0.0, 0.0]),
    ("fill_", (7.0,), [7.0, 7.0]),
    ("copy_", (nnlib.tensor([5.0, 6.0]),), [5.0, 6.0]),
    ("clamp_", (1.5, 1.75), [1.5, 1.75]),
])
def test_in_place_methods_under_no_grad_change_the_same_tensor(method, args, expected):
    for lib in LIBS:
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        data_before = w.data if lib is nnlib else None
        converted = [lib.tensor(a.tolist()) if isinstance(a, nnlib.Tensor) else a for a in args]
        with lib.no_grad():
            returned = getattr(w, method)(*converted)
        assert returned is w and w.is_leaf and w.requires_grad
        assert as_array(w).tolist() == expected, (lib.__name__, method)
        assert w.dtype == (np.float32 if lib is nnlib else torch.float32)
        if lib is nnlib:
            assert w.data is data_before, "the update must write into the same array"


def test_zero_is_exactly_zero_even_for_inf_and_nan():
    w = nnlib.tensor([np.inf, np.nan, -1.0])
    assert w.zero_().tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_in_place_on_a_leaf_that_requires_grad_raises_outside_no_grad(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place operation"):
        w -= 1.0
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.mul_(2.0)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_changing_a_saved_tensor_in_place_is_detected_at_backward(lib):
    x = lib.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()          # exp's backward reads its output y
    y.add_(1.0)          # ... which this changes
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    h = lib.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * h).sum()  # mul saves both inputs
    with lib.no_grad():
        w -= 0.1          # an optimiser step before backward
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_in_place_on_a_non_leaf_joins_the_graph(lib):
    """h = x * 2; h.add_(1); h[0] = 0 — allowed (no saved value is lost); gradients as if out of place."""
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    h.add_(1.0)
    h.mul_(x)            # the multiply reads the old h: nnlib keeps a copy, torch saves it
    h[0] = 0.0
    h.sum().backward()
    # d/dx of (2x + 1) x = 4x + 1, except element 0 which was overwritten
    assert as_array(x.grad).tolist() == [0.0, 9.0, 13.0]
    assert as_array(h).tolist() == [0.0, 10.0, 21.0]


def test_setitem_under_no_grad_and_on_plain_tensors_matches_torch():
    for lib in LIBS:
        a = lib.zeros(3, 4)
        a[1] = 5.0
        a[:, 2] = lib.tensor([1.0, 2.0, 3.0])
        a[a > 4] = -1.0
        results = as_array(a)
        if lib is nnlib:
            ours = results
    assert np.array_equal(ours, results)


def test_add_with_alpha_and_the_method_forms_match_torch():
    for lib in LIBS:
        a, b = lib.tensor([1.0, 2.0]), lib.tensor([3.0, 5.0])
        got = [a.add(b, alpha=2), a.sub(b, alpha=0.5), a.mul(b), a.div(b), a.pow(2), a.clip(1.5, 1.8)]
        if lib is nnlib:
            ours = [as_array(t) for t in got]
    for o, t in zip(ours, got):
        np.testing.assert_allclose(o, as_array(t), rtol=1e-6)


# ---- .grad is a tensor, always of the parameter's shape ------------------------------------------------------
def test_grad_is_a_tensor_with_tensor_methods():
    w = nnlib.tensor([[1.0, -2.0]], requires_grad=True)
    (w * w).sum().backward()
    assert isinstance(w.grad, nnlib.Tensor) and w.grad.shape == (1, 2) and w.grad.dtype == np.float32
    assert w.grad.abs().tolist() == [[2.0, 4.0]]
    assert w.grad.zero_() is w.grad and w.grad.tolist() == [[0.0, 0.0]]
    assert not w.grad.requires_grad


def test_assigning_a_grad_checks_type_and_shape_like_torch():
    w = nnlib.zeros(2, requires_grad=True)
    with pytest.raises(TypeError, match="nnlib Tensor or None"):
        w.grad = np.zeros(2)
    with pytest.raises(RuntimeError, match="different size"):
        w.grad = nnlib.zeros(3)
    w.grad = nnlib.ones(2)
    assert w.grad.tolist() == [1.0, 1.0]


def test_a_kept_grad_is_updated_by_the_next_backward_as_in_torch():
    results = []
    for lib in LIBS:
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        (w * 3).sum().backward()
        first = w.grad
        (w * 2).sum().backward()
        results.append((as_array(first).tolist(), as_array(w.grad).tolist()))
    assert results[0][1] == results[1][1] == [5.0, 5.0]


def zero_dim_used_twice(lib):
    """A 0-d parameter used twice: its gradient sums two 0-d arrays (NumPy would make that a scalar)."""
    lib.manual_seed(0)
    w = lib.nn.Parameter(lib.tensor(0.5))
    x = lib.tensor([1.0, -2.0, 3.0])
    return w, lambda: ((w * x).sum() + (w * w) * 2.0)


OPTIMISERS = [
    ("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9)), ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.1)), ("RMSprop", dict(lr=0.01, momentum=0.5)), ("Adam", dict(lr=0.1)),
    ("AdamW", dict(lr=0.1, weight_decay=0.1)),
]


@pytest.mark.parametrize("name, options", OPTIMISERS, ids=[f"{n}-{'-'.join(o)}" for n, o in OPTIMISERS])
def test_zero_dim_parameter_used_twice_trains_with_every_optimiser_as_torch(name, options):
    values = {}
    for lib in LIBS:
        w, loss_fn = zero_dim_used_twice(lib)
        opt = getattr(lib.optim, name)([w], **options)
        trace = []
        for _ in range(20):
            opt.zero_grad()
            loss = loss_fn()
            loss.backward()
            assert w.grad.shape == () and isinstance(w.grad, (nnlib.Tensor, torch.Tensor))
            opt.step()
            trace.append(float(w.item()))
        values[lib.__name__] = trace
    np.testing.assert_allclose(values["nnlib"], values["torch"], rtol=1e-5, atol=1e-6)


def test_zero_dim_parameter_with_clip_grad_norm_and_zero_grad_without_none():
    norms, grads = [], []
    for lib in LIBS:
        w, loss_fn = zero_dim_used_twice(lib)
        loss_fn().backward()
        norms.append(float(lib.nn.utils.clip_grad_norm_([w], max_norm=0.5)))
        grads.append(float(w.grad))
        opt = lib.optim.SGD([w], lr=0.1)
        opt.zero_grad(set_to_none=False)
        assert float(w.grad) == 0.0 and w.grad.shape == ()
    assert norms[0] == pytest.approx(norms[1], rel=1e-6) and norms[0] > 0.5
    assert grads[0] == pytest.approx(grads[1], rel=1e-6) and abs(grads[0]) == pytest.approx(0.5, rel=1e-5)


# ---- dtypes, devices and promotion ----------------------------------------------------------------------------
def test_dtype_names_match_torch():
    pairs = [("float", "float32"), ("double", "float64"), ("long", "int64"), ("int", "int32"), ("bool", "bool")]
    for alias, name in pairs:
        assert np.dtype(getattr(nnlib, alias)) == np.dtype(name)
        assert str(getattr(torch, alias)) == f"torch.{name}"
    x = nnlib.tensor([1.7, -2.2])
    assert x.long().dtype == nnlib.long and x.long().tolist() == torch.tensor([1.7, -2.2]).long().tolist()
    assert x.int().dtype == np.int32 and x.bool().dtype == np.bool_ and x.double().dtype == np.float64


@pytest.mark.parametrize("make, torch_dtype", [
    (lambda m: m.tensor([1, 2]), "int64"),
    (lambda m: m.tensor([1.0, 2]), "float32"),
    (lambda m: m.tensor([True, False]), "bool"),
    (lambda m: m.tensor([1, 2]) / 2, "float32"),
    (lambda m: m.tensor([1, 2]) / m.tensor([2, 2]), "float32"),
    (lambda m: m.ones(2) + m.tensor([1, 2]), "float32"),
    (lambda m: m.tensor([1, 2]) * 2.5, "float32"),
    (lambda m: m.tensor([1, 2]) + 1, "int64"),
    (lambda m: m.tensor([True, False]) + 1, "int64"),
    (lambda m: m.ones(2) * m.tensor(2.0, dtype=m.float64), "float32"),
    (lambda m: m.ones(2, dtype=m.float64) * m.tensor(2.0), "float64"),
    (lambda m: m.ones(2) + m.ones(2, dtype=m.float64), "float64"),
    (lambda m: m.tensor([1, 2], dtype=m.int32) + 1, "int32"),
    (lambda m: m.tensor([1, 2], dtype=m.int32) + m.tensor([1, 2]), "int64"),
    (lambda m: m.where(m.tensor([True, False]), m.ones(2), m.tensor([3, 4])), "float32"),
    (lambda m: m.arange(5), "int64"),
    (lambda m: m.arange(0.0, 1.0, 0.25), "float32"),
    (lambda m: m.full((2,), 3), "int64"),
    (lambda m: m.zeros(2, dtype=m.long), "int64"),
    (lambda m: m.ones(2) ** m.tensor([1, 2]), "float32"),
])
def test_type_promotion_follows_torch(make, torch_dtype):
    ours, theirs = make(nnlib), make(torch)
    assert str(theirs.dtype) == f"torch.{torch_dtype}"
    assert ours.dtype == np.dtype(torch_dtype), f"nnlib gives {ours.dtype}, torch gives {theirs.dtype}"
    np.testing.assert_allclose(as_array(ours), theirs.numpy())


def test_linear_refuses_float64_input_with_float32_weights_as_torch():
    for lib in LIBS:
        layer = lib.nn.Linear(3, 2)
        with pytest.raises(RuntimeError, match="dtype"):
            layer(lib.ones(4, 3, dtype=lib.float64))
    with pytest.raises(RuntimeError, match=r"float64 \(shape \(4, 3\)\) and float32 \(shape \(2, 3\)\)"):
        nnlib.nn.Linear(3, 2)(nnlib.ones(4, 3, dtype=nnlib.float64))
    with pytest.raises(RuntimeError, match="same dtype"):
        nnlib.ones(2, 3) @ nnlib.ones(3, 2, dtype=nnlib.float64)


def test_device_vocabulary_runs_on_the_cpu():
    device = nnlib.device("cuda" if nnlib.cuda.is_available() else "cpu")
    assert device == nnlib.device("cpu") == "cpu" and str(device) == "cpu" and repr(device) == "device(type='cpu')"
    assert nnlib.cuda.is_available() is False and nnlib.cuda.device_count() == 0
    x = nnlib.zeros(2, 3, device=device)
    assert x.to(device) is x and x.device == device and x.to("cpu", nnlib.float64).dtype == np.float64
    assert x.to(dtype=nnlib.float64, device="cpu").dtype == np.float64 and x.cpu() is x
    assert nnlib.tensor([1.0], device="cpu").device.type == "cpu"
    for make in (nnlib.ones, nnlib.randn, nnlib.rand, nnlib.empty):
        assert make(2, device=device).shape == (2,)
    model = nnlib.nn.Linear(2, 2).to(device)
    assert model.to(nnlib.float64).weight.dtype == np.float64
    nnlib.set_default_device("cpu")
    assert nnlib.get_default_device() == "cpu"


@pytest.mark.parametrize("request_gpu", [
    lambda: nnlib.device("cuda"),
    lambda: nnlib.zeros(2, device="cuda"),
    lambda: nnlib.tensor([1.0], device="cuda:0"),
    lambda: nnlib.zeros(2).to("cuda"),
    lambda: nnlib.zeros(2).cuda(),
    lambda: nnlib.nn.Linear(2, 2).to("cuda"),
    lambda: nnlib.nn.Linear(2, 2).cuda(),
    lambda: nnlib.set_default_device("mps"),
])
def test_asking_for_a_gpu_says_nnlib_is_cpu_only_and_points_to_torch(request_gpu):
    with pytest.raises(RuntimeError, match=r"nnlib runs on the CPU only .* use PyTorch itself"):
        request_gpu()


# ---- grad_fn, custom Functions, size ------------------------------------------------------------------------
def test_grad_fn_names_and_next_functions_read_like_torch():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).sum()
        assert x.grad_fn is None
        names = (y.grad_fn.name(), y.grad_fn.next_functions[0][0].name())
        assert names == ("SumBackward0", "MulBackward0")
        leaf_node = y.grad_fn.next_functions[0][0].next_functions[0][0]
        assert leaf_node.variable is x
    assert "grad_fn=<SumBackward0>" in repr(y) and "grad_fn=<SumBackward0>" in repr(nnlib.tensor([1.0], requires_grad=True).sum())


class Cube(nnlib.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return scale * x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * ctx.scale * x ** 2, None


def test_custom_function_forward_backward_and_its_checks():
    x = nnlib.tensor([1.0, -2.0, 0.5], dtype=nnlib.float64, requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.tolist() == [2.0, -16.0, 0.25] and y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 24.0, 1.5]
    assert nnlib.gradcheck(lambda t: Cube.apply(t, 0.7), [nnlib.tensor(np.array([0.3, -1.1]), requires_grad=True)])
    with nnlib.no_grad():
        z = Cube.apply(x, 1.0)
    assert not z.requires_grad

    class WrongCount(nnlib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        WrongCount.apply(x, nnlib.tensor([1.0, 1.0, 1.0], dtype=nnlib.float64)).sum().backward()
    saved = nnlib.tensor([1.0, 2.0], dtype=nnlib.float64, requires_grad=True) * 1
    out = Cube.apply(saved, 1.0)
    saved.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_size_is_a_tuple_and_prints_like_torch():
    x = nnlib.zeros(2, 3)
    assert x.size() == (2, 3) == torch.zeros(2, 3).size() and x.size(1) == 3 and x.shape == (2, 3)
    assert repr(x.size()) == "nnlib.Size([2, 3])" and x.size().numel() == 6


def test_backward_twice_through_nodes_that_saved_nothing_works_as_in_torch():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()  # add and sum saved no values: nothing was freed
        assert as_array(x.grad).tolist() == [2.0, 2.0]
        z = (x * x).sum()
        z.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            z.backward()


def test_numpy_functions_accept_tensors_and_ndarray_operators_give_tensors():
    t = nnlib.tensor([1.0, np.inf])
    assert np.isfinite(t).tolist() == [True, False] and np.allclose(nnlib.ones(2), 1.0)
    w = nnlib.tensor([1.0, 2.0], requires_grad=True)
    assert isinstance(np.array([3.0, 4.0], dtype=np.float32) + w, nnlib.Tensor)
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(w)
    array = np.ones(2, dtype=np.float32)
    array -= 0.5 * nnlib.ones(2)
    assert type(array) is np.ndarray and array.tolist() == [0.5, 0.5]


# ---- save and load, utils.data -----------------------------------------------------------------------------
def test_save_and_load_a_state_dict_and_an_optimiser_checkpoint(tmp_path):
    model = nnlib.nn.Sequential(nnlib.nn.Linear(3, 4), nnlib.nn.ReLU(), nnlib.nn.Linear(4, 2))
    opt = nnlib.optim.Adam(model.parameters(), lr=0.01)
    model(nnlib.randn(5, 3)).sum().backward()
    opt.step()
    nnlib.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, tmp_path / "ckpt.pt")
    loaded = nnlib.load(tmp_path / "ckpt.pt")
    fresh = nnlib.nn.Sequential(nnlib.nn.Linear(3, 4), nnlib.nn.ReLU(), nnlib.nn.Linear(4, 2))
    fresh.load_state_dict(loaded["model"])
    x = nnlib.randn(2, 3)
    assert np.array_equal(fresh(x).detach().numpy(), model(x).detach().numpy()) and loaded["epoch"] == 3
    fresh_opt = nnlib.optim.Adam(fresh.parameters(), lr=0.01)
    fresh_opt.load_state_dict(loaded["optimizer"])
    assert fresh_opt.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    buffer = io.BytesIO()
    nnlib.save(nnlib.tensor([1.0, 2.0], requires_grad=True), buffer)
    buffer.seek(0)
    restored = nnlib.load(buffer)
    assert restored.tolist() == [1.0, 2.0] and restored.requires_grad


def test_load_refuses_arbitrary_objects(tmp_path):
    import pickle
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(print))
    with pytest.raises(RuntimeError, match="refuses to load builtins.print"):
        nnlib.load(path)
    with pytest.raises(RuntimeError, match="not a file written by nnlib.save"):
        nnlib.load(io.BytesIO(b"not a pickle"))


def test_utils_data_is_the_pytorch_named_home_of_the_data_tools():
    from nnlib.utils.data import DataLoader, TensorDataset, random_split
    dataset = TensorDataset(nnlib.arange(10).float(), nnlib.arange(10))
    train, val = random_split(dataset, [8, 2])
    batches = list(DataLoader(train, batch_size=4))
    assert len(train) == 8 and len(val) == 2 and [len(b[0]) for b in batches] == [4, 4]
    assert nnlib.utils.data.Dataset is nnlib.data.Dataset


# ---- more of the vocabulary: split/chunk/unbind, mm/bmm/dot, t(), contiguous(), grad-mode helpers ----------
@pytest.mark.parametrize("expression", [
    lambda m, x: [p * (k + 1) for k, p in enumerate(x.chunk(2, dim=1))],
    lambda m, x: [p * (k + 1) for k, p in enumerate(m.chunk(x, 3, dim=0))],
    lambda m, x: [p * (k + 1) for k, p in enumerate(x.split([2, 3], dim=1))],
    lambda m, x: [p * (k + 1) for k, p in enumerate(m.split(x, 2, dim=1))],
    lambda m, x: [p * (k + 1) for k, p in enumerate(x.unbind(1))],
    lambda m, x: [m.mm(x, x.t()), m.dot(x[0], x[1]), m.bmm(x.reshape(1, 4, 5), x.reshape(1, 5, 4))],
    lambda m, x: [x.contiguous().view_as(x.t()), x.reshape_as(x.t()), x.type_as(m.ones(1, dtype=m.float64)) * 2],
], ids=["chunk-method", "chunk-function", "split-sizes", "split-size", "unbind", "mm-dot-bmm", "views-and-types"])
def test_splitting_and_matrix_products_match_torch_with_gradients(expression):
    data = np.random.default_rng(0).standard_normal((4, 5))
    outputs, grads = {}, {}
    for lib in LIBS:
        x = lib.tensor(data, requires_grad=True)
        pieces = expression(lib, x)
        sum(p.sum() for p in pieces).backward()
        outputs[lib.__name__] = [(tuple(p.shape), str(p.dtype).replace("torch.", ""), as_array(p)) for p in pieces]
        grads[lib.__name__] = as_array(x.grad)
    for (shape, dtype, value), (t_shape, t_dtype, t_value) in zip(outputs["nnlib"], outputs["torch"]):
        assert shape == t_shape and dtype == t_dtype
        np.testing.assert_allclose(value, t_value, rtol=1e-12)
    np.testing.assert_allclose(grads["nnlib"], grads["torch"], rtol=1e-12)


def test_grad_mode_helpers_and_small_functions_match_torch():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        with lib.set_grad_enabled(False):
            assert not (x * 2).requires_grad
        with lib.inference_mode():
            assert not (x * 2).requires_grad
        assert (x * 2).requires_grad and lib.is_tensor(x) and not lib.is_tensor([1.0]) and lib.numel(x) == 2

        @lib.no_grad()
        def evaluate():
            return (x * 2).requires_grad
        assert evaluate() is False
    with pytest.raises(ValueError, match=r"mm: both operands must be 2-D, got shapes \(3,\) and \(3, 2\)"):
        nnlib.mm(nnlib.ones(3), nnlib.ones(3, 2))
    with pytest.raises(ValueError, match=r"split: sizes \[2, 2\] add up to 4"):
        nnlib.ones(5).split([2, 2])


def test_ops_recorded_before_an_in_place_change_keep_the_old_history():
    """h = x * 1; y = h.sum(); h.mul_(-1): y's gradient is still +1 (torch's graph links nodes, not tensors)."""
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1.0
        y = h.sum()
        h.mul_(-1.0)
        y.backward()
        assert as_array(x.grad).tolist() == [1.0, 1.0], lib.__name__
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        before = h.sum()
        h.add_(1.0)
        h.add_(1.0)
        (before + h.sum()).backward()
        assert as_array(x.grad).tolist() == [4.0, 4.0], lib.__name__
