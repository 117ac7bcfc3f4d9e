"""Train an nnlib MLP and an nnlib CNN on scikit-learn's digits; report test accuracy, time and size.

The numbers in the README come from this script (2-core machine, single thread). The test suite
trains the same models (tests/test_training.py) and asserts the accuracy bars, not the times.

    .venv/bin/python benchmarks/train_digits.py
"""
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402,F401  (single-thread settings before numpy)

import numpy as np  # noqa: E402

import nnlib  # noqa: E402
from nnlib import nn  # noqa: E402
from nnlib.data import DataLoader, StandardScaler, TensorDataset, load_digits, train_val_test_split  # noqa: E402

BARS = {"mlp": 0.95, "cnn": 0.97}  # the accuracy each model must reach on the test split


def digits_splits(seed=0):
    """Stratified 70/10/20 split; pixels standardised with training statistics only."""
    X, y = load_digits(flatten=True)
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        X, y, val_fraction=0.1, test_fraction=0.2, seed=seed, stratify=y)
    scaler = StandardScaler().fit(X_train)
    return [(scaler.transform(a).astype(np.float32), b) for a, b in ((X_train, y_train), (X_val, y_val), (X_test, y_test))]


def make_mlp():
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


def make_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 4 x 4
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 32 x 2 x 2
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10))


def train(kind, epochs=None, seed=0, progress=None):
    """Train the `kind` ('mlp' or 'cnn') model; return test accuracy, seconds and parameter count."""
    nnlib.manual_seed(seed)
    splits = digits_splits(seed)
    if kind == "cnn":
        splits = [(X.reshape(-1, 1, 8, 8), y) for X, y in splits]
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = splits
    model = make_cnn() if kind == "cnn" else make_mlp()
    epochs = epochs or {"mlp": 30, "cnn": 30}[kind]
    optimizer = nnlib.optim.Adam(model.parameters(), lr=2e-3)
    train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True, seed=seed)
    start = time.perf_counter()
    history = nnlib.training.fit(model, nn.functional.cross_entropy, optimizer, train_loader, epochs=epochs,
                                 val_loader=DataLoader(TensorDataset(X_val, y_val), batch_size=256), progress=progress)
    seconds = time.perf_counter() - start
    test_accuracy = nnlib.training.evaluate(model, DataLoader(TensorDataset(X_test, y_test), batch_size=256))
    return {"model": kind, "test_accuracy": test_accuracy, "seconds": seconds, "epochs": epochs,
            "parameters": sum(p.numel() for p in model.parameters()), "history": history}


def main():
    print("| model | parameters | epochs | test accuracy | bar | training time (s) |\n|---|---:|---:|---:|---:|---:|")
    for kind in ("mlp", "cnn"):
        r = train(kind)
        print(f"| {kind.upper()} | {r['parameters']:,} | {r['epochs']} | {r['test_accuracy']:.4f} | "
              f"{BARS[kind]:.2f} | {r['seconds']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
