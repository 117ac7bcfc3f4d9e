"""Shared helpers for the course benchmarks: single-threaded setup, timing, tables, machine info.

Import this module FIRST in a benchmark, before numpy or torch: the thread-count environment
variables only take effect if they are set before the BLAS / OpenMP libraries load.

    from benchmarks import common          # sets the thread variables
    import numpy as np                     # now single-threaded
    torch = common.import_torch()          # torch with set_num_threads(1), or None if not installed
    results = common.measure_interleaved({"numpy": fn1, "nnlib": fn2})
    common.print_table(results, baseline="numpy")

Why single-threaded: the course compares the per-op cost of Python libraries, and on a shared
2-core machine extra BLAS / OpenMP threads only add noise (and fight with other processes).
"""
import os
import sys

# ---- 1. force single-threaded BLAS / OpenMP, before numpy or torch are imported ----------------
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "VECLIB_MAXIMUM_THREADS")  # the last one is Apple Accelerate (students' Macs)
# If numpy / torch were imported before this module (e.g. by another test in the same pytest run),
# the environment variables come too late; we record that, and fall back on threadpoolctl below.
LOADED_BEFORE_THREAD_SETUP = tuple(m for m in ("numpy", "torch") if m in sys.modules)
for _var in THREAD_ENV_VARS:
    os.environ[_var] = "1"
# OPENBLAS_CORETYPE is deliberately left alone: the environment may set it to pick a working
# OpenBLAS kernel for this CPU; we only record it in machine_info().

import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent


def _limit_loaded_thread_pools():
    """Cap BLAS / OpenMP pools that are already loaded (only matters if the env came too late)."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    threadpoolctl.threadpool_limits(limits=1)  # a plain call (not `with`) applies for the process
    return threadpoolctl


_threadpoolctl = _limit_loaded_thread_pools()


def import_torch():
    """Import torch with one intra-op (and, if still possible, one inter-op) thread; None if absent."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # can only be set before torch's first parallel work; harmless for these benchmarks
    return torch


# ---- 2. timing -----------------------------------------------------------------------------------
def _time_batch(fn, number, timer=time.perf_counter):
    """Seconds for `number` calls of fn (the loop's own cost is included; see `measure_loop_overhead`)."""
    start = timer()
    for _ in range(number):
        fn()
    return timer() - start


def calibrate(fn, target_s=0.1, max_number=10_000_000):
    """Smallest number of calls, in steps 1, 2, 5, 10, 20, ..., whose batch lasts >= target_s."""
    number = 1
    while True:
        for factor in (1, 2, 5):
            n = number * factor
            if n >= max_number or _time_batch(fn, n) >= target_s:
                return n
        number *= 10


def _summary(batch_times, number):
    per_iter = sorted(t / number for t in batch_times)
    return {
        "median_s": statistics.median(per_iter),
        "min_s": per_iter[0],
        "max_s": per_iter[-1],
        "number": number,  # calls per batch
        "repeat": len(per_iter),  # batches
        "per_iter_s": per_iter,  # every batch's time per call, sorted
    }


def measure_interleaved(cases, repeat=11, number=None, warmup_s=0.05, target_batch_s=0.1,
                        disable_gc=False):
    """Time several zero-argument callables; return {name: summary} with seconds per call.

    For each case: warm up for about `warmup_s`, then pick `number` (calls per batch) so that one
    batch lasts about `target_batch_s` (or use the `number` given). Then run `repeat` rounds; each
    round runs ONE batch of every case in turn. Interleaving means a burst of load from another
    process on a shared machine hits all cases alike instead of a single one, which keeps the
    ratios between cases much steadier than the absolute times.

    The summary has the median (the figure to quote) and min (the least disturbed batch) time per
    call, from `repeat` batches of `number` calls. The garbage collector stays on by default, as
    in a real training loop; `disable_gc=True` turns it off while timing, like `timeit`.
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    numbers = {}
    for name, fn in cases.items():
        deadline = time.perf_counter() + warmup_s
        fn()  # at least once, so one-off costs (imports, caches, first allocation) stay out
        while time.perf_counter() < deadline:
            fn()
        numbers[name] = number if number is not None else calibrate(fn, target_batch_s)
    batch_times = {name: [] for name in cases}
    gc_was_enabled = gc.isenabled()
    if disable_gc:
        gc.disable()
    try:
        for _ in range(repeat):
            for name, fn in cases.items():
                batch_times[name].append(_time_batch(fn, numbers[name]))
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: _summary(batch_times[name], numbers[name]) for name in cases}


def measure(fn, **kwargs):
    """Time one callable: the summary dict of `measure_interleaved` for that single case."""
    return measure_interleaved({"fn": fn}, **kwargs)["fn"]


def empty_function():
    pass


def measure_loop_overhead(**kwargs):
    """Seconds per call of an empty function: the floor that every measured figure includes."""
    return measure(empty_function, **kwargs)


# ---- 3. reporting --------------------------------------------------------------------------------
UNITS = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}


def format_table(results, baseline=None, unit="us", ratio_label=None, labels=None):
    """A Markdown table of `results` ({name: summary}), with each median divided by the baseline's.

    `labels` optionally maps names to longer descriptions for the first column.
    """
    scale = UNITS[unit]
    labels = labels or {}
    header = ["case", f"median ({unit}/call)", f"min ({unit}/call)", "batches x calls"]
    if baseline is not None:
        header.append(ratio_label or f"ratio to {baseline} (median)")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for name, r in results.items():
        row = [labels.get(name, name), f"{r['median_s'] * scale:.3f}", f"{r['min_s'] * scale:.3f}",
               f"{r['repeat']} x {r['number']}"]
        if baseline is not None:
            rel = ratio(results, name, baseline)
            row.append(f"{rel:.2f}x" if rel >= 0.1 else f"{rel:.2g}x")  # keep 2 digits of small ratios
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def print_table(results, baseline=None, unit="us", ratio_label=None, labels=None):
    print(format_table(results, baseline, unit, ratio_label, labels))


def ratio(results, name, baseline, stat="median_s"):
    """results[name] / results[baseline]: how many times slower `name` is (same run, same machine)."""
    return results[name][stat] / results[baseline][stat]


# ---- 4. machine info -----------------------------------------------------------------------------
def cpu_model():
    """The CPU's model name from /proc/cpuinfo (Linux), else what `platform` knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                # x86: "model name"; some ARM kernels: "Hardware" or "Processor"
                if key.strip() in ("model name", "Hardware", "Processor") and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _git_revision():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def machine_info():
    """What a benchmark figure depends on: CPU, cores, library versions, thread settings."""
    info = {
        "cpu_model": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": None,
        "torch_threads": None,
        "thread_env": {var: os.environ.get(var) for var in THREAD_ENV_VARS + ("OPENBLAS_CORETYPE",)},
        "loaded_before_thread_setup": list(LOADED_BEFORE_THREAD_SETUP),
        "git_revision": _git_revision(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    if _threadpoolctl is not None:
        info["blas_threads"] = sorted({p["num_threads"] for p in _threadpoolctl.threadpool_info()})
    return info


def format_machine_info(info):
    lines = [
        f"CPU: {info['cpu_model']} ({info['usable_cpus']} usable of {info['logical_cpus']} logical CPUs)",
        f"Python {info['python']}, numpy {info['numpy']}, torch {info['torch'] or 'not installed'}"
        f" on {info['platform']}",
        "threads: torch {}, BLAS/OpenMP pools {}; env {}".format(
            info["torch_threads"], info.get("blas_threads", "?"),
            ", ".join(f"{k}={v}" for k, v in info["thread_env"].items() if v is not None)),
    ]
    if info["git_revision"]:
        lines.append(f"repo revision: {info['git_revision']}, {info['date']}")
    return "\n".join(lines)


def write_json(path, payload):
    """Write `payload` as indented JSON to `path` (directories are created as needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def parse_args(argv, description, repeat=11, batch_seconds=0.1, torch_option=True):
    """The command-line options every benchmark shares: --json, --repeat, --number, --batch-seconds,
    --check (and --no-torch where the benchmark can run without torch)."""
    import argparse
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--repeat", type=int, default=repeat, help=f"timed batches per case (default {repeat})")
    parser.add_argument("--number", type=int, default=None,
                        help="calls per batch (default: calibrated so a batch lasts --batch-seconds)")
    parser.add_argument("--batch-seconds", type=float, default=batch_seconds, help="target length of one batch")
    if torch_option:
        parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch case")
    parser.add_argument("--check", action="store_true", help="exit with status 1 if a target is not met")
    args = parser.parse_args(argv)
    if args.repeat < 1 or (args.number is not None and args.number < 1) or args.batch_seconds <= 0:
        parser.error("--repeat and --number must be >= 1 and --batch-seconds > 0")
    return args


def finish(args, payload, targets_met):
    """Write the JSON if asked; the exit status is 1 only with --check and a missed target."""
    if args.json:
        print(f"\nJSON written to {write_json(args.json, payload)}")
    return 1 if args.check and not targets_met else 0
