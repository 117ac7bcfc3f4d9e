"""The engine's behaviour: accumulation, backward twice, no_grad, deep graphs, dtypes."""
import numpy as np
import pytest
import torch

import nnlib


def test_gradients_accumulate_across_backward_calls_like_torch():
    x = nnlib.tensor([1.0, -2.0], requires_grad=True)
    xt = torch.tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
        (xt * xt).sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy())
    np.testing.assert_allclose(x.grad, [6.0, -12.0])


def test_a_value_used_twice_gets_the_sum_of_both_paths():
    x = nnlib.tensor(3.0, requires_grad=True)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == pytest.approx(7.0)


def test_diamond_graph_gradient_is_complete_before_it_is_passed_on():
    x = nnlib.tensor(0.5, requires_grad=True)
    h = x.tanh()
    y = (h * h.exp() + h).sum()
    y.backward()
    xt = torch.tensor(0.5, requires_grad=True)
    ht = xt.tanh()
    (ht * ht.exp() + ht).backward()
    assert x.grad == pytest.approx(xt.grad.item(), rel=1e-6)


def test_backward_twice_raises_unless_retain_graph():
    x = nnlib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_backward_twice_with_retain_graph_accumulates():
    x = nnlib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, [4.0, 8.0])


def test_backward_on_non_scalar_without_gradient_is_an_error():
    x = nnlib.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar output.*shape \(2,\)"):
        (x * 2).backward()


def test_backward_with_explicit_gradient_of_wrong_shape_names_both_shapes():
    x = nnlib.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        (x * 2).backward(nnlib.ones(3))


def test_backward_without_any_grad_input_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (nnlib.ones(2) * 2).sum().backward()


def test_chain_of_100000_ops_backpropagates_without_recursion():
    x = nnlib.tensor(1.0, dtype=nnlib.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad == pytest.approx(1.0000001 ** 100_000, rel=1e-9)


def test_no_grad_records_no_graph_and_enable_grad_restores_it():
    x = nnlib.tensor([1.0], requires_grad=True)
    with nnlib.no_grad():
        y = x * 2
        with nnlib.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.parents == ()
    assert z.requires_grad and z.op == "mul"
    assert nnlib.is_grad_enabled()


def test_only_leaves_keep_grad_unless_retain_grad():
    x = nnlib.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    k = (x * 3).retain_grad()
    (h.sum() + (k * k).sum()).backward()
    assert h.grad is None
    np.testing.assert_allclose(k.grad, 2 * k.data)


def test_detach_cuts_the_graph():
    x = nnlib.tensor([2.0], requires_grad=True)
    y = (x * x.detach()).sum()  # d/dx of x * c is c
    y.backward()
    np.testing.assert_allclose(x.grad, [2.0])


def test_float32_stays_float32_with_python_scalars():
    x = nnlib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2.5 + 1 - 0.5) / 3.0
    assert x.dtype == np.float32 and y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_float64_input_keeps_float64():
    x = nnlib.tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert x.dtype == np.float64
    assert (x * 2.0).sum().dtype == np.float64


def test_mixed_float32_and_float64_promote_to_float64_and_grads_keep_each_dtype():
    a = nnlib.tensor([1.0, 2.0], requires_grad=True)
    b = nnlib.tensor(np.array([3.0, 4.0]), requires_grad=True)
    y = a * b
    assert y.dtype == np.float64
    y.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_item_numpy_and_repr():
    x = nnlib.tensor([[1.5]], requires_grad=True)
    assert x.item() == 1.5
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().shape == (1, 1)
    assert repr(x) == "tensor([[1.5]], requires_grad=True)"
    assert "grad_fn=<MulBackward0>" in repr(x * 2)  # torch's name for the node


def test_ndarray_on_the_left_of_an_operator_gives_a_tensor():
    x = nnlib.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x
    assert isinstance(y, nnlib.Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 4.0])


def test_comparisons_return_bool_tensors_without_grad():
    x = nnlib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = x > 1.5
    assert mask.dtype == np.bool_ and not mask.requires_grad
    assert mask.tolist() == [False, True, True]
    assert (x == 2.0).tolist() == [False, True, False]


def test_softmax_family_is_stable_at_extreme_inputs():
    x = nnlib.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], requires_grad=True)
    for out in (x.softmax(dim=1), x.log_softmax(dim=1), x.logsumexp(dim=1), x.sigmoid()):
        out.sum().backward()
        assert np.isfinite(out.data).all() and np.isfinite(x.grad).all()
        x.grad = None
    np.testing.assert_allclose(x.log_softmax(dim=1).data[0], [0.0, -2e4, -1e4])
    np.testing.assert_allclose(x.sigmoid().data[0], [1.0, 0.0, 0.5])


def test_random_numbers_are_reproducible_with_manual_seed():
    nnlib.manual_seed(7)
    a = nnlib.randn(3)
    nnlib.manual_seed(7)
    np.testing.assert_array_equal(a.data, nnlib.randn(3).data)


def test_leaf_gradients_never_share_memory():
    a = nnlib.tensor([1.0, 2.0], requires_grad=True)
    b = nnlib.tensor([3.0, 4.0], requires_grad=True)
    upstream = np.array([1.0, 1.0], dtype=np.float32)
    (a + b).backward(upstream)  # add hands the same gradient array to both parents
    a.grad *= 10
    np.testing.assert_allclose(b.grad, [1.0, 1.0])
    np.testing.assert_allclose(upstream, [1.0, 1.0])
    x = nnlib.tensor([5.0], requires_grad=True)
    x.backward(upstream[:1])  # backward of a leaf itself: its grad is a copy of the argument
    x.grad += 1
    assert upstream[0] == 1.0


def test_grad_of_a_reduction_is_writable():
    x = nnlib.tensor([[1.0, 2.0]], requires_grad=True)
    x.sum().backward()  # sum's backward is a read-only broadcast view; the leaf must get a real array
    x.grad *= 2
    np.testing.assert_allclose(x.grad, [[2.0, 2.0]])
