"""LayerNorm, BatchNorm, Embedding, Dropout, attention and the Transformer encoder block.

Parity with torch in float64 (forward, every parameter and input gradient, torch's state_dict loaded
in) over several configurations each; BatchNorm's running statistics; Dropout's statistics and
seeding; and the errors, which must name what was expected and what was received.
"""
import numpy as np
import pytest
import torch

import nnlib
import nnlib.nn as nn
import nnlib.nn.functional as F
from module_parity import check_module_parity
from parity import assert_close, run_both


def randomized(module, seed=0):
    """The torch module with every parameter drawn at random (so the weights loaded into nnlib are not
    init's ones and zeros) and, for BatchNorm, running statistics that are not 0 and 1 either."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * 0.5)
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=generator))
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=generator) + 0.5)
    return module


def lib_of(module):
    return torch if isinstance(module, torch.nn.Module) else nnlib


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# ---- LayerNorm ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("normalized_shape, input_shape, kwargs", [
    (8, (4, 8), {}),
    (8, (2, 3, 8), {}),
    ((3, 4), (2, 3, 4), {"eps": 1e-3}),
    (6, (5, 6), {"elementwise_affine": False}),
    (6, (2, 5, 6), {"bias": False}),
    (5, (5,), {}),
])
def test_layer_norm_matches_torch(normalized_shape, input_shape, kwargs):
    outs = check_module_parity(nn.LayerNorm(normalized_shape, **kwargs),
                               randomized(torch.nn.LayerNorm(normalized_shape, **kwargs)), [randn(*input_shape) * 3 + 1])
    assert outs[0].op == "layer_norm"  # one fused node, not a chain of small ops


def test_layer_norm_output_has_zero_mean_unit_variance_per_row_at_init():
    y = nn.LayerNorm(16)(nnlib.tensor(randn(4, 16) * 5 + 3)).data
    np.testing.assert_allclose(y.mean(axis=-1), 0, atol=1e-6)
    np.testing.assert_allclose(y.var(axis=-1), 1, rtol=1e-4)  # eps = 1e-5 is small against var = 25


def test_layer_norm_keeps_float32():
    y = nn.LayerNorm(4)(nnlib.randn(3, 4, requires_grad=True))
    y.sum().backward()
    assert y.dtype == np.float32


# ---- BatchNorm ---------------------------------------------------------------------------------------
BATCH_NORM_CASES = [
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 3), {}),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (4, 3, 5), {}),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (6, 3), {"affine": False}),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (6, 3), {"bias": False, "eps": 1e-3}),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 5), {}),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (2, 3, 4, 3), {"momentum": None}),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (2, 3, 4, 3), {"track_running_stats": False}),
]
BATCH_NORM_IDS = ["1d-NC", "1d-NCL", "1d-no-affine", "1d-no-bias-eps", "2d", "2d-cumulative", "2d-no-running-stats"]


@pytest.mark.parametrize("ours, theirs, shape, kwargs", BATCH_NORM_CASES, ids=BATCH_NORM_IDS)
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_batch_norm_matches_torch(ours, theirs, shape, kwargs, mode):
    ours, theirs = ours(3, **kwargs), randomized(theirs(3, **kwargs))
    if mode == "eval":
        ours.eval()
        theirs.eval()
    check_module_parity(ours, theirs, [randn(*shape) * 2 - 1])


@pytest.mark.parametrize("ours, theirs, shape, kwargs", BATCH_NORM_CASES[:-1], ids=BATCH_NORM_IDS[:-1])
def test_batch_norm_running_statistics_after_two_steps_equal_torch(ours, theirs, shape, kwargs):
    ours, theirs = ours(3, **kwargs).double(), theirs(3, **kwargs).double()
    for step in range(2):
        x = randn(*shape, seed=step) * (step + 1) + step  # two batches with different statistics
        ours(nnlib.tensor(x))
        theirs(torch.tensor(x))
    for name in ("running_mean", "running_var"):
        assert_close(name, getattr(ours, name).data, getattr(theirs, name).numpy(), rtol=1e-12, atol=1e-14)
    assert ours.num_batches_tracked.dtype == np.int64 and int(ours.num_batches_tracked.data) == 2
    # the same statistics, now used in eval mode
    ours.eval()
    theirs.eval()
    x = randn(*shape, seed=5)
    assert_close("eval output", ours(nnlib.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


def test_batch_norm_normalises_with_biased_and_tracks_unbiased_variance():
    x = randn(5, 2) * np.array([1.0, 3.0]) + np.array([2.0, -1.0])
    layer = nn.BatchNorm1d(2, momentum=0.25).double()
    y = layer(nnlib.tensor(x)).data
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-12)  # ddof = 0
    np.testing.assert_allclose(layer.running_mean.data, 0.25 * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.data, 0.75 + 0.25 * x.var(0, ddof=1), rtol=1e-12)


def test_batch_norm_eval_does_not_touch_running_statistics():
    layer = nn.BatchNorm2d(3).eval()
    layer(nnlib.randn(2, 3, 4, 4))
    assert np.all(layer.running_mean.data == 0) and np.all(layer.running_var.data == 1)
    assert int(layer.num_batches_tracked.data) == 0


def test_batch_norm_buffers_are_registered_and_saved_like_torch():
    ours = nn.BatchNorm1d(4)
    assert [name for name, _ in ours.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    assert list(ours.state_dict()) == list(torch.nn.BatchNorm1d(4).state_dict())
    assert list(nn.BatchNorm1d(4, track_running_stats=False).state_dict()) == ["weight", "bias"]
    assert ours.double().running_var.dtype == np.float64 and ours.num_batches_tracked.dtype == np.int64


# ---- Embedding ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("padding_idx", [None, 0, -1])
@pytest.mark.parametrize("index_shape", [(7,), (3, 5)])
def test_embedding_matches_torch(padding_idx, index_shape):
    indices = np.random.default_rng(1).integers(0, 10, size=index_shape)
    indices.flat[[0, -1]] = [0, 9]  # the padding rows (0 and -1 = 9) occur, so their zero gradient is tested
    indices.flat[1] = indices.flat[2]  # and an id used twice, whose gradients must add up
    ours = check_module_parity(nn.Embedding(10, 4, padding_idx=padding_idx),
                               randomized(torch.nn.Embedding(10, 4, padding_idx=padding_idx)), [indices])
    assert ours[0].shape == index_shape + (4,)


def test_embedding_init_is_standard_normal_with_a_zero_padding_row():
    nnlib.manual_seed(0)
    weight = nn.Embedding(2000, 16, padding_idx=3).weight.data
    assert np.all(weight[3] == 0)
    assert abs(weight.mean()) < 0.01 and abs(weight.std() - 1) < 0.01  # 32,000 draws: both about 5 sigma
    assert weight.dtype == np.float32


def test_embedding_padding_row_gets_no_gradient():
    layer = nn.Embedding(5, 3, padding_idx=2)
    layer(nnlib.tensor([[2, 1, 2], [0, 2, 4]])).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad[2], 0)
    np.testing.assert_array_equal(layer.weight.grad[1], 1)


def test_embedding_op_lives_in_ops_and_the_layer_calls_it():
    from nnlib.ops.embedding import embedding
    assert nnlib.DIFFERENTIABLE_OPS["embedding"] is embedding is nn.functional.embedding
    layer = nn.Embedding(4, 2)
    assert layer(nnlib.tensor([3, 1])).op == "embedding"


def test_changing_the_indices_in_place_before_backward_is_an_error_as_in_torch():
    for lib in (nnlib, torch):
        weight, indices = lib.randn(5, 3, requires_grad=True), lib.tensor([0, 1, 2])
        out = lib.nn.functional.embedding(indices, weight)
        indices[0] = 4  # backward would send row 0's gradient to row 4
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()


# ---- Dropout -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_drops_a_fraction_p_and_preserves_the_mean(p):
    nnlib.manual_seed(0)
    x = nnlib.ones(400, 500, dtype=nnlib.float64, requires_grad=True)
    y = F.dropout(x, p)
    dropped = np.mean(y.data == 0)
    assert abs(dropped - p) < 0.005  # 200,000 draws: the standard error is at most 0.0011
    assert abs(y.data.mean() - 1.0) < 0.02  # E[y] = x
    np.testing.assert_allclose(np.unique(y.data), [0.0, 1 / (1 - p)])  # survivors scaled by 1 / (1 - p)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # dL/dx = mask / (1 - p), the same mask


def test_dropout_is_the_identity_in_eval_mode_and_for_p_zero():
    x = nnlib.randn(4, 6)
    layer = nn.Dropout(0.5).eval()
    np.testing.assert_array_equal(layer(x).data, x.data)
    np.testing.assert_array_equal(F.dropout(x, 0.5, training=False).data, x.data)
    np.testing.assert_array_equal(F.dropout(x, 0.0).data, x.data)
    assert np.all(F.dropout(x, 1.0).data == 0)
    assert np.any(layer.train()(x).data != x.data)


def test_dropout_mask_is_reproduced_by_the_seed():
    x = nnlib.ones(50, 50)
    layer = nn.Dropout(0.5)
    nnlib.manual_seed(123)
    first = layer(x).data
    nnlib.manual_seed(123)
    second = layer(x).data
    nnlib.manual_seed(124)
    other = layer(x).data
    np.testing.assert_array_equal(first, second)
    assert np.mean(first != other) > 0.3  # a different seed, a different mask


def test_dropout_keeps_float32():
    assert F.dropout(nnlib.randn(3, 3), 0.5).dtype == np.float32


# ---- scaled_dot_product_attention -----------------------------------------------------------------------
def sdpa(**kwargs):
    return lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(q, k, v, **kwargs)


def random_bool_mask(shape, seed=0):
    mask = np.random.default_rng(seed).random(shape) < 0.6
    mask[..., 0] = True  # every query may attend to at least one key
    return mask


@pytest.mark.parametrize("fn, shapes", [
    (sdpa(), [(2, 4, 3), (2, 5, 3), (2, 5, 6)]),
    (sdpa(), [(2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 8)]),
    (sdpa(is_causal=True), [(2, 5, 4), (2, 5, 4), (2, 5, 4)]),
    (sdpa(is_causal=True), [(1, 3, 5, 4), (1, 3, 7, 4), (1, 3, 7, 2)]),  # L != S: tril of the (L, S) ones
    (sdpa(scale=0.7), [(4, 3), (6, 3), (6, 2)]),
    (lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m.tensor(random_bool_mask((4, 5)))),
     [(2, 3, 4, 6), (2, 3, 5, 6), (2, 3, 5, 6)]),  # a bool mask broadcast over batch and heads
    (lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m.tensor(random_bool_mask((2, 1, 4, 5)))),
     [(2, 3, 4, 6), (2, 3, 5, 6), (2, 3, 5, 6)]),
    (lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m.tensor(np.array([[True, False, True], [False] * 3]))),
     [(1, 2, 4), (1, 3, 4), (1, 3, 4)]),  # a query that may attend to nothing gets 0, and no nan in the gradients
], ids=["3d", "4d-heads", "causal", "causal-L-ne-S", "scale", "bool-mask-2d", "bool-mask-4d", "fully-masked-row"])
def test_scaled_dot_product_attention_matches_torch(fn, shapes):
    out, expected, grads, expected_grads = run_both(fn, [randn(*s, seed=k) for k, s in enumerate(shapes)])
    assert_close("output", out, expected, rtol=1e-10, atol=1e-12)
    for name, g, eg in zip("qkv", grads, expected_grads):
        assert_close(f"grad of {name}", g, eg, rtol=1e-9, atol=1e-12)


def test_scaled_dot_product_attention_float_mask_is_added_and_differentiated():
    fn = lambda m, q, k, v, mask: m.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # noqa: E731
    arrays = [randn(2, 4, 3, seed=1), randn(2, 5, 3, seed=2), randn(2, 5, 3, seed=3), randn(4, 5, seed=4)]
    out, expected, grads, expected_grads = run_both(fn, arrays)
    assert_close("output", out, expected, rtol=1e-10, atol=1e-12)
    for name, g, eg in zip(["q", "k", "v", "mask"], grads, expected_grads):
        assert_close(f"grad of {name}", g, eg, rtol=1e-9, atol=1e-12)


def test_scaled_dot_product_attention_formula_by_hand():
    q, k, v = randn(3, 4, seed=1), randn(5, 4, seed=2), randn(5, 2, seed=3)
    scores = q @ k.T / np.sqrt(4)
    weights = np.exp(scores - scores.max(1, keepdims=True))
    weights /= weights.sum(1, keepdims=True)
    out = F.scaled_dot_product_attention(nnlib.tensor(q), nnlib.tensor(k), nnlib.tensor(v))
    np.testing.assert_allclose(out.data, weights @ v, rtol=1e-12)


# ---- MultiheadAttention ------------------------------------------------------------------------------------
L, S, N, E, H = 4, 5, 3, 8, 2
CAUSAL = np.triu(np.ones((L, L), dtype=bool), k=1)  # True above the diagonal: the future, not attended to
PADDING = np.array([[False] * S, [False] * 3 + [True] * 2, [False] * 4 + [True]])  # (N, S), True = ignore


def mha_call(key_padding_mask=None, attn_mask=None, self_attention=False, **kwargs):
    """call(module, q, k, v) for check_module_parity; masks are made in the module's own library."""
    def call(module, q, k=None, v=None):
        lib = lib_of(module)
        masks = {name: None if mask is None else lib.tensor(mask)
                 for name, mask in (("key_padding_mask", key_padding_mask), ("attn_mask", attn_mask))}
        if self_attention:
            k = v = q
        return module(q, k, v, **masks, **kwargs)
    call.self_attention = self_attention
    return call


def mha_inputs(batch_first, self_attention=False):
    """query (N, L, E) and, unless self-attention, key and value (N, S, E); (L, N, E) etc. if not batch_first."""
    shapes = [(N, L, E)] if self_attention else [(N, L, E), (N, S, E), (N, S, E)]
    return [randn(*(s if batch_first else (s[1], s[0], s[2])), seed=k) for k, s in enumerate(shapes)]


MHA_CASES = {
    "no-mask": mha_call(),
    "weights-per-head": mha_call(average_attn_weights=False),
    "no-weights": mha_call(need_weights=False),
    "causal": mha_call(attn_mask=CAUSAL, self_attention=True),
    "causal-is-causal-hint": mha_call(attn_mask=CAUSAL, is_causal=True, self_attention=True),
    "float-causal": mha_call(attn_mask=np.where(CAUSAL, -np.inf, 0.0), self_attention=True),
    "padding": mha_call(key_padding_mask=PADDING),
    "causal-and-padding": mha_call(attn_mask=CAUSAL, key_padding_mask=PADDING[:, 1:], self_attention=True),
    "3d-mask": mha_call(attn_mask=~random_bool_mask((N * H, L, S))),  # True = ignore in MultiheadAttention
    # a sequence that is all padding: its queries attend to nothing, so attention gives 0 (torch's need_weights=True
    # path gives nan there instead; nnlib gives 0 on both paths)
    "fully-padded-sequence": mha_call(key_padding_mask=np.array([[True] * S, [False] * S, [False, True] * 2 + [False]]),
                                      need_weights=False),
}


@pytest.mark.parametrize("case", list(MHA_CASES))
@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_matches_torch(case, batch_first):
    call = MHA_CASES[case]
    ours = nn.MultiheadAttention(E, H, batch_first=batch_first)
    theirs = randomized(torch.nn.MultiheadAttention(E, H, batch_first=batch_first))
    outs = check_module_parity(ours, theirs, mha_inputs(batch_first, call.self_attention), call=call)
    assert outs[0].shape == ((N, L, E) if batch_first else (L, N, E))


def test_multihead_attention_without_bias_and_unbatched_match_torch():
    check_module_parity(nn.MultiheadAttention(E, 4, bias=False), randomized(torch.nn.MultiheadAttention(E, 4, bias=False)),
                        mha_inputs(False))
    unbatched = [randn(L, E, seed=1), randn(S, E, seed=2), randn(S, E, seed=3)]
    outs = check_module_parity(nn.MultiheadAttention(E, H), randomized(torch.nn.MultiheadAttention(E, H)), unbatched,
                               call=mha_call(key_padding_mask=PADDING[1]))
    assert outs[0].shape == (L, E) and outs[1].shape == (L, S)


def test_multihead_attention_weights_respect_the_masks():
    layer = nn.MultiheadAttention(E, H, batch_first=True).double()
    x = nnlib.tensor(randn(N, L, E))
    _, weights = layer(x, x, x, attn_mask=nnlib.tensor(CAUSAL), key_padding_mask=nnlib.tensor(PADDING[:, 1:]))
    masked = CAUSAL[None] | PADDING[:, None, 1:]
    assert np.all(weights.data[np.broadcast_to(masked, weights.shape)] == 0)
    np.testing.assert_allclose(weights.data.sum(-1), 1, rtol=1e-6)


def test_multihead_attention_dropout_only_in_training():
    layer = nn.MultiheadAttention(E, H, dropout=0.5, batch_first=True).double()
    x = nnlib.tensor(randn(N, L, E))
    nnlib.manual_seed(0)
    train_a = layer(x, x, x)[1].data
    nnlib.manual_seed(0)
    train_b = layer(x, x, x)[1].data
    layer.eval()
    eval_a, eval_b = layer(x, x, x)[1].data, layer(x, x, x)[1].data
    np.testing.assert_array_equal(train_a, train_b)  # the seed reproduces the dropout mask
    np.testing.assert_array_equal(eval_a, eval_b)
    assert not np.allclose(train_a, eval_a)


def test_multihead_attention_init_and_keys_follow_torch():
    nnlib.manual_seed(0)
    layer = nn.MultiheadAttention(64, 4)
    assert list(layer.state_dict()) == list(torch.nn.MultiheadAttention(64, 4).state_dict())
    bound = np.sqrt(6 / (64 + 3 * 64))  # Xavier-uniform on (3E, E)
    assert bound * 0.95 < np.abs(layer.in_proj_weight.data).max() <= bound
    assert np.all(layer.in_proj_bias.data == 0) and np.all(layer.out_proj.bias.data == 0)
    assert np.abs(layer.out_proj.weight.data).max() <= 1 / 8  # Linear's default, 1 / sqrt(E)
    assert repr(layer) == repr(torch.nn.MultiheadAttention(64, 4)).replace("NonDynamicallyQuantizableLinear", "Linear")


# ---- TransformerEncoderLayer ----------------------------------------------------------------------------
def encoder_call(src_mask=None, src_key_padding_mask=None, **kwargs):
    def call(module, x):
        lib = lib_of(module)
        return module(x, src_mask=None if src_mask is None else lib.tensor(src_mask),
                      src_key_padding_mask=None if src_key_padding_mask is None else lib.tensor(src_key_padding_mask), **kwargs)
    return call


ENCODER_MASKS = {
    "no-mask": encoder_call(),
    "causal": encoder_call(src_mask=CAUSAL, is_causal=True),
    "padding": encoder_call(src_key_padding_mask=PADDING[:, 1:]),
    "float-causal-and-padding": encoder_call(src_mask=np.where(CAUSAL, -np.inf, 0.0), src_key_padding_mask=np.where(PADDING[:, 1:], -np.inf, 0.0)),
}


@pytest.mark.parametrize("masks", list(ENCODER_MASKS))
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True], ids=["post-LN", "pre-LN"])
def test_transformer_encoder_layer_matches_torch(norm_first, batch_first, masks):
    kwargs = dict(dim_feedforward=16, dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    x = randn(N, L, E) if batch_first else randn(L, N, E)
    check_module_parity(nn.TransformerEncoderLayer(E, H, **kwargs), randomized(torch.nn.TransformerEncoderLayer(E, H, **kwargs)),
                        [x], call=ENCODER_MASKS[masks])


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-LN", "pre-LN"])
def test_transformer_encoder_layer_in_eval_mode_matches_torch_with_dropout_set(norm_first):
    kwargs = dict(dim_feedforward=16, dropout=0.3, layer_norm_eps=1e-4, norm_first=norm_first)
    ours, theirs = nn.TransformerEncoderLayer(E, H, **kwargs).eval(), randomized(torch.nn.TransformerEncoderLayer(E, H, **kwargs)).eval()
    check_module_parity(ours, theirs, [randn(L, N, E)], call=ENCODER_MASKS["padding"])
    ours.train()
    x = nnlib.tensor(randn(L, N, E))
    assert not np.allclose(ours(x).data, ours.eval()(x).data)  # dropout is active in training mode


def test_transformer_encoder_layer_with_a_callable_activation_and_no_bias_matches_torch():
    kwargs = dict(dim_feedforward=12, dropout=0.0, bias=False, batch_first=True)
    ours = nn.TransformerEncoderLayer(E, H, activation=nnlib.tanh, **kwargs)
    theirs = randomized(torch.nn.TransformerEncoderLayer(E, H, activation=torch.tanh, **kwargs))
    check_module_parity(ours, theirs, [randn(N, L, E)])


def test_transformer_encoder_layer_unbatched_matches_torch():
    kwargs = dict(dim_feedforward=16, dropout=0.0)
    check_module_parity(nn.TransformerEncoderLayer(E, H, **kwargs), randomized(torch.nn.TransformerEncoderLayer(E, H, **kwargs)),
                        [randn(L, E)], call=encoder_call(src_mask=CAUSAL, is_causal=True))


# ---- reprs ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.LayerNorm(8),
    lambda lib: lib.nn.LayerNorm((3, 4), eps=1e-3, elementwise_affine=False),
    lambda lib: lib.nn.LayerNorm(8, bias=False),
    lambda lib: lib.nn.BatchNorm1d(4),
    lambda lib: lib.nn.BatchNorm2d(4, momentum=None, affine=False, track_running_stats=False),
    lambda lib: lib.nn.BatchNorm1d(4, bias=False),
    lambda lib: lib.nn.Embedding(10, 3),
    lambda lib: lib.nn.Embedding(10, 3, padding_idx=-1),
])
def test_repr_reads_like_torch(make):
    assert repr(make(nnlib)) == repr(make(torch))


def test_dropout_repr():
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25)"


# ---- errors ------------------------------------------------------------------------------------------------
def test_layer_norm_names_normalized_shape_and_input_shape():
    with pytest.raises(ValueError, match=r"normalized_shape \(8,\) must match the last dimensions of the input, got input of shape \(2, 5\)"):
        nn.LayerNorm(8)(nnlib.randn(2, 5))
    with pytest.raises(ValueError, match=r"expected weight of shape \(4,\), got \(5,\)"):
        F.layer_norm(nnlib.randn(2, 4), (4,), nnlib.ones(5))


def test_batch_norm_names_expected_and_received_features_and_shapes():
    with pytest.raises(ValueError, match=r"BatchNorm1d\(4\): expected 4 channels in dimension 1, got input of shape \(2, 5\) with 5"):
        nn.BatchNorm1d(4)(nnlib.randn(2, 5))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\): expected 3 channels in dimension 1, got input of shape \(2, 4, 5, 5\) with 4"):
        nn.BatchNorm2d(3)(nnlib.randn(2, 4, 5, 5))
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected input of shape \(N, C\) or \(N, C, L\), got shape \(2, 4, 3, 3\)"):
        nn.BatchNorm1d(4)(nnlib.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected input of shape \(N, C, H, W\), got shape \(2, 3, 4\)"):
        nn.BatchNorm2d(3)(nnlib.randn(2, 3, 4))
    with pytest.raises(ValueError, match=r"more than 1 value per channel when training, got input of shape \(1, 4\)"):
        nn.BatchNorm1d(4)(nnlib.randn(1, 4))
    with pytest.raises(ValueError, match=r"training=False normalises with running_mean and running_var"):
        F.batch_norm(nnlib.randn(3, 4), None, None)
    with pytest.raises(ValueError, match=r"batch_norm: expected running_mean of shape \(4,\), got \(3,\)"):
        F.batch_norm(nnlib.randn(3, 4), nnlib.zeros(3), nnlib.ones(4))


def test_embedding_names_the_bad_index_its_position_and_num_embeddings():
    layer = nn.Embedding(10, 3)
    with pytest.raises(IndexError, match=r"index 12 at position \(1, 2\) is out of range for num_embeddings=10 \(valid: 0 to 9\)"):
        layer(nnlib.tensor([[0, 1, 2], [3, 4, 12]]))
    with pytest.raises(IndexError, match=r"index -1 at position \(0,\) is out of range for num_embeddings=10"):
        layer(nnlib.tensor([-1, 2]))
    with pytest.raises(TypeError, match=r"indices must be integers, got dtype float32"):
        layer(nnlib.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"padding_idx must be within num_embeddings=10 \(from -10 to 9\), got 10"):
        nn.Embedding(10, 3, padding_idx=10)


def test_dropout_probability_outside_zero_one_is_an_error():
    with pytest.raises(ValueError, match=r"Dropout: dropout probability has to be between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match=r"dropout: dropout probability has to be between 0 and 1, but got -0.1"):
        F.dropout(nnlib.randn(3), -0.1)
    with pytest.raises(ValueError, match=r"MultiheadAttention: dropout probability .* but got 2"):
        nn.MultiheadAttention(8, 2, dropout=2)


def test_attention_errors_name_the_shapes():
    q = nnlib.randn(2, 4, 8)
    with pytest.raises(ValueError, match=r"query and key must have the same number of features .* \(2, 4, 8\) and \(2, 5, 6\)"):
        F.scaled_dot_product_attention(q, nnlib.randn(2, 5, 6), nnlib.randn(2, 5, 6))
    with pytest.raises(ValueError, match=r"key and value must have the same length .* \(2, 5, 8\) and \(2, 6, 8\)"):
        F.scaled_dot_product_attention(q, nnlib.randn(2, 5, 8), nnlib.randn(2, 6, 8))
    with pytest.raises(ValueError, match=r"attn_mask of shape \(4, 4\) does not broadcast to the attention scores' shape \(2, 4, 5\)"):
        F.scaled_dot_product_attention(q, nnlib.randn(2, 5, 8), nnlib.randn(2, 5, 8), attn_mask=nnlib.ones(4, 4))
    with pytest.raises(ValueError, match=r"either attn_mask or is_causal=True, not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=nnlib.ones(4, 4), is_causal=True)


def test_multihead_attention_errors_name_expected_and_received():
    layer = nn.MultiheadAttention(8, 2)
    x = nnlib.randn(4, 3, 8)  # (L, N, E)
    with pytest.raises(ValueError, match=r"embed_dim \(10\) must be divisible by num_heads \(3\)"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match=r"MultiheadAttention\(embed_dim=8\): expected query with 3 dimensions and 8 features in its last one, got shape \(4, 3, 6\)"):
        layer(nnlib.randn(4, 3, 6), x, x)
    with pytest.raises(ValueError, match=r"expected query of shape \(L, N, E\) or \(L, E\), got shape \(2, 4, 3, 8\)"):
        layer(nnlib.randn(2, 4, 3, 8), x, x)
    with pytest.raises(ValueError, match=r"key shape \(4, 3, 8\) does not match value shape \(5, 3, 8\)"):
        layer(x, x, nnlib.randn(5, 3, 8))
    with pytest.raises(ValueError, match=r"expected key_padding_mask of shape \(N, S\) = \(3, 4\), got \(4, 3\)"):
        layer(x, x, x, key_padding_mask=nnlib.zeros(4, 3, dtype=nnlib.bool_))
    with pytest.raises(ValueError, match=r"expected a 2D attn_mask of shape \(4, 4\), got \(4, 5\)"):
        layer(x, x, x, attn_mask=nnlib.zeros(4, 5, dtype=nnlib.bool_))
    with pytest.raises(ValueError, match=r"expected a 3D attn_mask of shape \(6, 4, 4\), got \(2, 4, 4\)"):
        layer(x, x, x, attn_mask=nnlib.zeros(2, 4, 4, dtype=nnlib.bool_))
    with pytest.raises(TypeError, match=r"only bool and floating-point masks are supported, got dtype int64"):
        layer(x, x, x, attn_mask=nnlib.zeros(4, 4, dtype=nnlib.int64))
    with pytest.raises(ValueError, match=r"is_causal=True is a hint that attn_mask is the causal mask, so attn_mask must be given"):
        layer(x, x, x, is_causal=True)


def test_transformer_encoder_layer_errors():
    with pytest.raises(ValueError, match=r"activation should be 'relu' or a callable, got 'swish'"):
        nn.TransformerEncoderLayer(8, 2, activation="swish")
    with pytest.raises(ValueError, match=r"TransformerEncoderLayer\(d_model=8\): expected src with 8 features .* got shape \(4, 3, 6\)"):
        nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)(nnlib.randn(4, 3, 6))
