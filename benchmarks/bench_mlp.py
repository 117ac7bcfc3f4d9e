"""MLP training step: nnlib vs hand-written NumPy vs PyTorch eager, single thread, one run.

Model 784-256-256-10 with ReLU, softmax cross-entropy, float32, one plain SGD step
(forward, backward, update) per iteration, at batch sizes 128 and 32. All three start from the same
weights and data, and the first step's losses are checked to agree before anything is timed.

    .venv/bin/python benchmarks/bench_mlp.py [--json results.json] [--repeat 7]
"""
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` and `nnlib` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402  (first: sets single-thread env before numpy/torch)

import numpy as np  # noqa: E402

import nnlib  # noqa: E402

SIZES = (784, 256, 256, 10)
LR = 0.01
TARGETS = {"nnlib/numpy": 1.15, "nnlib/torch": 1.0}  # COURSE.md targets at batch 128


def make_problem(batch, seed=0):
    """Data and initial weights (PyTorch layout: W is out x in), as float32 NumPy arrays."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights += [rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                    rng.uniform(-bound, bound, fan_out).astype(np.float32)]
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch)
    return x, y, weights


def numpy_stepper(x, y, weights):
    """The forward and backward passes written out by hand: the baseline nnlib should come close to."""
    W1, b1, W2, b2, W3, b3 = [w.copy() for w in weights]
    rows = np.arange(len(y))

    def step():
        nonlocal W1, b1, W2, b2, W3, b3
        h1 = x @ W1.T + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ W2.T + b2
        a2 = np.maximum(h2, 0)
        z = a2 @ W3.T + b3
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[rows, y]).mean()
        dz = p
        dz[rows, y] -= 1
        dz /= len(y)
        dW3, db3 = dz.T @ a2, dz.sum(axis=0)
        dh2 = (dz @ W3) * (h2 > 0)
        dW2, db2 = dh2.T @ a1, dh2.sum(axis=0)
        dh1 = (dh2 @ W2) * (h1 > 0)
        dW1, db1 = dh1.T @ x, dh1.sum(axis=0)
        for w, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (W3, dW3), (b3, db3)):
            w -= LR * g
        return float(loss)
    return step


def library_stepper(lib, x, y, weights):
    """One SGD step with `lib` = nnlib or torch: the same code for both, only the module differs."""
    layers = []
    for k in range(3):
        layers.append(lib.nn.Linear(SIZES[k], SIZES[k + 1]))
        if k < 2:
            layers.append(lib.nn.ReLU())
    model = lib.nn.Sequential(*layers)
    names = [f"{i}.{p}" for i in (0, 2, 4) for p in ("weight", "bias")]
    model.load_state_dict({name: lib.tensor(w) for name, w in zip(names, weights)})
    xs, ys = lib.tensor(x), lib.tensor(y)
    params = list(model.parameters())

    def step():
        loss = lib.nn.functional.cross_entropy(model(xs), ys)
        for p in params:
            p.grad = None
        loss.backward()
        with lib.no_grad():
            for p in params:
                p.data -= LR * p.grad
        return loss.item()
    return step


def run(batches=(128, 32), repeat=7, number=None, target_batch_s=0.2, warmup_s=0.1, use_torch=True):
    torch = common.import_torch() if use_torch else None
    payload = {"benchmark": "mlp", "description": "784-256-256-10 ReLU MLP, cross-entropy, SGD step, float32",
               "unit": "milliseconds per step", "results": {}, "ratios": {}, "targets": {},
               "machine": common.machine_info()}
    for batch in batches:
        x, y, weights = make_problem(batch)
        cases = {"numpy": numpy_stepper(x, y, weights), "nnlib": library_stepper(nnlib, x, y, weights)}
        if torch is not None:
            cases["torch"] = library_stepper(torch, x, y, weights)
        first = {name: step() for name, step in cases.items()}  # same weights, same data: same loss
        losses = list(first.values())
        if max(losses) - min(losses) > 1e-4:
            raise AssertionError(f"first-step losses disagree: {first}")
        timings = common.measure_interleaved(cases, repeat=repeat, number=number, warmup_s=warmup_s,
                                             target_batch_s=target_batch_s)
        payload["results"][f"batch {batch}"] = {n: {"median_ms": t["median_s"] * 1e3, "min_ms": t["min_s"] * 1e3, **t}
                                                for n, t in timings.items()}
        pairs = [("nnlib", "numpy")] + ([("nnlib", "torch")] if torch is not None else [])
        payload["ratios"][f"batch {batch}"] = {f"{a}/{b}": common.ratio(timings, a, b) for a, b in pairs}
    ratios_128 = payload["ratios"].get("batch 128", {})
    payload["targets"] = {key: {"max": bound, "measured": ratios_128.get(key), "met": ratios_128.get(key, 0) <= bound}
                          for key, bound in TARGETS.items() if key in ratios_128}
    return payload


def report(payload):
    print("## MLP 784-256-256-10 training step (float32, single thread)\n")
    print(common.format_machine_info(payload["machine"]) + "\n")
    for batch, results in payload["results"].items():
        print(f"### {batch}\n")
        timings = {n: {k: r[k] for k in ("median_s", "min_s", "number", "repeat")} for n, r in results.items()}
        common.print_table(timings, baseline="numpy", unit="ms")
        print()
        for key, value in payload["ratios"][batch].items():
            print(f"- {key}: {value:.2f}x")
        print()
    for key, t in payload["targets"].items():
        print(f"- target at batch 128: {key} <= {t['max']}x; measured {t['measured']:.2f}x: {'MET' if t['met'] else 'NOT MET'}")


def main(argv=None):
    args = common.parse_args(argv, __doc__.split("\n\n")[0], repeat=7, batch_seconds=0.2)
    payload = run(repeat=args.repeat, number=args.number, target_batch_s=args.batch_seconds,
                  use_torch=not args.no_torch)
    report(payload)
    return common.finish(args, payload, all(t["met"] for t in payload["targets"].values()))


if __name__ == "__main__":
    sys.exit(main())
