"""Every nnlib module's state_dict has PyTorch's keys and shapes, and weights move both ways."""
import numpy as np
import pytest
import torch

import nnlib


def _pairs():
    rng = np.random.default_rng(0)
    x = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    return [
        ("Linear", lambda m: m.nn.Linear(5, 3), [x(4, 5)]),
        ("Conv2d", lambda m: m.nn.Conv2d(3, 4, kernel_size=3, stride=2, padding=1), [x(2, 3, 8, 8)]),
        ("Conv2d-dilation-groups", lambda m: m.nn.Conv2d(4, 6, 3, 1, 2, 2, 2, False), [x(2, 4, 8, 8)]),
        ("Conv2d-depthwise-same", lambda m: m.nn.Conv2d(3, 6, (3, 2), padding="same", groups=3), [x(3, 7, 6)]),
        ("Embedding", lambda m: m.nn.Embedding(10, 4, padding_idx=0), [np.array([[1, 0, 9]])]),
        ("LayerNorm", lambda m: m.nn.LayerNorm(6), [x(2, 6)]),
        ("BatchNorm1d", lambda m: m.nn.BatchNorm1d(4), [x(8, 4)]),
        ("BatchNorm2d", lambda m: m.nn.BatchNorm2d(3), [x(2, 3, 4, 4)]),
        ("RNN", lambda m: m.nn.RNN(4, 6, num_layers=2), [x(7, 2, 4)]),
        ("LSTM", lambda m: m.nn.LSTM(4, 6, num_layers=2, batch_first=True), [x(2, 7, 4)]),
        ("GRU", lambda m: m.nn.GRU(4, 6), [x(7, 2, 4)]),
        ("MultiheadAttention", lambda m: m.nn.MultiheadAttention(8, 2, batch_first=True), [x(2, 5, 8)] * 3),
        ("TransformerEncoderLayer", lambda m: m.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True), [x(2, 5, 8)]),
        ("CNN", lambda m: m.nn.Sequential(m.nn.Conv2d(1, 4, 3, padding=1), m.nn.ReLU(), m.nn.MaxPool2d(2),
                                          m.nn.Flatten(), m.nn.Linear(16, 3)), [x(2, 1, 4, 4)]),
        ("CNN-global-pool", lambda m: m.nn.Sequential(m.nn.Conv2d(2, 4, 3, padding=1), m.nn.MaxPool2d(2, dilation=2),
                                                      m.nn.Conv2d(4, 4, 3, groups=4), m.nn.AdaptiveAvgPool2d(1),
                                                      m.nn.Flatten(), m.nn.Linear(4, 3)), [x(2, 2, 9, 9)]),
    ]


def _first_output(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("name, make, inputs", _pairs(), ids=[p[0] for p in _pairs()])
def test_weights_move_from_torch_to_nnlib_and_back(name, make, inputs):
    torch.manual_seed(0)
    theirs = make(torch)
    if name.startswith("BatchNorm"):  # non-trivial running statistics, so the buffers matter
        theirs.train()
        theirs(torch.from_numpy(inputs[0] * 3 + 1))
    theirs.eval()
    ours = make(nnlib).eval()
    torch_state = theirs.state_dict()
    assert [(k, tuple(v.shape)) for k, v in torch_state.items()] == [(k, v.shape) for k, v in ours.state_dict().items()]
    ours.load_state_dict(torch_state)

    back = make(torch).eval()
    back.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})  # strict
    with torch.no_grad():
        expected = _first_output(back(*[torch.from_numpy(a) for a in inputs])).numpy()
        original = _first_output(theirs(*[torch.from_numpy(a) for a in inputs])).numpy()
    with nnlib.no_grad():
        got = _first_output(ours(*[nnlib.tensor(a) for a in inputs])).data
    np.testing.assert_array_equal(expected, original)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
