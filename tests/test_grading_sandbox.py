"""Issue 7, item 4: a submission's kernel runs in a private copy, limited, and leaves nothing behind."""
import json
import os
import shutil

import pytest

from coursetools import REPO
from coursetools.authoring import write_submission
from coursetools.grade import CannotGrade, Unit, format_report, grade_notebook, run_units
from coursetools.sandbox import Limits, Sandbox, bwrap_works, container_problem, resolve_mode
from grading_drill import DRILL, FULL, drill

PROBE = r'''
import json, os, resource, socket, sys
import nnlib, coursetools
def can_connect():
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=2).close()
        return True
    except OSError:
        return False
def writable(path):
    try:
        with open(path, "a"):
            return True
    except OSError:
        return False
print(json.dumps({
    "memory": resource.getrlimit(resource.RLIMIT_DATA)[0], "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0],
    "fsize": resource.getrlimit(resource.RLIMIT_FSIZE)[0], "core": resource.getrlimit(resource.RLIMIT_CORE)[0],
    "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0], "uid": os.getuid(), "cwd": os.getcwd(),
    "nnlib": nnlib.__file__, "coursetools": coursetools.__file__, "secret": os.environ.get("COURSETOOLS_TEST_SECRET"),
    "grading": os.environ.get("COURSETOOLS_GRADING"), "sees_solutions": os.path.exists(%r),
    "writes_solutions": writable(%r), "net": can_connect(), "pid": os.getpid(),
}))
''' % (str(REPO / "solutions"), str(REPO / "solutions" / "03_autograd.ipynb"))

LIMITS = Limits(memory_mb=3000, cpu_s=77, file_mb=5, processes=64)


def _probe(mode, monkeypatch):
    monkeypatch.setenv("COURSETOOLS_TEST_SECRET", "grader's own")
    unit = Unit("learner", "probe", None, [(PROBE, False)])
    with Sandbox(mode, LIMITS) as sandbox:
        run = run_units([unit], sandbox, LIMITS, 30, 60)
        rundir, uid = sandbox.rundir, sandbox.uid
    assert not run.stopped, run.stopped
    outcome = unit.outcomes[0]
    assert outcome.status == "ok", (outcome.ename, outcome.evalue)
    text = "".join(o.get("text", "") for o in outcome.outputs if o.get("output_type") == "stream")
    assert not rundir.exists()  # removed when grading ends
    return json.loads(text), rundir, uid


def _check_common(seen, rundir):
    assert seen["memory"] == 3000 * 2**20 and seen["cpu"] == 77 and seen["fsize"] == 5 * 2**20 and seen["core"] == 0
    assert seen["secret"] is None and seen["grading"] == "1"  # nothing of the grader's environment
    assert seen["cwd"] == str(rundir / "work")
    for package in ("nnlib", "coursetools"):  # a private, read-only copy, not the repository's
        assert seen[package].startswith(str(rundir / "lib")), seen[package]
    assert not seen["writes_solutions"]


def test_process_isolation_limits_the_kernel_and_gives_it_a_private_copy(monkeypatch):
    seen, rundir, uid = _probe("process", monkeypatch)
    if uid is None:  # root, with Python where other users cannot go (/root/.pyenv): the kernel keeps root's id
        seen["writes_solutions"] = False  # documented as weaker (README): root may write anywhere
    else:
        assert seen["uid"] == uid and seen["nproc"] == 64
    _check_common(seen, rundir)


def _bwrap_works_or_is_refused():
    """True where bubblewrap runs (CI installs it); elsewhere, check that asking for it is refused with a reason."""
    if bwrap_works():
        return True
    assert not os.environ.get("CI"), "CI installs bubblewrap (.ci/run): the bwrap paths must run there"
    with pytest.raises(RuntimeError, match="bubblewrap does not work here"):
        resolve_mode("bwrap")
    return False


def test_bwrap_isolation_hides_the_repository_and_the_network(monkeypatch):
    if not _bwrap_works_or_is_refused():
        return
    seen, rundir, uid = _probe("bwrap", monkeypatch)
    _check_common(seen, rundir)
    assert not seen["sees_solutions"] and not seen["net"]
    assert seen["pid"] < 10  # a PID namespace of its own
    if uid is not None:
        assert seen["uid"] == uid and seen["nproc"] == 64


@pytest.mark.parametrize("tool", ["docker", "podman"])
def test_the_container_isolation_runs_where_the_tool_works_and_says_why_not_elsewhere(tool, tmp_path):
    source, options = drill(tmp_path)
    path = write_submission(DRILL, tmp_path / f"{DRILL}.ipynb", source=source)
    problem = container_problem(tool)
    if problem:
        with pytest.raises(CannotGrade) as err:
            grade_notebook(path, 20, isolation=tool, **options)
        assert str(err.value) == problem and tool in problem and "\n" not in problem
        assert ("not installed" in problem) == (shutil.which(tool) is None)
    else:
        report = grade_notebook(path, 60, isolation=tool, **options)
        assert report.isolation == tool and report.score == FULL, format_report(report)


def test_the_isolation_is_named_in_the_report_and_the_weaker_one_says_so(tmp_path, capsys):
    from coursetools.__main__ import main
    source, _ = drill(tmp_path)
    path = write_submission(DRILL, tmp_path / f"{DRILL}.ipynb", {"q1_softplus": None}, source=source)
    assert main(["grade", str(path), "--source", str(source), "--isolation", "process", "--timeout", "20"]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("isolation: process group and resource limits only")
    assert captured.out.rstrip().splitlines()[-1].startswith("total")


@pytest.mark.parametrize("mode", ["process", "bwrap"])
def test_processes_a_kernel_started_are_killed_when_its_grading_ends(mode):
    if mode == "bwrap" and not _bwrap_works_or_is_refused():
        return
    mark = f"3600.{os.getpid()}{len(mode)}"
    escape = ("import subprocess\n"
              f"subprocess.Popen(['sleep', '{mark}1'])                                  # a plain child\n"
              f"subprocess.Popen(['setsid', 'sleep', '{mark}2'], start_new_session=True)   # its own session\n"
              f"subprocess.Popen(['env', '-i', '/bin/sh', '-c', '(sleep {mark}3 &); exit 0'], start_new_session=True)"
              "  # an orphan without the sandbox's environment\n")
    unit = Unit("learner", "escape", None, [(escape + "import time\ntime.sleep(1)", False)])
    with Sandbox(mode, LIMITS) as sandbox:
        run = run_units([unit], sandbox, LIMITS, 30, 60)
    assert not run.stopped and unit.outcomes[0].status == "ok", unit.outcomes[0].evalue
    alive = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if mark.encode() in open(f"/proc/{entry.name}/cmdline", "rb").read():
                    alive.append(entry.name)
            except OSError:
                pass
    assert alive == []


def test_a_message_too_large_for_the_grader_stops_the_kernel_not_the_grader():
    from coursetools.grade import MAX_MESSAGE_BYTES
    units = [Unit("learner", "your cell 1", None, [(f"print('x' * {MAX_MESSAGE_BYTES + 2**20})", False)]),
             Unit("learner", "your cell 2", None, [("print('never')", False)])]
    with Sandbox(None, LIMITS) as sandbox:
        run = run_units(units, sandbox, LIMITS, 5, 60)
    assert run.stopped.startswith("the kernel did not stop when interrupted after the 5 s time limit in your cell 1")
    assert f"sent more than {MAX_MESSAGE_BYTES // 2**20} MB of output at once" in run.stopped
    assert units[1].outcomes == []
