"""Conv 3x3 forward + backward: nnlib's im2col conv2d vs torch.nn.functional.conv2d (CPU, one thread).

Two shapes from the course's Targets table, each a "middle layer": the input requires grad, so the
backward computes the input gradient as well as the weight and bias gradients.

    digits: 64 x 1 x 8 x 8   -> 16 channels, 3x3, padding 1   (target: nnlib <= 1.0x torch)
    cifar:  64 x 3 x 32 x 32 -> 16 channels, 3x3, padding 1   (target: nnlib <= 2.0x torch)

Each iteration runs exactly the same code for both libraries (each with its own tensors, float32):

    x.grad = w.grad = b.grad = None
    F.conv2d(x, w, b, padding=1).backward(gradient=g)     # g: a fixed random output gradient

All four cases are timed interleaved in one run, so the ratios compare like with like.

Where nnlib's extra time goes on the larger shape: the same three matrix products as torch, plus the
im2col copy (9 times the input) and the col2im additions. Large NumPy temporaries are also fresh memory:
when a step's peak allocation exceeds what glibc's malloc keeps between steps, every step pays page
faults for it. That is why conv2d's backward does not store dL/dcols (with it stored, this benchmark
measured about 2.4x torch on the 2-core course machine instead of about 1.5x).

    .venv/bin/python benchmarks/bench_conv.py [--json results.json] [--repeat 11]
"""
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` and `nnlib` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402  (first: sets single-thread env before numpy/torch)

import numpy as np  # noqa: E402

import nnlib  # noqa: E402

# name -> (input shape (N, C, H, W), output channels, target for the median ratio nnlib / torch)
SHAPES = {
    "digits": ((64, 1, 8, 8), 16, 1.0),
    "cifar": ((64, 3, 32, 32), 16, 2.0),
}
KERNEL, PADDING = 3, 1


def _describe(name):
    (n, c, h, w), c_out, _ = SHAPES[name]
    return f"{n}x{c}x{h}x{w} -> {c_out}, 3x3, padding 1"


def make_cases(torch, seed=0):
    """{"<shape>/<library>": zero-argument step} for every shape; checks nnlib's gradients against torch's once."""
    cases = {}
    for name, ((n, c, h, w), c_out, _) in SHAPES.items():
        rng = np.random.default_rng(seed)
        shapes = ((n, c, h, w), (c_out, c, KERNEL, KERNEL), (c_out,))  # input, weight, bias
        arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        grad_out = rng.standard_normal((n, c_out, h, w)).astype(np.float32)  # padding 1 keeps H x W

        def make_step(lib, conv2d):
            x, weight, bias = (lib.tensor(a, requires_grad=True) for a in arrays)
            g = lib.tensor(grad_out)

            def step():
                x.grad = weight.grad = bias.grad = None
                conv2d(x, weight, bias, padding=PADDING).backward(gradient=g)
            return step, (x, weight, bias)

        cases[f"{name}/nnlib"], ours = make_step(nnlib, nnlib.nn.functional.conv2d)
        cases[f"{name}/torch"], theirs = make_step(torch, torch.nn.functional.conv2d)
        cases[f"{name}/nnlib"]()
        cases[f"{name}/torch"]()
        for label, a, b in zip(("input", "weight", "bias"), ours, theirs):
            got, expected = a.grad.numpy(), b.grad.numpy()
            error = np.abs(got - expected).max() / np.abs(expected).max()  # float32 sums of 65536 terms
            if got.dtype != np.float32 or error > 1e-5:
                raise AssertionError(f"{name}: nnlib's {label} gradient differs from torch's "
                                     f"(relative error {error:.2g})")
    return cases


def run(repeat=11, number=None, target_batch_s=0.1, warmup_s=0.05):
    """Measure every case (interleaved) and return a JSON-ready dict of results, ratios, targets and machine."""
    torch = common.import_torch()
    if torch is None:
        raise SystemExit("bench_conv compares nnlib with PyTorch: install torch first")
    timings = common.measure_interleaved(make_cases(torch), repeat=repeat, number=number,
                                         warmup_s=warmup_s, target_batch_s=target_batch_s)
    results = {name: {"median_ms": t["median_s"] * 1e3, "min_ms": t["min_s"] * 1e3, "max_ms": t["max_s"] * 1e3, **t}
               for name, t in timings.items()}
    targets = {}
    for name, (_, _, target) in SHAPES.items():
        measured = common.ratio(timings, f"{name}/nnlib", f"{name}/torch")
        targets[name] = {"shape": _describe(name), "ratio_max": target, "ratio": measured,
                         "ratio_min": common.ratio(timings, f"{name}/nnlib", f"{name}/torch", stat="min_s"),
                         "met": measured <= target}
    return {
        "benchmark": "conv",
        "description": "conv2d 3x3, padding 1, float32, forward + backward(gradient=g), input/weight/bias require grad",
        "unit": "milliseconds per iteration",
        "results": results,
        "targets": targets,
        "machine": common.machine_info(),
        "settings": {"repeat": repeat, "number": number, "target_batch_s": target_batch_s, "warmup_s": warmup_s},
    }


def report(payload):
    """Print the run as Markdown: machine, timings, and the nnlib / torch ratio against each target."""
    print("## Conv 3x3 forward + backward: nnlib (im2col) vs torch.nn.functional.conv2d\n")
    print(common.format_machine_info(payload["machine"]) + "\n")
    timings = {name: {k: r[k] for k in ("median_s", "min_s", "number", "repeat")}
               for name, r in payload["results"].items()}
    labels = {name: f"{name}: {_describe(name.split('/')[0])}" for name in timings}
    common.print_table(timings, unit="ms", labels=labels)
    print("\n| shape | nnlib / torch (median) | nnlib / torch (min) | target | met |")
    print("|---|---:|---:|---:|---|")
    for t in payload["targets"].values():
        print(f"| {t['shape']} | {t['ratio']:.2f}x | {t['ratio_min']:.2f}x | <= {t['ratio_max']:g}x | "
              f"{'yes' if t['met'] else 'NO'} |")


def main(argv=None):
    args = common.parse_args(argv, __doc__.split("\n\n")[0], torch_option=False)
    payload = run(repeat=args.repeat, number=args.number, target_batch_s=args.batch_seconds)
    report(payload)
    return common.finish(args, payload, all(t["met"] for t in payload["targets"].values()))


if __name__ == "__main__":
    sys.exit(main())
