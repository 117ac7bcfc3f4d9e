"""nnlib trains real models: the digits bars of the course, and a loud stop on a non-finite loss."""
import sys
from pathlib import Path

import numpy as np
import pytest

import nnlib

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from benchmarks import train_digits  # noqa: E402


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_digits_accuracy_reaches_the_bar(kind):
    result = train_digits.train(kind)
    assert result["test_accuracy"] >= train_digits.BARS[kind], result["test_accuracy"]
    assert result["history"]["loss"][-1] < result["history"]["loss"][0] / 5  # it really learned


def test_cnn_is_smaller_than_the_mlp():
    count = lambda model: sum(p.numel() for p in model.parameters())  # noqa: E731
    assert count(train_digits.make_cnn()) < count(train_digits.make_mlp())


def test_fit_stops_on_a_nan_loss_and_names_the_step():
    nnlib.manual_seed(0)
    model = nnlib.nn.Linear(2, 1)
    X = np.ones((8, 2), dtype=np.float32)
    y = np.ones((8, 1), dtype=np.float32)
    X[5] = np.nan  # the third batch of two contains it
    loader = nnlib.data.DataLoader(nnlib.data.TensorDataset(X, y), batch_size=2)
    optimizer = nnlib.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(nnlib.training.NonFiniteLossError, match=r"loss is nan at step 3 \(epoch 1, batch 3\)"):
        nnlib.training.fit(model, nnlib.nn.functional.mse_loss, optimizer, loader, epochs=2)


def test_fit_stops_on_an_infinite_loss_from_a_huge_learning_rate():
    nnlib.manual_seed(0)
    model = nnlib.nn.Linear(1, 1)
    X = np.linspace(-1, 1, 16, dtype=np.float32).reshape(-1, 1) * 100
    loader = nnlib.data.DataLoader(nnlib.data.TensorDataset(X, 3 * X), batch_size=16)
    with pytest.raises(nnlib.training.NonFiniteLossError, match=r"loss is (inf|nan) at step \d+ \(epoch \d+, batch 1\)"):
        nnlib.training.fit(model, nnlib.nn.functional.mse_loss, nnlib.optim.SGD(model.parameters(), lr=10.0), loader, epochs=50)
