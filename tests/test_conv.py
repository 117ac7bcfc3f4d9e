"""Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d: parity with torch.nn, a small CNN, error messages, dtypes.

The ops themselves (gradient checks, functional parity in float64 and float32) are driven by the
"conv and pooling" rows of tests/op_table.py.
"""
import inspect

import numpy as np
import pytest
import torch

import nnlib
import nnlib.nn as nn
import nnlib.nn.functional as F
from module_parity import check_module_parity

CONV_CONFIGS = [  # Conv2d's positional arguments, in torch's order, and the input shape:
    # (in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias), input shape
    ((1, 4, 3, 1, 1, 1, 1, True), (2, 1, 8, 8)),                     # digits-like: 1 channel, "same" padding
    ((3, 5, (3, 2), (2, 1), (1, 0), 1, 1, True), (1, 3, 7, 6)),      # non-square kernel, mixed stride/padding, batch 1
    ((3, 2, 1, 1, 0, 1, 1, False), (2, 3, 4, 4)),                    # 1x1 convolution, no bias
    ((2, 3, 4, 2, 2, 1, 1, True), (3, 2, 9, 9)),                     # even kernel, stride 2, padding 2
    ((3, 4, 3, 1, 1, 1, 1, True), (3, 6, 6)),                        # unbatched (C, H, W) input
    ((3, 4, 3, 1, 2, 2, 1, True), (2, 3, 9, 8)),                     # dilation 2
    ((4, 6, 3, 1, 1, 1, 2, True), (2, 4, 7, 7)),                     # groups 2
    ((4, 8, 3, 2, 1, 1, 4, False), (2, 4, 9, 8)),                    # depthwise, 2 filters per channel, stride 2
    ((6, 3, (3, 2), (2, 1), (2, 1), (2, 1), 3, True), (1, 6, 9, 7)),  # everything at once
    ((4, 4, 3, 2, 3, 3, 4, True), (4, 10, 9)),                       # unbatched depthwise, dilation 3
    ((3, 4, 3, 1, "same", 2, 1, True), (2, 3, 7, 8)),                # 'same': output H x W = input H x W
    ((4, 2, (2, 4), 1, "same", 1, 2, True), (2, 4, 5, 6)),           # 'same' with even kernels: extra row/column at the end
    ((3, 4, 3, 1, "valid", 1, 1, True), (2, 3, 5, 5)),               # 'valid': no padding
]


@pytest.mark.parametrize("args, shape", CONV_CONFIGS, ids=[str(c[0]) for c in CONV_CONFIGS])
def test_conv2d_matches_torch(args, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    out, = check_module_parity(nn.Conv2d(*args), torch.nn.Conv2d(*args), [x])
    assert out.ndim == len(shape) and out.shape[-3] == args[1]
    if args[4] == "same":
        assert out.shape[-2:] == shape[-2:]


def test_conv2d_keyword_arguments_match_torchs_names_and_defaults():
    kwargs = dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=(2, 1), padding=(1, 2), dilation=(2, 1),
                  groups=2, bias=False, padding_mode="zeros")
    ours, theirs = nn.Conv2d(**kwargs), torch.nn.Conv2d(**kwargs)
    for name in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "padding_mode"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.bias is None and theirs.bias is None
    default = nn.Conv2d(2, 3, 3)
    assert (default.stride, default.padding, default.dilation, default.groups) == ((1, 1), (0, 0), (1, 1), 1)
    assert default.padding_mode == "zeros" and default.bias is not None
    assert nn.Conv2d(2, 3, 3, padding="same").padding == "same"  # kept as given, as torch does
    assert nn.Conv2d(2, 3, 3, device="cpu").weight.shape == (3, 2, 3, 3)


def test_conv2d_groups_split_the_channels_into_independent_convolutions():
    # each group of filters sees only its own group of channels: the same as two convolutions side by side
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((2, 4, 6, 6)), rng.standard_normal((6, 2, 3, 3)), rng.standard_normal(6)
    grouped = F.conv2d(nnlib.tensor(x), nnlib.tensor(w), nnlib.tensor(b), padding=1, groups=2)
    halves = [F.conv2d(nnlib.tensor(x[:, 2 * k:2 * k + 2]), nnlib.tensor(w[3 * k:3 * k + 3]), nnlib.tensor(b[3 * k:3 * k + 3]),
                       padding=1) for k in range(2)]
    np.testing.assert_allclose(grouped.data, np.concatenate([h.data for h in halves], axis=1), rtol=1e-12, atol=1e-12)


def test_conv2d_dilation_is_a_kernel_with_zeros_between_its_taps():
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((1, 2, 9, 9)), rng.standard_normal((3, 2, 2, 3))
    spread = np.zeros((3, 2, 3, 5))
    spread[:, :, ::2, ::2] = w  # dilation 2: taps two apart
    np.testing.assert_allclose(F.conv2d(nnlib.tensor(x), nnlib.tensor(w), dilation=2).data,
                               F.conv2d(nnlib.tensor(x), nnlib.tensor(spread)).data, rtol=1e-12, atol=1e-12)


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


@pytest.mark.parametrize("args, kwargs", [((3,), {"dilation": 2}), ((2, 1, 1), {"dilation": (2, 3)}),
                                          (((3, 2), (2, 1), (1, 0), (1, 2)), {})])
def test_max_pool_with_dilation_matches_torch(args, kwargs):
    x = np.random.default_rng(7).standard_normal((2, 3, 9, 8))
    check_module_parity(nn.MaxPool2d(*args, **kwargs), torch.nn.MaxPool2d(*args, **kwargs), [x])


@pytest.mark.parametrize("output_size, shape", [
    ((3, 2), (2, 3, 5, 7)),      # neither divides: bins of 2 and 3 rows that overlap
    (1, (2, 4, 5, 6)),           # global average pooling
    ((2, 2), (1, 2, 4, 6)),      # both divide: side-by-side windows, as avg_pool2d
    ((None, 3), (3, 6, 7)),      # unbatched; None keeps the height
    ([4, 5], (1, 1, 3, 2)),      # larger than the input: bins repeat positions
])
def test_adaptive_avg_pool_matches_torch(output_size, shape):
    x = np.random.default_rng(8).standard_normal(shape)
    out, = check_module_parity(nn.AdaptiveAvgPool2d(output_size), torch.nn.AdaptiveAvgPool2d(output_size), [x])
    expected = torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), output_size)
    assert out.shape == tuple(expected.shape)


def test_adaptive_avg_pool_bins_are_torchs():
    # H = 5 into 3 bins: rows [0, 2), [1, 4), [3, 5) (start floor(i H / 3), end ceil((i + 1) H / 3))
    x = nnlib.tensor(np.arange(5.0).reshape(1, 1, 5, 1))
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x, (3, 1)).data.ravel(), [0.5, 2.0, 3.5])
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x, 1).data.ravel(), [2.0])


def test_adaptive_avg_pool_keeps_float32_and_builds_a_classifier_head():
    x = nnlib.tensor(np.random.default_rng(9).standard_normal((2, 3, 7, 5)).astype(np.float32), requires_grad=True)
    head = nn.Sequential(nn.Conv2d(3, 4, 3, padding="same"), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    y = head(x)
    assert y.shape == (2, 2) and y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == (2, 3, 7, 5)


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


@pytest.mark.parametrize("name, args, kwargs", [
    ("Conv2d", (1, 4, 3), {"padding": 1}),
    ("Conv2d", (3, 4, (3, 2)), {"stride": (2, 1), "bias": False}),
    ("Conv2d", (4, 16, 3, 1, 1, 2, 2, False), {}),
    ("Conv2d", (3, 16, (3, 2)), {"padding": "same"}),
    ("Conv2d", (3, 16, 3), {"padding": "valid", "groups": 1}),
    ("Conv2d", (4, 8, 5), {"dilation": (1, 2), "groups": 4}),
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", ((2, 3),), {"stride": 1, "padding": 1, "dilation": 2}),
    ("AvgPool2d", (3,), {"stride": 1, "padding": 1}),
    ("AdaptiveAvgPool2d", (1,), {}),
    ("AdaptiveAvgPool2d", ((3, None),), {}),
    ("AdaptiveAvgPool2d", ([3, 2],), {}),
])
def test_reprs_read_like_torch(name, args, kwargs):
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


def test_a_model_prints_like_torch():
    def model(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(3, 8, 3, padding=1, groups=1), lib.nn.MaxPool2d(2),
                                 lib.nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8, bias=False),
                                 lib.nn.AdaptiveAvgPool2d((1, 1)))
    assert repr(model(nnlib)) == repr(model(torch))


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


def test_grouped_conv2d_init_uses_the_channels_of_one_group_as_fan_in():
    nnlib.manual_seed(0)
    layer = nn.Conv2d(8, 16, 3, groups=4)
    bound = 1 / np.sqrt(2 * 3 * 3)  # fan_in = in_channels / groups * kH * kW, as torch
    assert layer.weight.shape == tuple(torch.nn.Conv2d(8, 16, 3, groups=4).weight.shape) == (16, 2, 3, 3)
    for p in (layer.weight, layer.bias):
        assert bound >= np.abs(p.data).max() > 0.8 * bound


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


def test_groups_that_do_not_fit_the_channels_name_the_shapes():
    x = nnlib.randn(2, 4, 8, 8)
    with pytest.raises(ValueError, match=r"conv2d: groups=3 must divide the input channels, but the input of shape "
                                         r"\(2, 4, 8, 8\) has 4 channels"):
        F.conv2d(x, nnlib.randn(3, 1, 3, 3), groups=3)
    with pytest.raises(ValueError, match=r"conv2d: groups=2 must divide the output channels, but the weight of shape "
                                         r"\(3, 2, 3, 3\) has 3 filters \(its first dimension\)"):
        F.conv2d(x, nnlib.randn(3, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"conv2d: weight of shape \(4, 4, 3, 3\) expects 4 input channels per group, "
                                         r"but the input of shape \(2, 4, 8, 8\) has 4 channels, 2 per group for "
                                         r"groups=2 \(the weight's second dimension must be C_in / groups\)"):
        F.conv2d(x, nnlib.randn(4, 4, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"conv2d: groups must be a positive integer, got 0"):
        F.conv2d(x, nnlib.randn(4, 4, 3, 3), groups=0)
    for name, args in [("in_channels", (3, 4, 3)), ("out_channels", (4, 3, 3))]:
        with pytest.raises(ValueError, match=rf"Conv2d: {name} must be divisible by groups, got {name}=3, groups=2"):
            nn.Conv2d(*args, groups=2)
        with pytest.raises(ValueError, match=f"{name} must be divisible by groups"):  # torch's words
            torch.nn.Conv2d(*args, groups=2)
    with pytest.raises(ValueError, match=r"Conv2d: groups must be a positive integer, got 0"):
        nn.Conv2d(4, 4, 3, groups=0)


def test_kernel_larger_than_padded_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"conv2d: kernel size \(5, 5\) is larger than the padded input \(4, 4\) "
                                         r"\(input \(H, W\) = \(2, 2\), padding \(1, 1\)\)"):
        nn.Conv2d(1, 1, 5, padding=1)(nnlib.randn(1, 1, 2, 2))
    with pytest.raises(ValueError, match=r"max_pool2d: kernel size \(4, 2\) is larger than the padded input \(3, 3\)"):
        nn.MaxPool2d((4, 2))(nnlib.randn(1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"avg_pool2d: kernel size \(3, 3\) is larger than the padded input \(2, 2\)"):
        F.avg_pool2d(nnlib.randn(1, 2, 2), 3)  # unbatched (C, H, W)
    with pytest.raises(ValueError, match=r"conv2d: kernel size \(3, 3\) with dilation \(3, 2\) spans \(7, 5\) and "
                                         r"is larger than the padded input \(6, 6\) \(input \(H, W\) = \(4, 4\), "
                                         r"padding \(1, 1\)\)"):
        nn.Conv2d(2, 2, 3, padding=1, dilation=(3, 2))(nnlib.randn(2, 4, 4))
    with pytest.raises(ValueError, match=r"max_pool2d: kernel size \(2, 2\) with dilation \(4, 4\) spans \(5, 5\) and "
                                         r"is larger than the padded input \(4, 4\)"):
        nn.MaxPool2d(2, dilation=4)(nnlib.randn(1, 1, 4, 4))


def test_bad_settings_are_named():
    x = nnlib.randn(1, 1, 5, 5)
    with pytest.raises(ValueError, match=r"conv2d: kernel_size, stride and dilation must be positive and padding "
                                         r"non-negative, got kernel_size=\(3, 3\), stride=\(0, 1\), padding=\(0, 0\), "
                                         r"dilation=\(1, 1\)"):
        F.conv2d(x, nnlib.randn(1, 1, 3, 3), stride=(0, 1))
    with pytest.raises(ValueError, match=r"conv2d: kernel_size, stride and dilation must be positive .* dilation=\(1, 0\)"):
        F.conv2d(x, nnlib.randn(1, 1, 3, 3), dilation=(1, 0))
    with pytest.raises(ValueError, match=r"Conv2d: dilation must be an int or a pair of ints, got 1.5"):
        nn.Conv2d(1, 1, 3, dilation=1.5)
    with pytest.raises(ValueError, match=r"max_pool2d: padding should be at most half of the kernel size, "
                                         r"got padding=\(2, 2\) for kernel_size=\(3, 3\)"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(2,\) for weight \(2, 1, 3, 3\), got \(3,\)"):
        F.conv2d(x, nnlib.randn(2, 1, 3, 3), nnlib.randn(3))
    with pytest.raises(ValueError, match=r"MaxPool2d: expected input of shape \(N, C, H, W\), got \(5, 5\)"):
        nn.MaxPool2d(2)(nnlib.randn(5, 5))
    with pytest.raises(ValueError, match=r"AdaptiveAvgPool2d: expected input of shape \(N, C, H, W\), got \(5, 5\)"):
        nn.AdaptiveAvgPool2d(2)(nnlib.randn(5, 5))


def test_padding_strings_are_torchs():
    for layer in (nn.Conv2d, torch.nn.Conv2d):
        with pytest.raises(ValueError, match=r"padding='same' is not supported for strided convolutions"):
            layer(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"Conv2d: padding='same' is not supported for strided convolutions "
                                         r"\(stride=\(1, 2\)\), as in torch"):
        nn.Conv2d(1, 1, 3, stride=(1, 2), padding="same")
    with pytest.raises(ValueError, match=r"conv2d: padding='same' is not supported for strided convolutions"):
        F.conv2d(nnlib.randn(1, 1, 5, 5), nnlib.randn(1, 1, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match=r"Conv2d: invalid padding string 'full', should be 'valid' or 'same' "
                                         r"\(or an int or a pair of ints\)"):
        nn.Conv2d(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match=r"max_pool2d: padding must be an int or a pair of ints, got 'same'"):
        F.max_pool2d(nnlib.randn(1, 1, 5, 5), 3, padding="same")  # pooling takes no strings, in torch either


def test_unsupported_options_are_a_clear_error():
    with pytest.raises(ValueError, match=r"Conv2d: padding_mode='reflect' is not supported: nnlib pads with zeros only"):
        nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect")
    with pytest.raises(RuntimeError, match=r"nnlib runs on the CPU only"):
        nn.Conv2d(1, 1, 3, device="cuda")
    with pytest.raises(ValueError, match=r"MaxPool2d: ceil_mode=True is not supported: nnlib rounds the output size down"):
        nn.MaxPool2d(2, ceil_mode=True)
    with pytest.raises(ValueError, match=r"MaxPool2d: return_indices=True is not supported"):
        nn.MaxPool2d(2, 2, 0, 1, True)  # torch's positional order: return_indices before ceil_mode
    with pytest.raises(ValueError, match=r"max_pool2d: ceil_mode=True is not supported"):
        F.max_pool2d(nnlib.randn(1, 1, 5, 5), 2, ceil_mode=True)
    with pytest.raises(ValueError, match=r"max_pool2d: return_indices=True is not supported"):
        F.max_pool2d(nnlib.randn(1, 1, 5, 5), 2, return_indices=True)
    assert nn.MaxPool2d(2, 2, 0, 1, False, False).ceil_mode is False
    with pytest.raises(ValueError, match=r"AvgPool2d: ceil_mode=True is not supported"):
        nn.AvgPool2d(2, 2, 0, True)  # torch's positional order
    with pytest.raises(ValueError, match=r"AvgPool2d: count_include_pad=False, divisor_override=None is not supported: "
                                         r"nnlib divides by kH kW, padding included"):
        nn.AvgPool2d(2, count_include_pad=False)
    with pytest.raises(ValueError, match=r"avg_pool2d: count_include_pad=True, divisor_override=3 is not supported"):
        F.avg_pool2d(nnlib.randn(1, 1, 4, 4), 2, divisor_override=3)
    assert nn.AvgPool2d(2, 2, 0, False, True, None).count_include_pad is True


@pytest.mark.parametrize("name", ["Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"])
def test_layer_arguments_have_torchs_names_in_torchs_order(name):
    def names(cls):
        return list(inspect.signature(cls.__init__).parameters)
    assert names(getattr(nn, name)) == names(getattr(torch.nn, name))


@pytest.mark.parametrize("output_size", [0, (2, 0), (2, 3, 4), "1", None, (1.5, 2), (True, 2)])
def test_adaptive_avg_pool_output_size_errors(output_size):
    with pytest.raises(ValueError, match=r"adaptive_avg_pool2d: output_size must be a positive int or a pair of "
                                         r"positive ints \(None keeps that dimension's size\), got "):
        F.adaptive_avg_pool2d(nnlib.randn(1, 1, 4, 4), output_size)


def test_mixed_dtypes_are_an_error_as_in_torch():
    with pytest.raises(TypeError, match=r"conv2d: input, weight and bias must have the same dtype, "
                                        r"got float64, float32, float32"):
        nn.Conv2d(1, 2, 3)(nnlib.tensor(np.zeros((1, 1, 4, 4))))
    with pytest.raises(TypeError, match=r"max_pool2d: expected a floating-point input, got dtype int64"):
        F.max_pool2d(nnlib.tensor(np.zeros((1, 1, 4, 4), dtype=np.int64)), 2)
    with pytest.raises(TypeError, match=r"adaptive_avg_pool2d: expected a floating-point input, got dtype int64"):
        F.adaptive_avg_pool2d(nnlib.tensor(np.zeros((1, 1, 4, 4), dtype=np.int64)), 2)


def test_changing_the_weight_in_place_before_backward_is_an_error_but_the_bias_is_free_as_in_torch():
    for lib in (nnlib, torch):
        conv = lib.nn.Conv2d(2, 3, 3, groups=1)
        y = conv(lib.randn(1, 2, 5, 5))
        with lib.no_grad():
            conv.bias.add_(1.0)  # backward does not read the bias
        y.sum().backward(retain_graph=True)
        with lib.no_grad():
            conv.weight.mul_(2.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_changing_the_input_of_a_pooling_op_in_place_does_not_change_its_gradient():
    # max_pool2d's backward keeps only each window's argmax, so nnlib needs (and checks) no saved input values
    x = nnlib.tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    y = F.max_pool2d(x, 2) + F.avg_pool2d(x, 2) + F.adaptive_avg_pool2d(x, 1).sum()
    with nnlib.no_grad():
        x.mul_(-1.0)
    y.sum().backward()
    expected = np.full((4, 4), 0.25 + 4 / 16)
    expected[1::2, 1::2] += 1.0  # the maximum of each 2x2 window is its bottom-right corner
    np.testing.assert_allclose(x.grad.numpy()[0, 0], expected)
