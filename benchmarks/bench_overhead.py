"""Per-op autograd overhead: one 1x1 add, forward and backward, in nnlib and in PyTorch (CPU, eager).

With a single float in each tensor the arithmetic costs nothing, so what is measured is the fixed
cost of ONE op in each library: Python dispatch, building the graph node, and running the backward
pass through it. That fixed cost is what dominates a model made of many small ops.

Each iteration runs exactly the same code for both libraries (each with its own tensor type):

    a.grad = None                        # so .grad does not accumulate over iterations
    (a + b).backward(gradient=ones)      # one op forward + its backward, nothing else

where `a` (requires_grad) and `b` are 1x1 float32 leaves made once, and `ones` is a 1x1 tensor
of ones (an explicit output gradient instead of `.sum().backward()`, so that only ONE op is timed).
For reference, a bare `np.add` on 1x1 arrays (no autograd at all) and an empty Python call (the
floor that the timing loop itself adds to every figure) are timed in the same run.

    .venv/bin/python benchmarks/bench_overhead.py [--json results.json] [--repeat 11]
"""
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` and `nnlib` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402  (first: sets single-thread env before numpy/torch)

import numpy as np  # noqa: E402

import nnlib  # noqa: E402

TARGET_US = 10.0  # the course's target for nnlib's per-op overhead (median, forward + backward)

LABELS = {
    "nnlib": "nnlib: 1x1 add, forward + backward",
    "torch": "torch eager (CPU): 1x1 add, forward + backward",
    "numpy": "numpy: np.add on 1x1 arrays (no autograd)",
    "empty_call": "empty Python call (timing-loop floor)",
}


def make_cases(torch=None):
    """{name: zero-argument callable} for every case; checks each autograd case's gradient once."""
    a = nnlib.tensor([[1.5]], requires_grad=True)
    b = nnlib.tensor([[2.0]])
    ones = nnlib.ones(1, 1)

    def nnlib_step():
        a.grad = None
        (a + b).backward(gradient=ones)

    cases = {"nnlib": nnlib_step}
    nnlib_step()
    if a.dtype != np.float32 or a.grad is None or a.grad.shape != (1, 1) or float(a.grad[0, 0]) != 1.0:
        raise AssertionError(f"nnlib add backward gave a.grad={a.grad!r}, expected [[1.]] float32")

    if torch is not None:
        at = torch.tensor([[1.5]], requires_grad=True)
        bt = torch.tensor([[2.0]])
        ones_t = torch.ones(1, 1)

        def torch_step():
            at.grad = None
            (at + bt).backward(gradient=ones_t)

        cases["torch"] = torch_step
        torch_step()
        if at.dtype != torch.float32 or at.grad is None or at.grad.tolist() != [[1.0]]:
            raise AssertionError(f"torch add backward gave at.grad={at.grad!r}, expected [[1.]] float32")

    x = np.array([[1.5]], dtype=np.float32)
    y = np.array([[2.0]], dtype=np.float32)
    np_add = np.add

    def numpy_step():
        np_add(x, y)

    cases["numpy"] = numpy_step
    cases["empty_call"] = common.empty_function
    return cases


def run(repeat=11, number=None, target_batch_s=0.1, warmup_s=0.05, use_torch=True):
    """Measure every case (interleaved) and return a JSON-ready dict of results, ratios and machine.

    results[name] has median_us / min_us / max_us per iteration (plus the same in seconds, and the
    batch sizes); `ratios` divide medians and `ratios_min` mins, all from this one run.
    """
    torch = common.import_torch() if use_torch else None
    timings = common.measure_interleaved(make_cases(torch), repeat=repeat, number=number,
                                         warmup_s=warmup_s, target_batch_s=target_batch_s)
    results = {}
    for name, t in timings.items():
        results[name] = {"median_us": t["median_s"] * 1e6, "min_us": t["min_s"] * 1e6,
                         "max_us": t["max_s"] * 1e6, **t}
    pairs = [("nnlib", "numpy")] + ([("nnlib", "torch"), ("torch", "numpy")] if "torch" in timings else [])
    ratios = {f"{x}/{y}": common.ratio(timings, x, y) for x, y in pairs}
    # ratios of the least disturbed batches: often steadier than medians on a busy machine
    ratios_min = {f"{x}/{y}": common.ratio(timings, x, y, stat="min_s") for x, y in pairs}
    nnlib_us = results["nnlib"]["median_us"]
    return {
        "benchmark": "overhead",
        "description": "1x1 float32 add, forward + backward(gradient=ones), a.grad = None each iteration",
        "unit": "microseconds per iteration",
        "results": results,
        "ratios": ratios,
        "ratios_min": ratios_min,
        "target": {"nnlib_median_us_max": TARGET_US, "nnlib_median_us": nnlib_us, "met": nnlib_us <= TARGET_US},
        "machine": common.machine_info(),
        "settings": {"repeat": repeat, "number": number, "target_batch_s": target_batch_s, "warmup_s": warmup_s},
    }


def report(payload):
    """Print the run as Markdown: machine, table, ratios, and whether the course target is met."""
    results = payload["results"]
    baseline = "torch" if "torch" in results else "numpy"
    print("## Per-op autograd overhead: 1x1 add, forward + backward\n")
    print(common.format_machine_info(payload["machine"]) + "\n")
    timings = {name: {k: r[k] for k in ("median_s", "min_s", "number", "repeat")} for name, r in results.items()}
    common.print_table(timings, baseline=baseline, unit="us", labels=LABELS)
    print()
    for key, value in payload["ratios"].items():
        print(f"- {key}: {value:.2f}x (medians, same run; {payload['ratios_min'][key]:.2f}x on mins)")
    target = payload["target"]
    verdict = "MET" if target["met"] else "NOT MET"
    print(f"- course target: nnlib per-op overhead <= {target['nnlib_median_us_max']:g} us; "
          f"measured {target['nnlib_median_us']:.2f} us (median): {verdict}")


def main(argv=None):
    args = common.parse_args(argv, __doc__.split("\n\n")[0])
    payload = run(repeat=args.repeat, number=args.number, target_batch_s=args.batch_seconds,
                  use_torch=not args.no_torch)
    report(payload)
    return common.finish(args, payload, payload["target"]["met"])


if __name__ == "__main__":
    sys.exit(main())
