"""RNN, LSTM and GRU: float64 parity with torch.nn (outputs, final states, and the gradients of every
parameter, the input and h0/c0) over 21-step sequences, state_dict keys, init, dropout, errors."""
import numpy as np
import pytest
import torch

import nnlib
import nnlib.nn as nn
import nnlib.nn.functional as F
from module_parity import check_module_parity

SEQ_LEN, BATCH, INPUT, HIDDEN = 21, 3, 5, 4

# kind -> (module class name, extra constructor arguments)
KINDS = {
    "rnn-tanh": ("RNN", {}),
    "rnn-relu": ("RNN", {"nonlinearity": "relu"}),
    "lstm": ("LSTM", {}),
    "gru": ("GRU", {}),
}


def build(lib, kind, *args, **kwargs):
    cls_name, extra = KINDS[kind]
    return getattr(lib.nn, cls_name)(*args, **extra, **kwargs)


def parity_inputs(kind, num_layers, batch_first, with_state, batched=True, seed=0):
    """(input arrays, call) for check_module_parity: the sequence, then h0 (and c0) if given."""
    rng = np.random.default_rng(seed)
    x_shape = ((BATCH, SEQ_LEN) if batch_first else (SEQ_LEN, BATCH)) if batched else (SEQ_LEN,)
    state_shape = (num_layers, BATCH, HIDDEN) if batched else (num_layers, HIDDEN)
    arrays = [rng.standard_normal(x_shape + (INPUT,))]
    if not with_state:
        return arrays, lambda m, x: m(x)
    arrays.append(rng.standard_normal(state_shape))
    if kind != "lstm":
        return arrays, lambda m, x, h0: m(x, h0)
    arrays.append(rng.standard_normal(state_shape))
    return arrays, lambda m, x, h0, c0: m(x, (h0, c0))


@pytest.mark.parametrize("with_state", [False, True], ids=["zero-state", "given-state"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["time-major", "batch-first"])
@pytest.mark.parametrize("num_layers", [1, 2], ids=["1-layer", "2-layers"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_matches_torch(kind, num_layers, batch_first, bias, with_state):
    arrays, call = parity_inputs(kind, num_layers, batch_first, with_state)
    kwargs = dict(num_layers=num_layers, bias=bias, batch_first=batch_first)
    outs = check_module_parity(build(nnlib, kind, INPUT, HIDDEN, **kwargs), build(torch, kind, INPUT, HIDDEN, **kwargs),
                               arrays, call=call)
    expected_output = (BATCH, SEQ_LEN, HIDDEN) if batch_first else (SEQ_LEN, BATCH, HIDDEN)
    assert outs[0].shape == expected_output
    assert all(o.shape == (num_layers, BATCH, HIDDEN) for o in outs[1:])


@pytest.mark.parametrize("with_state", [False, True], ids=["zero-state", "given-state"])
@pytest.mark.parametrize("num_layers", [1, 2], ids=["1-layer", "2-layers"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_unbatched_input_matches_torch(kind, num_layers, with_state):
    arrays, call = parity_inputs(kind, num_layers, False, with_state, batched=False)
    outs = check_module_parity(build(nnlib, kind, INPUT, HIDDEN, num_layers=num_layers),
                               build(torch, kind, INPUT, HIDDEN, num_layers=num_layers), arrays, call=call)
    assert outs[0].shape == (SEQ_LEN, HIDDEN)
    assert all(o.shape == (num_layers, HIDDEN) for o in outs[1:])


@pytest.mark.parametrize("kind", ["rnn-relu", "lstm", "gru"])
def test_batch_first_is_ignored_for_unbatched_input_like_torch(kind):
    arrays, call = parity_inputs(kind, 2, False, True, batched=False, seed=3)
    check_module_parity(build(nnlib, kind, INPUT, HIDDEN, num_layers=2, batch_first=True),
                        build(torch, kind, INPUT, HIDDEN, num_layers=2, batch_first=True), arrays, call=call)


def test_final_states_are_the_last_steps_of_each_layer():
    nnlib.manual_seed(0)
    lstm = nn.LSTM(INPUT, HIDDEN, num_layers=2, batch_first=True)
    x = nnlib.randn(BATCH, SEQ_LEN, INPUT)
    output, (h_n, c_n) = lstm(x)
    np.testing.assert_array_equal(h_n.data[-1], output.data[:, -1])  # the top layer's last h is the last output
    bottom = nn.LSTM(INPUT, HIDDEN, batch_first=True)
    bottom.load_state_dict({k: v for k, v in lstm.state_dict().items() if k.endswith("_l0")})
    _, (h_0, c_0) = bottom(x)
    np.testing.assert_allclose(h_n.data[0], h_0.data[0], rtol=1e-6)  # layer 0's own final state
    np.testing.assert_allclose(c_n.data[0], c_0.data[0], rtol=1e-6)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("bias", [True, False])
def test_state_dict_keys_and_shapes_equal_torchs(kind, bias):
    ours = build(nnlib, kind, INPUT, HIDDEN, num_layers=3, bias=bias).state_dict()
    theirs = build(torch, kind, INPUT, HIDDEN, num_layers=3, bias=bias).state_dict()
    assert list(ours) == list(theirs)
    assert {k: v.shape for k, v in ours.items()} == {k: tuple(v.shape) for k, v in theirs.items()}


def test_parameter_shapes_follow_the_gate_count():
    for cls, gates in ((nn.RNN, 1), (nn.LSTM, 4), (nn.GRU, 3)):
        m = cls(7, 6, num_layers=2)
        assert m.weight_ih_l0.shape == (gates * 6, 7) and m.weight_ih_l1.shape == (gates * 6, 6)
        assert m.weight_hh_l1.shape == (gates * 6, 6) and m.bias_hh_l1.shape == (gates * 6,)


def test_init_is_uniform_within_one_over_sqrt_hidden_and_seeded():
    nnlib.manual_seed(0)
    lstm = nn.LSTM(10, 100, num_layers=2)
    bound = 1 / np.sqrt(100)  # hidden_size, not the layer's input size
    for name, p in lstm.named_parameters():
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound, name
        assert np.abs(p.data).max() > 0.95 * bound, name  # the whole range is used
        assert abs(p.data.mean()) < 0.1 * bound, name
    nnlib.manual_seed(0)
    again = nn.LSTM(10, 100, num_layers=2)
    assert all(np.array_equal(a, b) for a, b in zip(lstm.state_dict().values(), again.state_dict().values()))


@pytest.mark.parametrize("kind, kwargs", [
    ("lstm", {}), ("gru", {"num_layers": 2, "bias": False}), ("rnn-relu", {"batch_first": True, "dropout": 0.5, "num_layers": 3}),
    ("rnn-tanh", {"num_layers": 2, "dropout": 0.25}),
])
def test_repr_reads_like_torch(kind, kwargs):
    assert repr(build(nnlib, kind, 3, 4, **kwargs)) == repr(build(torch, kind, 3, 4, **kwargs))


# ---- dropout between layers -----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn-tanh"])
def test_dropout_is_off_in_eval_mode(kind):
    arrays, call = parity_inputs(kind, 2, False, True)
    ours = build(nnlib, kind, INPUT, HIDDEN, num_layers=2, dropout=0.5).eval()
    theirs = build(torch, kind, INPUT, HIDDEN, num_layers=2, dropout=0.5).eval()
    check_module_parity(ours, theirs, arrays, call=call)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn-relu"])
def test_dropout_one_in_training_zeroes_what_the_second_layer_sees_like_torch(kind):
    # p = 1 is the one dropout that is deterministic, so training mode can be compared with torch
    arrays, call = parity_inputs(kind, 2, True, True)
    ours = build(nnlib, kind, INPUT, HIDDEN, num_layers=2, dropout=1.0, batch_first=True)
    theirs = build(torch, kind, INPUT, HIDDEN, num_layers=2, dropout=1.0, batch_first=True)
    assert ours.training and theirs.training
    check_module_parity(ours, theirs, arrays, call=call)


def test_dropout_in_training_is_random_seeded_and_between_layers_only():
    nnlib.manual_seed(0)
    lstm = nn.LSTM(INPUT, HIDDEN, num_layers=2, dropout=0.5)
    x = nnlib.randn(SEQ_LEN, BATCH, INPUT)
    lstm.eval()
    out_eval, (h_eval, _) = lstm(x)
    lstm.train()
    nnlib.manual_seed(1)
    out_a, (h_a, c_a) = lstm(x)
    nnlib.manual_seed(1)
    out_b, _ = lstm(x)
    nnlib.manual_seed(2)
    out_c, _ = lstm(x)
    np.testing.assert_array_equal(out_a.data, out_b.data)  # same seed, same masks
    assert not np.allclose(out_a.data, out_c.data)  # another seed, other masks
    assert not np.allclose(out_a.data, out_eval.data)  # training mode did drop something
    np.testing.assert_array_equal(h_a.data[0], h_eval.data[0])  # the first layer is never affected
    out_a.sum().backward()  # and the backward goes through the masks
    assert all(p.grad is not None and np.isfinite(p.grad).all() for p in lstm.parameters())


def test_dropout_with_one_layer_warns_and_changes_nothing():
    with pytest.warns(UserWarning, match="between layers only"):
        gru = nn.GRU(INPUT, HIDDEN, dropout=0.5)
    x = nnlib.randn(SEQ_LEN, BATCH, INPUT)
    out_train, _ = gru(x)
    out_eval, _ = gru.eval()(x)
    np.testing.assert_array_equal(out_train.data, out_eval.data)


# ---- backpropagation through long sequences ---------------------------------------------------------
def test_backward_through_a_5000_step_sequence_matches_torch():
    # about 20,000 graph nodes: a recursive backward would overflow Python's stack long before this.
    # Gradients of every parameter and of h0 (through all 5000 steps); the input's own gradient is
    # checked by the short-sequence tests, since each step's slice of it costs a full-size gradient.
    rng = np.random.default_rng(4)
    x, h0 = rng.standard_normal((5000, 1, 2)), rng.standard_normal((1, 1, 3))
    check_module_parity(nn.RNN(2, 3), torch.nn.RNN(2, 3), [x, h0], grad_inputs=(1,))


def test_lstm_backward_through_a_long_sequence_reaches_every_parameter():
    nnlib.manual_seed(5)
    lstm = nn.LSTM(2, 3)
    h0 = nnlib.zeros(1, 1, 3, requires_grad=True)
    output, (h_n, c_n) = lstm(nnlib.randn(3000, 1, 2), (h0, nnlib.zeros(1, 1, 3)))
    (output.sum() + c_n.sum()).backward()
    assert h0.grad.shape == (1, 1, 3)
    assert all(np.isfinite(p.grad).all() and np.abs(p.grad).max() > 0 for p in lstm.parameters())


def test_no_graph_is_recorded_under_no_grad():
    lstm = nn.LSTM(INPUT, HIDDEN)
    with nnlib.no_grad():
        output, (h_n, c_n) = lstm(nnlib.randn(SEQ_LEN, BATCH, INPUT))
    assert not (output.requires_grad or h_n.requires_grad or c_n.requires_grad)


# ---- clear errors ------------------------------------------------------------------------------------
def test_wrong_input_size_names_expected_and_received():
    with pytest.raises(ValueError, match=r"LSTM: expected input with input_size=5 features .* got input of shape \(7, 3, 6\)"):
        nn.LSTM(5, 4)(nnlib.randn(7, 3, 6))
    with pytest.raises(ValueError, match=r"GRU: expected input of shape \(N, L, input_size\) with batch_first=True "
                                         r"or \(L, input_size\) unbatched, got a 4-D input of shape \(2, 7, 3, 5\)"):
        nn.GRU(5, 4, batch_first=True)(nnlib.randn(2, 7, 3, 5))


def test_wrong_hidden_state_shapes_name_expected_and_received():
    x = nnlib.randn(7, 3, 5)
    with pytest.raises(ValueError, match=r"RNN: expected h0 of shape \(2, 3, 4\) \(num_layers, batch, hidden_size\), got \(1, 3, 4\)"):
        nn.RNN(5, 4, num_layers=2)(x, nnlib.zeros(1, 3, 4))
    with pytest.raises(ValueError, match=r"GRU: expected h0 of shape \(1, 3, 4\) .* got \(1, 2, 4\)"):
        nn.GRU(5, 4)(x, nnlib.zeros(1, 2, 4))
    with pytest.raises(ValueError, match=r"LSTM: expected c0 of shape \(1, 3, 4\) .* got \(1, 3, 5\)"):
        nn.LSTM(5, 4)(x, (nnlib.zeros(1, 3, 4), nnlib.zeros(1, 3, 5)))
    with pytest.raises(ValueError, match=r"LSTM: expected h0 of shape \(1, 4\) \(num_layers, hidden_size\) for unbatched input, got \(1, 1, 4\)"):
        nn.LSTM(5, 4)(nnlib.randn(7, 5), (nnlib.zeros(1, 1, 4), nnlib.zeros(1, 1, 4)))
    with pytest.raises(TypeError, match=r"LSTM: the initial state must be a tuple \(h0, c0\), got Tensor"):
        nn.LSTM(5, 4)(x, nnlib.zeros(1, 3, 4))


def test_dtype_mismatch_and_empty_sequence_are_clear_errors():
    with pytest.raises(TypeError, match=r"LSTM: input has dtype float64 but the parameters have dtype float32"):
        nn.LSTM(5, 4)(nnlib.randn(7, 3, 5, dtype=nnlib.float64))
    with pytest.raises(TypeError, match=r"GRU: h0 has dtype float32 but the input has dtype float64"):
        nn.GRU(5, 4).double()(nnlib.randn(7, 3, 5, dtype=nnlib.float64), nnlib.zeros(1, 3, 4))
    with pytest.raises(ValueError, match=r"at least one step, got input of shape \(3, 0, 5\)"):
        nn.RNN(5, 4, batch_first=True)(nnlib.randn(3, 0, 5))


def test_unsupported_or_invalid_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="LSTM: bidirectional=True is not supported"):
        nn.LSTM(5, 4, bidirectional=True)
    with pytest.raises(ValueError, match="GRU: bidirectional=True is not supported"):
        nn.GRU(5, 4, 1, True, False, 0.0, True)
    with pytest.raises(ValueError, match="proj_size=2 is not supported"):
        nn.LSTM(5, 4, proj_size=2)
    with pytest.raises(ValueError, match=r"RNN: unknown nonlinearity 'sigmoid'; choose 'tanh' or 'relu'"):
        nn.RNN(5, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"dropout must be a probability in \[0, 1\] .* got 1.5"):
        nn.GRU(5, 4, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match=r"LSTM: hidden_size must be a positive integer, got 0"):
        nn.LSTM(5, 0)


def test_rnn_positional_arguments_follow_torch_order():
    # RNN(input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout)
    ours, theirs = nn.RNN(5, 4, 2, "relu", False, True, 0.5), torch.nn.RNN(5, 4, 2, "relu", False, True, 0.5)
    for attr in ("num_layers", "nonlinearity", "bias", "batch_first", "dropout"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr


def test_cell_functions_name_the_bad_operand():
    x, h = nnlib.randn(3, 4), nnlib.zeros(3, 5)
    with pytest.raises(TypeError, match=r"lstm_cell: hx must be a tuple \(h, c\)"):
        F.lstm_cell(x, h, nnlib.randn(20, 4), nnlib.randn(20, 5))
    with pytest.raises(ValueError, match=r"lstm_cell: w_ih must have shape \(20, 4\) .* got \(20, 3\)"):
        F.lstm_cell(x, (h, h), nnlib.randn(20, 3), nnlib.randn(20, 5))
    with pytest.raises(ValueError, match=r"gru_cell: hx must have shape \(3, 5\) \(batch, hidden_size\), got \(2, 5\)"):
        F.gru_cell(x, nnlib.zeros(2, 5), nnlib.randn(15, 4), nnlib.randn(15, 5))
    with pytest.raises(ValueError, match=r"gru_cell: w_hh must have shape \(3 \* hidden_size, hidden_size\), got \(20, 5\)"):
        F.gru_cell(x, h, nnlib.randn(15, 4), nnlib.randn(20, 5))
