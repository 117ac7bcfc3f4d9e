"""Conv2d, MaxPool2d, AvgPool2d: parity with torch.nn, a small CNN, error messages, dtypes.

The ops themselves (gradient checks, functional parity in float64 and float32) are driven by the
"conv and pooling" rows of tests/op_table.py.
"""
import numpy as np
import pytest
import torch

import nnlib
import nnlib.nn as nn
import nnlib.nn.functional as F
from module_parity import check_module_parity

CONV_CONFIGS = [  # (in_channels, out_channels, kernel_size, stride, padding, bias, input shape)
    (1, 4, 3, 1, 1, True, (2, 1, 8, 8)),                 # digits-like: 1 channel, "same" padding
    (3, 5, (3, 2), (2, 1), (1, 0), True, (1, 3, 7, 6)),  # non-square kernel, mixed stride/padding, batch 1
    (3, 2, 1, 1, 0, False, (2, 3, 4, 4)),                # 1x1 convolution, no bias
    (2, 3, 4, 2, 2, True, (3, 2, 9, 9)),                 # even kernel, stride 2, padding 2
    (3, 4, 3, 1, 1, True, (3, 6, 6)),                    # unbatched (C, H, W) input
]


@pytest.mark.parametrize("in_c, out_c, kernel, stride, padding, bias, shape", CONV_CONFIGS)
def test_conv2d_matches_torch(in_c, out_c, kernel, stride, padding, bias, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    out, = check_module_parity(nn.Conv2d(in_c, out_c, kernel, stride=stride, padding=padding, bias=bias),
                               torch.nn.Conv2d(in_c, out_c, kernel, stride=stride, padding=padding, bias=bias), [x])
    assert out.ndim == len(shape) and out.shape[-3] == out_c


POOL_CONFIGS = [  # (kernel_size, stride, padding)
    (2, None, 0),            # the usual: 2x2 windows side by side
    (3, 2, 1),               # overlapping windows with padding
    ((2, 3), (1, 2), (1, 0)),  # non-square everything
    (3, 1, 0),               # heavily overlapping: one input feeds up to 9 windows
]


@pytest.mark.parametrize("kernel, stride, padding", POOL_CONFIGS)
@pytest.mark.parametrize("name", ["MaxPool2d", "AvgPool2d"])
def test_pooling_matches_torch(name, kernel, stride, padding):
    x = np.random.default_rng(1).standard_normal((2, 3, 8, 7))
    ours = getattr(nn, name)(kernel, stride=stride, padding=padding)
    theirs = getattr(torch.nn, name)(kernel, stride=stride, padding=padding)
    check_module_parity(ours, theirs, [x])


def small_cnn(lib):
    return lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3, padding=1), lib.nn.ReLU(), lib.nn.MaxPool2d(2),
                             lib.nn.Flatten(), lib.nn.Linear(4 * 4 * 4, 10))


def test_small_cnn_matches_torch_with_torch_state_dict_keys():
    x = np.random.default_rng(2).standard_normal((5, 1, 8, 8))  # a batch of digits-sized images
    out, = check_module_parity(small_cnn(nnlib), small_cnn(torch), [x])
    assert out.shape == (5, 10)
    assert list(small_cnn(nnlib).state_dict()) == ["0.weight", "0.bias", "4.weight", "4.bias"]
    assert small_cnn(nnlib).state_dict()["0.weight"].shape == (4, 1, 3, 3)


def test_small_cnn_takes_a_float32_torch_state_dict_and_gives_torch_outputs():
    torch.manual_seed(0)
    theirs = small_cnn(torch)
    ours = small_cnn(nnlib)
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(3).standard_normal((4, 1, 8, 8)).astype(np.float32)
    out = ours(nnlib.tensor(x))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_reprs_read_like_torch():
    for args, kwargs in [((1, 4, 3), {"padding": 1}), ((3, 4, (3, 2)), {"stride": (2, 1), "bias": False})]:
        assert repr(nn.Conv2d(*args, **kwargs)) == repr(torch.nn.Conv2d(*args, **kwargs))
    assert repr(nn.AvgPool2d(3, stride=1, padding=1)) == repr(torch.nn.AvgPool2d(3, stride=1, padding=1))
    # torch's MaxPool2d also prints dilation and ceil_mode, which nnlib does not have
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"


def test_conv2d_default_init_bound_is_one_over_sqrt_fan_in():
    nnlib.manual_seed(0)
    layer = nn.Conv2d(4, 32, (3, 2))
    bound = 1 / np.sqrt(4 * 3 * 2)  # fan_in = in_channels * kH * kW
    assert layer.weight.shape == (32, 4, 3, 2) and layer.bias.shape == (32,)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.8 * bound  # the whole range is used, not a narrower one
    assert nn.Conv2d(1, 2, 3, bias=False).bias is None


def test_float32_in_float32_out_for_outputs_and_gradients():
    x = nnlib.tensor(np.random.default_rng(4).standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    conv = nn.Conv2d(3, 4, 3, padding=1)
    y = nn.AvgPool2d(2)(nn.MaxPool2d(3, stride=1, padding=1)(conv(x)))
    assert y.dtype == np.float32 and y.shape == (2, 4, 3, 3)
    y.sum().backward()
    for t in (x, conv.weight, conv.bias):
        assert t.grad.dtype == np.float32


def test_max_pool_gives_a_tied_window_gradient_to_its_first_maximum_like_torch():
    x = np.array([[[[1.0, 1.0], [0.0, 1.0]]]])
    xs, xt = nnlib.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.max_pool2d(xs, 2).sum().backward()
    torch.nn.functional.max_pool2d(xt, 2).sum().backward()
    np.testing.assert_array_equal(xs.grad, [[[[1.0, 0.0], [0.0, 0.0]]]])
    np.testing.assert_array_equal(xs.grad, xt.grad.numpy())


def test_avg_pool_counts_padding_zeros_in_the_mean():
    # each 2x2 window of the padded 4x4 input holds one 1 and three padding zeros
    out = F.avg_pool2d(nnlib.ones(1, 1, 2, 2), 2, padding=1)
    np.testing.assert_array_equal(out.data, np.full((1, 1, 2, 2), 0.25))


def test_max_pool_padding_never_wins_over_negative_inputs():
    out = F.max_pool2d(nnlib.full((1, 1, 2, 2), -5.0), 2, padding=1)
    np.testing.assert_array_equal(out.data, np.full((1, 1, 2, 2), -5.0))


# ---- errors ------------------------------------------------------------------------------------------
def test_conv2d_names_expected_and_received_channels():
    with pytest.raises(ValueError, match=r"Conv2d\(in_channels=3\): expected input of shape \(N, 3, H, W\), "
                                         r"got \(2, 1, 8, 8\)"):
        nn.Conv2d(3, 4, 3)(nnlib.randn(2, 1, 8, 8))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 1, H, W\), got \(8, 8\)"):
        nn.Conv2d(1, 4, 3)(nnlib.randn(8, 8))
    with pytest.raises(ValueError, match=r"conv2d: weight of shape \(4, 3, 3, 3\) expects 3 input channels, "
                                         r"but the input of shape \(2, 1, 8, 8\) has 1"):
        F.conv2d(nnlib.randn(2, 1, 8, 8), nnlib.randn(4, 3, 3, 3))


def test_kernel_larger_than_padded_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"conv2d: kernel size \(5, 5\) is larger than the padded input \(4, 4\) "
                                         r"\(input \(H, W\) = \(2, 2\), padding \(1, 1\)\)"):
        nn.Conv2d(1, 1, 5, padding=1)(nnlib.randn(1, 1, 2, 2))
    with pytest.raises(ValueError, match=r"max_pool2d: kernel size \(4, 2\) is larger than the padded input \(3, 3\)"):
        nn.MaxPool2d((4, 2))(nnlib.randn(1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"avg_pool2d: kernel size \(3, 3\) is larger than the padded input \(2, 2\)"):
        F.avg_pool2d(nnlib.randn(1, 2, 2), 3)  # unbatched (C, H, W)


def test_bad_settings_are_named():
    x = nnlib.randn(1, 1, 5, 5)
    with pytest.raises(ValueError, match=r"conv2d: kernel_size and stride must be positive and padding non-negative, "
                                         r"got kernel_size=\(3, 3\), stride=\(0, 1\), padding=\(0, 0\)"):
        F.conv2d(x, nnlib.randn(1, 1, 3, 3), stride=(0, 1))
    with pytest.raises(ValueError, match=r"Conv2d: padding must be an int or a pair of ints, got 'same'"):
        nn.Conv2d(1, 1, 3, padding="same")
    with pytest.raises(ValueError, match=r"max_pool2d: padding should be at most half of the kernel size, "
                                         r"got padding=\(2, 2\) for kernel_size=\(3, 3\)"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(2,\) for weight \(2, 1, 3, 3\), got \(3,\)"):
        F.conv2d(x, nnlib.randn(2, 1, 3, 3), nnlib.randn(3))
    with pytest.raises(ValueError, match=r"MaxPool2d: expected input of shape \(N, C, H, W\), got \(5, 5\)"):
        nn.MaxPool2d(2)(nnlib.randn(5, 5))


def test_mixed_dtypes_are_an_error_as_in_torch():
    with pytest.raises(TypeError, match=r"conv2d: input, weight and bias must have the same dtype, "
                                        r"got float64, float32, float32"):
        nn.Conv2d(1, 2, 3)(nnlib.tensor(np.zeros((1, 1, 4, 4))))
    with pytest.raises(TypeError, match=r"max_pool2d: expected a floating-point input, got dtype int64"):
        F.max_pool2d(nnlib.tensor(np.zeros((1, 1, 4, 4), dtype=np.int64)), 2)
