"""A small training loop for the chapters: fit() trains, evaluate() measures, and a loss that stops
being a finite number halts training at once with the step where it happened."""
import math

import numpy as np

from .autograd import no_grad
from .tensor import Tensor


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite; the message names the step, so the run can be inspected."""


def _identity(iterable, **_):
    return iterable


def check_finite(loss_value, step, epoch, batch):
    if not math.isfinite(loss_value):
        raise NonFiniteLossError(
            f"loss is {loss_value} at step {step} (epoch {epoch}, batch {batch}); training stopped. "
            "Common causes: a learning rate that is too high, log of 0 (use the with-logits losses), "
            "or NaN/inf in the input data."
        )


def fit(model, loss_fn, optimizer, loader, epochs=1, scheduler=None, val_loader=None, max_grad_norm=None,
        progress=None):
    """Train `model` and return a history: the loss of every step, and the validation accuracy per epoch.

    loss_fn(outputs, targets) -> scalar tensor; `loader` yields (inputs, targets) batches;
    `scheduler.step()` runs once per epoch; `progress` wraps an iterable with a progress bar
    (pass tqdm.auto.tqdm in a notebook; nnlib itself depends on NumPy only).
    """
    from .nn.utils import clip_grad_norm_
    progress = progress or _identity
    history = {"loss": [], "val_accuracy": []}
    step = 0
    for epoch in progress(range(1, epochs + 1), desc="epochs"):
        model.train()
        for batch, (inputs, targets) in enumerate(loader, start=1):
            step += 1
            loss = loss_fn(model(inputs), targets)
            value = loss.item()
            check_finite(value, step, epoch, batch)
            optimizer.zero_grad()
            loss.backward()
            if max_grad_norm is not None:
                clip_grad_norm_(model.parameters(), max_grad_norm)
            optimizer.step()
            history["loss"].append(value)
        if scheduler is not None:
            scheduler.step()
        if val_loader is not None:
            history["val_accuracy"].append(evaluate(model, val_loader))
    return history


def predict(model, loader):
    """Predicted class (argmax of the outputs) for every batch of `loader`, in eval mode."""
    model.eval()
    predictions = []
    with no_grad():
        for inputs, _ in loader:
            predictions.append(np.argmax(model(inputs).data, axis=-1))
    return np.concatenate(predictions)


def evaluate(model, loader):
    """Classification accuracy of `model` over `loader` (eval mode, no graph)."""
    targets = np.concatenate([t.data if isinstance(t, Tensor) else np.asarray(t) for _, t in loader])
    return float(np.mean(predict(model, loader) == targets))
