"""Grade a whole class: 100 honest submissions of one exercise, in parallel, as the gradebook does.

Each submission is the exercise (exercises/03_autograd.ipynb as generated from solutions/) with every
answer cell holding the reference answer, written to its own folder submissions/studentNNN/. The
script grades them with `coursetools.gradebook.grade_class` (the gradebook command's runner: `--jobs`
worker processes, each submission in its own sandboxed kernel, the trusted kernel's reference values
computed once), checks that every one scores full marks, and prints the wall-clock time.

    .venv/bin/python benchmarks/bench_grading.py                 # 100 submissions, one job per core
    .venv/bin/python benchmarks/bench_grading.py -n 10 --jobs 2  # a quicker look
    .venv/bin/python benchmarks/bench_grading.py --json grading.json

The course's target: 100 submissions in at most 10 minutes on the 2-core development machine. This
needs solutions/ (the reference answers), so it is not part of a learner's release.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402  (single-threaded BLAS in this process and the kernels it starts)

TARGET_S = 600.0  # 100 submissions in at most 10 minutes


def make_class(folder, n, assignment="03_autograd"):
    """n honest submissions of `assignment` under folder/studentNNN/."""
    from coursetools.authoring import write_submission
    first = write_submission(assignment, Path(folder) / "student000" / f"{assignment}.ipynb")
    text = first.read_text()
    for k in range(1, n):
        target = Path(folder) / f"student{k:03d}" / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return sorted(Path(folder).glob(f"student*/{assignment}.ipynb"))


def _machine():
    info = common.machine_info()
    try:  # the kernels import torch, this process does not
        from importlib.metadata import version
        info["torch"] = info["torch"] or version("torch")
    except Exception:
        pass
    return info


def run(n=100, jobs=None, cell_timeout=60, assignment="03_autograd", folder=None):
    """Build and grade the class; returns a JSON-able payload (times, scores, machine)."""
    from coursetools.gradebook import default_jobs, grade_class
    jobs = jobs or default_jobs()
    with tempfile.TemporaryDirectory(prefix="bench_grading_") as tmp:
        folder = Path(folder or Path(tmp) / "submissions")
        make_class(folder, n, assignment)
        done, loads = [], [os.getloadavg()[0]]

        def progress(path, outcome):
            done.append(time.perf_counter() - start)
            loads.append(os.getloadavg()[0])  # sampled as each submission finishes

        start = time.perf_counter()
        results = grade_class(folder, jobs=jobs, cell_timeout=cell_timeout, progress=progress)
        seconds = time.perf_counter() - start
    wrong = [(name, outcome) for name, outcome in results
             if isinstance(outcome, Exception) or not outcome.all_passed]
    scores = sorted({None if isinstance(o, Exception) else o.score for _, o in results}, key=str)
    return {
        "submissions": n, "jobs": jobs, "assignment": assignment, "cell_timeout_s": cell_timeout,
        "seconds": seconds, "seconds_per_submission": seconds / n, "first_done_s": min(done) if done else None,
        "scores": scores, "not_full_marks": [f"{name}: {o}" if isinstance(o, Exception) else name for name, o in wrong],
        "target_s": TARGET_S * n / 100, "target_met": not wrong and seconds <= TARGET_S * n / 100,
        # other work on the machine slows every figure: the 1-minute load average, min / median / max
        "load_average_1min": [min(loads), statistics.median(loads), max(loads)],
        "isolation": sorted({getattr(o, "isolation", "") for _, o in results if not isinstance(o, Exception)}),
        "machine": _machine(),
    }


def format_result(payload):
    lines = [f"| submissions | jobs | wall clock | per submission | first finished | full marks | target |",
             "|---|---|---|---|---|---|---|",
             f"| {payload['submissions']} | {payload['jobs']} | {payload['seconds']:.0f} s "
             f"({payload['seconds'] / 60:.1f} min) | {payload['seconds_per_submission']:.1f} s | "
             f"{payload['first_done_s'] or 0:.0f} s | {payload['submissions'] - len(payload['not_full_marks'])}"
             f" of {payload['submissions']} | <= {payload['target_s']:.0f} s: "
             f"{'met' if payload['target_met'] else 'MISSED'} |"]
    lines += [f"not full marks: {line}" for line in payload["not_full_marks"][:10]]
    load = payload["load_average_1min"]
    lines.append(f"isolation: {', '.join(payload['isolation']) or '?'}")
    lines.append(f"load average (1 min) during the run: {load[0]:.1f} to {load[2]:.1f} (median {load[1]:.1f}) "
                 f"on {payload['machine']['usable_cpus']} usable CPUs")
    return "\n".join(lines + ["", common.format_machine_info(payload["machine"])])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--submissions", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per cell (default 60, as the gradebook)")
    parser.add_argument("--assignment", default="03_autograd")
    parser.add_argument("--json", type=Path, help="also write the result as JSON")
    parser.add_argument("--check", action="store_true", help="exit status 1 if the target is missed")
    args = parser.parse_args(argv)
    payload = run(args.submissions, args.jobs, args.timeout, args.assignment)
    print(format_result(payload))
    if args.json:
        common.write_json(args.json, payload)
    if payload["not_full_marks"]:
        return 1  # an honest submission that loses points is a grader bug, whatever the time
    return 1 if args.check and not payload["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
