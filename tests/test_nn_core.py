"""Module machinery and the simplest layers: registration, state_dict both ways, modes, repr, Linear parity."""
import numpy as np
import pytest
import torch

import nnlib
import nnlib.nn as nn
from module_parity import check_module_parity


def mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
def test_linear_matches_torch(bias, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    check_module_parity(nn.Linear(4, 3, bias=bias), torch.nn.Linear(4, 3, bias=bias), [x])


def test_sequential_mlp_matches_torch_and_has_torch_keys():
    x = np.random.default_rng(1).standard_normal((6, 4))
    check_module_parity(mlp(nnlib), mlp(torch), [x])
    assert list(mlp(nnlib).state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_slicing_a_sequential_gives_a_sequential_with_torch_keys():
    ours, theirs = mlp(nnlib), mlp(torch)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32)
    for index in (slice(None, 2), slice(1, None), slice(None, None, 2), slice(-1, None)):
        part, part_t = ours[index], theirs[index]
        assert isinstance(part, nn.Sequential) and list(part.state_dict()) == list(part_t.state_dict())
        assert repr(part) == repr(part_t)
    np.testing.assert_allclose(ours[:2](nnlib.tensor(x)).data, theirs[:2](torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert ours[:2][0] is ours[0] and isinstance(ours[-1], nn.Linear)      # the same modules, not copies
    layers = nn.ModuleList([nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2)])
    assert isinstance(layers[1:], nn.ModuleList) and list(layers[1:].state_dict()) == ["1.weight", "1.bias"]
    assert list(layers[1:].state_dict()) == list(torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 2)])[1:].state_dict())


def test_state_dict_goes_to_torch_and_back():
    ours = mlp(nnlib)
    theirs = mlp(torch)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(nnlib.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_load_state_dict_names_missing_unexpected_and_wrong_shapes():
    model = mlp(nnlib)
    state = model.state_dict()
    with pytest.raises(KeyError, match=r"missing keys \['2.bias'\], unexpected keys \['extra'\]"):
        model.load_state_dict({**{k: v for k, v in state.items() if k != "2.bias"}, "extra": np.zeros(1)})
    with pytest.raises(ValueError, match=r"'0.weight' has shape \(8, 5\) here but \(8, 4\) in the model"):
        model.load_state_dict({**state, "0.weight": np.zeros((8, 5))})


def test_parameters_are_registered_in_order_and_shared_ones_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.children())) == 3


def test_zero_grad_train_eval():
    model = mlp(nnlib)
    model(nnlib.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_repr_reads_like_torch():
    assert repr(mlp(nnlib)) == repr(mlp(torch))


def test_linear_names_expected_and_received_features():
    with pytest.raises(ValueError, match=r"Linear\(in_features=4\): expected input with 4 features .* got shape \(2, 5\)"):
        nn.Linear(4, 3)(nnlib.randn(2, 5))


def test_default_initialisation_bound_is_one_over_sqrt_fan_in():
    nnlib.manual_seed(0)
    layer = nn.Linear(100, 400)
    bound = 1 / np.sqrt(100)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.95 * bound  # the whole range is used, not a narrower one
    assert layer.weight.dtype == np.float32


def test_loss_modules_match_functional():
    z = nnlib.randn(4, 3)
    y = nnlib.tensor([0, 2, 1, 1])
    assert nn.CrossEntropyLoss()(z, y).item() == pytest.approx(nnlib.nn.functional.cross_entropy(z, y).item())
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"


ACTIVATIONS = [
    lambda lib: lib.nn.GELU(), lambda lib: lib.nn.GELU(approximate="tanh"), lambda lib: lib.nn.LeakyReLU(),
    lambda lib: lib.nn.LeakyReLU(negative_slope=0.2), lambda lib: lib.nn.LeakyReLU(0.1, inplace=True),
    lambda lib: lib.nn.SiLU(), lambda lib: lib.nn.SiLU(inplace=True), lambda lib: lib.nn.ReLU(),
    lambda lib: lib.nn.Sigmoid(), lambda lib: lib.nn.Tanh(), lambda lib: lib.nn.Softmax(dim=1),
    lambda lib: lib.nn.LogSoftmax(dim=-1),
]
ACTIVATION_IDS = ["GELU", "GELU-tanh", "LeakyReLU", "LeakyReLU-0.2", "LeakyReLU-inplace", "SiLU", "SiLU-inplace", "ReLU",
                  "Sigmoid", "Tanh", "Softmax", "LogSoftmax"]


@pytest.mark.parametrize("make", ACTIVATIONS, ids=ACTIVATION_IDS)
def test_activation_modules_match_torch_and_print_like_torch(make):
    x = np.random.default_rng(3).standard_normal((5, 4)) * 3
    # an in-place activation may not change a leaf that requires grad: run it after a Linear, in both libraries
    check_module_parity(nn.Sequential(nn.Linear(4, 4), make(nnlib)), torch.nn.Sequential(torch.nn.Linear(4, 4), make(torch)), [x],
                        rtol=1e-10, atol=1e-12)
    assert repr(make(nnlib)) == repr(make(torch))


def test_gelu_mlp_matches_torch():
    def model(lib):
        return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.GELU(), lib.nn.Linear(8, 8), lib.nn.SiLU(),
                                 lib.nn.Linear(8, 3), lib.nn.LeakyReLU(0.05))
    check_module_parity(model(nnlib), model(torch), [np.random.default_rng(4).standard_normal((6, 4))], rtol=1e-10, atol=1e-12)


def test_gelu_module_refuses_an_unknown_approximation():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh', got 'fast'"):
        nn.GELU(approximate="fast")
