"""A whole class, graded in parallel: each submission on its own, so one that hangs, crashes or kills
its grader costs only its own row.

The first tests drive the gradebook's runner with stand-in graders (fast, and failures the real grader
would never have); the last grades a real mixed class of chapter 03 submissions with --jobs 2.
"""
import csv
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from coursetools import REPO
from coursetools.__main__ import main
from coursetools.authoring import TEST_CELL_TIMEOUT, write_submission
from coursetools.gradebook import GradingFailed, default_jobs, grade_paths
from gradebook_standins import grade_by_name  # a light module: every worker imports it


def test_default_jobs_is_the_number_of_usable_cores():
    assert default_jobs() == len(os.sched_getaffinity(0))


def test_a_hanging_crashing_or_failing_grading_costs_only_its_own_row(tmp_path):
    names = ["ok1", "hang", "ok2", "exit", "ok3", "kill", "raise", "ok4"]
    start = time.monotonic()
    results = dict(grade_paths([tmp_path / n for n in names], jobs=2, timeout=4, grade_one=grade_by_name))
    seconds = time.monotonic() - start
    by_name = {p.name: outcome for p, outcome in results.items()}
    assert [by_name[f"ok{k}"] for k in range(1, 5)] == [f"graded ok{k}" for k in range(1, 5)]
    assert isinstance(by_name["hang"], GradingFailed) and "did not finish within 4 s" in str(by_name["hang"])
    assert isinstance(by_name["exit"], GradingFailed) and "exit status 3" in str(by_name["exit"])
    assert isinstance(by_name["kill"], GradingFailed) and "signal 9" in str(by_name["kill"])
    assert str(by_name["raise"]) == "RuntimeError: the grader tripped over this one"  # one line for the row
    assert seconds < 40, f"took {seconds:.0f} s: a stuck submission held up the others"


def test_workers_are_reused_and_run_in_parallel(tmp_path):
    results = grade_paths([tmp_path / f"pid{k}" for k in range(6)], jobs=2, grade_one=grade_by_name)
    pids = {outcome for _, outcome in results}
    assert len(pids) == 2 and os.getpid() not in pids  # two workers, each grading several, none in-process


def test_the_results_keep_the_order_of_the_submissions(tmp_path):
    paths = [tmp_path / f"s{k:02d}" for k in range(12)]
    assert [p for p, _ in grade_paths(paths, jobs=3, grade_one=grade_by_name)] == paths


def test_interrupting_the_gradebook_stops_its_workers(tmp_path):
    # the workers run in sessions of their own, so Ctrl-C in the terminal reaches only the gradebook
    paths = [tmp_path / "hangpid1", tmp_path / "hangpid2"]
    code = ("import sys; sys.path[:0] = %r\n"
            "from coursetools.gradebook import grade_paths\nfrom gradebook_standins import grade_by_name\n"
            "grade_paths(%r, jobs=2, timeout=600, grade_one=grade_by_name)\n") % (sys.path, [str(p) for p in paths])
    gradebook = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 120
    while not all(p.exists() and p.read_text() for p in paths):
        assert time.monotonic() < deadline and gradebook.poll() is None, "the workers did not start"
        time.sleep(0.2)
    workers = [int(p.read_text()) for p in paths]
    gradebook.send_signal(signal.SIGINT)
    assert gradebook.wait(60) != 0
    for pid in workers:
        deadline = time.monotonic() + 20
        while _running(pid):
            assert time.monotonic() < deadline, f"worker {pid} still runs after the gradebook was interrupted"
            time.sleep(0.2)


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"  # a zombie has stopped


# ---- a real class of chapter 03 submissions, --jobs 2 ----
SPIN = "def softplus(x):\n    while True:\n        pass\n"  # a cell that never ends: the per-cell limit stops it
KILL_KERNEL = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"  # the kernel dies at question 2
WRONG_MATMUL = "def matmul_backward(a, b, grad_out):\n    return 2 * grad_out @ b.T, a.T @ grad_out\n"
POINTS = {c.metadata.nbgrader.grade_id: c.metadata.nbgrader.points
          for c in nbformat.read(REPO / "solutions" / "03_autograd.ipynb", as_version=4).cells
          if c.metadata.get("nbgrader", {}).get("grade")}
MAX = sum(POINTS.values())


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    write_submission("03_autograd", folder / "honest1" / "03_autograd.ipynb")
    write_submission("03_autograd", folder / "spins" / "03_autograd.ipynb", {"q1_softplus": SPIN})
    write_submission("03_autograd", folder / "honest2" / "03_autograd.ipynb")
    write_submission("03_autograd", folder / "kills" / "03_autograd.ipynb", {"q2_predict_gradient": KILL_KERNEL})
    write_submission("03_autograd", folder / "wrong_q5" / "03_autograd.ipynb", {"q5_matmul_backward": WRONG_MATMUL})
    (folder / "corrupt").mkdir()
    (folder / "corrupt" / "03_autograd.ipynb").write_text('{"cells": [')
    write_submission("03_autograd", folder / "honest3" / "03_autograd.ipynb")
    out = tmp_path_factory.mktemp("out")
    start = time.monotonic()
    status = main(["gradebook", str(folder), "--out", str(out / "grades.csv"), "--jobs", "2",
                   "--timeout", str(TEST_CELL_TIMEOUT)])
    seconds = time.monotonic() - start
    rows = {r["submission"]: r for r in csv.DictReader((out / "grades.csv").open())}
    return status, rows, seconds, out


def test_every_honest_submission_gets_full_marks_whatever_the_others_do(gradebook):
    status, rows, _, _ = gradebook
    assert status == 0
    for honest in ("honest1", "honest2", "honest3"):
        row = rows[f"{honest}/03_autograd.ipynb"]
        assert float(row["score"]) == MAX and float(row["max_score"]) == MAX, row


def test_each_failing_submission_gets_its_own_row_and_reason(gradebook):
    _, rows, _, _ = gradebook
    assert len(rows) == 7
    spins = rows["spins/03_autograd.ipynb"]
    assert float(spins["q1_softplus_test"]) == 0 and float(spins["score"]) == MAX - POINTS["q1_softplus_test"]
    kills = rows["kills/03_autograd.ipynb"]
    assert float(kills["score"]) == POINTS["q1_softplus_test"] == float(kills["q1_softplus_test"])  # nothing after q1 ran
    wrong = rows["wrong_q5/03_autograd.ipynb"]
    assert float(wrong["score"]) == MAX - POINTS["q5_matmul_backward_test"] and float(wrong["q5_matmul_backward_test"]) == 0
    corrupt = rows["corrupt/03_autograd.ipynb"]
    assert float(corrupt["score"] or 0) == 0 and corrupt["error"] and "\n" not in corrupt["error"]


def test_the_class_takes_no_longer_than_its_submissions_budgets(gradebook):
    _, _, seconds, _ = gradebook
    # 7 submissions; the slowest (the spinning cell) needs one cell limit, the others seconds each
    assert seconds < 7 * (TEST_CELL_TIMEOUT + 30), f"{seconds:.0f} s"


def test_gradebook_rejects_zero_jobs(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["gradebook", str(tmp_path), "--jobs", "0"])
    assert "--jobs" in capsys.readouterr().err


def test_the_benchmarks_class_is_copies_of_one_honest_submission(tmp_path):
    import sys
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from benchmarks import bench_grading
    paths = bench_grading.make_class(tmp_path / "class", 3)
    assert [p.parent.name for p in paths] == ["student000", "student001", "student002"]
    honest = write_submission("03_autograd", tmp_path / "honest.ipynb").read_text()
    assert all(p.read_text() == honest for p in paths)
