"""LSTM training step: nnlib.nn.LSTM vs torch.nn.LSTM (CPU, eager), single thread, in one run.

One step is what a training loop does for one batch, up to the optimiser:

    model.zero_grad()
    output, (h_n, c_n) = model(x)                  # x: (T, N, input_size), no gradient needed
    loss = F.mse_loss(output, target)
    loss.backward()                                # backpropagation through all T steps

with the course's sizes: input 128, hidden 128, T = 64, batch 32, one layer, float32. The same code
runs on both libraries; the nnlib model starts from the torch model's weights, and the two losses
are checked to agree before anything is timed. The course target is nnlib <= 3x torch (median).

    .venv/bin/python benchmarks/bench_lstm.py [--json results.json] [--repeat 5]
"""
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` and `nnlib` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402  (first: sets single-thread env before numpy/torch)

import numpy as np  # noqa: E402

import nnlib  # noqa: E402

TARGET_RATIO = 3.0  # the course's target: nnlib's LSTM step at most 3x torch's
SIZES = {"input_size": 128, "hidden_size": 128, "seq_len": 64, "batch": 32}

LABELS = {
    "nnlib": "nnlib.nn.LSTM: forward + backward (BPTT), T=64",
    "torch": "torch.nn.LSTM (CPU, eager): forward + backward, T=64",
}


def make_step(lib, model, x, target):
    """One training step of `model` on (x, target), written once for nnlib and torch (`lib`)."""
    mse_loss = lib.nn.functional.mse_loss

    def step():
        model.zero_grad()
        output, _ = model(x)
        loss = mse_loss(output, target)
        loss.backward()
        return loss
    return step


def make_cases(torch, sizes=SIZES, seed=0):
    """{name: zero-argument step}; nnlib's model gets torch's weights, and both losses must agree."""
    rng = np.random.default_rng(seed)
    T, N, I, H = sizes["seq_len"], sizes["batch"], sizes["input_size"], sizes["hidden_size"]
    x = rng.standard_normal((T, N, I)).astype(np.float32)
    target = rng.standard_normal((T, N, H)).astype(np.float32)
    ours = nnlib.nn.LSTM(I, H)
    cases = {"nnlib": make_step(nnlib, ours, nnlib.tensor(x), nnlib.tensor(target))}
    if torch is not None:
        torch.manual_seed(seed)
        theirs = torch.nn.LSTM(I, H)
        ours.load_state_dict(theirs.state_dict())
        cases["torch"] = make_step(torch, theirs, torch.from_numpy(x), torch.from_numpy(target))
        loss, loss_t = cases["nnlib"]().item(), cases["torch"]().item()
        if not np.isclose(loss, loss_t, rtol=1e-4):
            raise AssertionError(f"nnlib's loss {loss} differs from torch's {loss_t}: the two steps do not compute the same thing")
        grad, grad_t = ours.weight_hh_l0.grad, theirs.weight_hh_l0.grad.numpy()
        if not np.allclose(grad, grad_t, rtol=1e-3, atol=1e-6):
            raise AssertionError(f"nnlib's grad of weight_hh_l0 differs from torch's by up to {np.abs(grad - grad_t).max():.3g}")
    return cases


def run(repeat=5, number=None, target_batch_s=0.3, warmup_s=0.1, use_torch=True, sizes=SIZES):
    """Measure both steps (interleaved) and return a JSON-ready dict of results, ratio and machine."""
    torch = common.import_torch() if use_torch else None
    timings = common.measure_interleaved(make_cases(torch, sizes), repeat=repeat, number=number,
                                         warmup_s=warmup_s, target_batch_s=target_batch_s)
    results = {name: {"median_ms": t["median_s"] * 1e3, "min_ms": t["min_s"] * 1e3, "max_ms": t["max_s"] * 1e3, **t}
               for name, t in timings.items()}
    payload = {
        "benchmark": "lstm",
        "description": "LSTM training step (zero_grad, forward, MSE loss, backward through all steps), float32",
        "sizes": dict(sizes),
        "unit": "milliseconds per step",
        "results": results,
        "machine": common.machine_info(),
        "settings": {"repeat": repeat, "number": number, "target_batch_s": target_batch_s, "warmup_s": warmup_s},
    }
    if "torch" in timings:
        ratio = common.ratio(timings, "nnlib", "torch")
        payload["ratios"] = {"nnlib/torch": ratio}
        payload["ratios_min"] = {"nnlib/torch": common.ratio(timings, "nnlib", "torch", stat="min_s")}
        payload["target"] = {"nnlib/torch_max": TARGET_RATIO, "nnlib/torch": ratio, "met": ratio <= TARGET_RATIO}
    return payload


def report(payload):
    """Print the run as Markdown: machine, table with the ratio, and whether the course target is met."""
    s = payload["sizes"]
    print(f"## LSTM training step: input {s['input_size']}, hidden {s['hidden_size']}, "
          f"T {s['seq_len']}, batch {s['batch']}, float32\n")
    print(common.format_machine_info(payload["machine"]) + "\n")
    results = payload["results"]
    timings = {name: {k: r[k] for k in ("median_s", "min_s", "number", "repeat")} for name, r in results.items()}
    common.print_table(timings, baseline="torch" if "torch" in results else None, unit="ms", labels=LABELS)
    if "target" in payload:
        target = payload["target"]
        verdict = "MET" if target["met"] else f"NOT MET (by {target['nnlib/torch'] / target['nnlib/torch_max']:.2f}x)"
        print(f"\n- nnlib/torch: {target['nnlib/torch']:.2f}x (medians, same run; "
              f"{payload['ratios_min']['nnlib/torch']:.2f}x on mins)")
        print(f"- course target: nnlib <= {target['nnlib/torch_max']:g}x torch: {verdict}")


def main(argv=None):
    args = common.parse_args(argv, __doc__.split("\n\n")[0], repeat=5, batch_seconds=0.3)
    payload = run(repeat=args.repeat, number=args.number, target_batch_s=args.batch_seconds,
                  use_torch=not args.no_torch)
    report(payload)
    return common.finish(args, payload, payload.get("target", {"met": True})["met"])


if __name__ == "__main__":
    sys.exit(main())
