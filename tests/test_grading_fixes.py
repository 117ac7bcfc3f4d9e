"""The grader bugs a reviewer reproduced, each pinned by a test (a class graded once by the gradebook
command, on a copy of the drill exercise whose q2 test has a hidden test of its own marked the way
nbgrader allows: `### BEGIN HIDDEN TESTS (the instructor's own seeds)`).

1. hidden tests leak through messages: a submission that records the cells its kernel runs (a
   pre_run_cell hook) puts them, encoded, in an exception message; after the first hidden step only
   the exception's type name is shown, and learner text is cut to ~300 characters before it
2. a hidden-test marker with text after it (nbgrader's rule: a line that contains it) is one
3. malformed notebooks (tags null or 5, a cell without a source, notebook metadata a list) get graded
   or a one-line reason, never a traceback
4. the sandbox's run folder goes, read-only lib/ included, for a grader that is not root
5. an expected integer or bool wants an integer or bool, exactly (109387.0 is not 109386)
6-8. the gradebook refuses a container tool that does not work, an --out that is a folder, and a
   learner's kernel refuses isolation 'none', before anything is graded or written
9. edits to a set-up or test cell are not run, and the table says so
10-12. the command line: exercises --check --source, --strict alone, --timeout/--budget <= 0, make grade NB
   with a space
13. a learner's cell above every graded cell runs once, however many source cells have no grade_id
"""
import base64
import csv
import io
import os
import re
import subprocess
import sys
import zlib
from contextlib import redirect_stderr
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbgrader.preprocessors import ClearHiddenTests

from coursetools import REPO, markers
from coursetools.__main__ import main
from coursetools.authoring import reference_answers, write_submission
from coursetools.exercises import MANIFEST_NAME, check_exercises, write_exercises
from coursetools.feedback import hidden_fragments
from coursetools.gradebook import command
from coursetools.grade import (HIDDEN_FAILED, CannotGrade, assemble, format_report, grade_notebook, read_submission,
                               split_test_cell)
from coursetools.grading import compare, encode
from coursetools.release import _regions, leaks
from coursetools.sandbox import Sandbox, remove_tree, resolve_mode
from grading_drill import DRILL, FULL, drill

CELL_TIMEOUT, BUDGET = 20, 120
HIDDEN_REGION = ("\n### BEGIN HIDDEN TESTS (the instructor's own seeds)\n"
                 "hidden_leaf = nnlib.tensor(3.0, requires_grad=True)\n"
                 "report(\"order of a lone leaf\", len(topological_order(hidden_leaf)))\n"
                 "### END HIDDEN TESTS\n")
RECORDER = ("import IPython as _ip\n_seen = []\n"
            "_ip.get_ipython().events.register('pre_run_cell', lambda info: _seen.append(info.raw_cell))")
BLOB = ("import zlib, base64\n_blob = base64.b64encode(zlib.compress(''.join(c for c in _seen if 'hidden' in c).encode(), 9)).decode()\n")
BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{48,}")


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _course(folder):
    """The drill course with a hidden test (marked with a note) at the end of q2's test cell."""
    source, options = drill(folder)
    path = source / f"{DRILL}.ipynb"
    nb = nbformat.read(path, as_version=4)
    _cell(nb, "q2_topological_order_test").source += HIDDEN_REGION
    nbformat.write(nb, path)
    write_exercises(source, Path(options["manifest"]).parent)
    return source, options


def _edit(path, change):
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def _json_edit(path, change):
    import json
    data = json.loads(Path(path).read_text())
    change(data)
    Path(path).write_text(json.dumps(data))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    source, options = _course(tmp_path_factory.mktemp("course"))
    folder = tmp_path_factory.mktemp("class")
    answers = reference_answers(DRILL, source)

    def submission(name, extra=None):
        return write_submission(DRILL, folder / name / f"{DRILL}.ipynb", extra, source)

    # 1: records every cell it runs, then leaks what it saw through an answer cell's error and a test's
    alice = submission("alice_leaks", {
        "q1_softplus": "def softplus(x):\n    raise ValueError('too long ' * 1000)",
        "q3_reduce_broadcast_grad": BLOB + "raise ValueError(_blob)\n" + answers["q3_reduce_broadcast_grad"],
        "q5_matmul_backward": BLOB + "def matmul_backward(a, b, grad_out):\n    raise ValueError(_blob)"})
    _edit(alice, lambda nb: nb.cells.insert(0, nbformat.v4.new_code_cell(RECORDER)))
    # 2: right on the visible tests, wrong on the hidden one (a lone leaf listed twice)
    submission("bob_hidden", {"q2_topological_order": answers["q2_topological_order"] + (
        "\n\n_right = topological_order\n\ndef topological_order(root):\n"
        "    return [root, root] if not root.parents else _right(root)")})
    # 9: edits the set-up cell and a test cell (neither runs as edited)
    carl = submission("carl_edits")
    _edit(carl, lambda nb: [setattr(_cell(nb, "setup"), "source", _cell(nb, "setup").source + "\nimport math  # mine"),
                            setattr(_cell(nb, "q4_numerical_gradient_test"), "source", "pass  # no test for me")])
    # 3: malformed notebooks, as a hand edit or another tool might save them
    for name, change in {
        "dana_tags_null": lambda d: d["cells"].append({"cell_type": "code", "metadata": {"tags": None}, "source": "x = 1",
                                                       "outputs": [], "execution_count": None}),
        "dana_tags_int": lambda d: d["cells"].append({"cell_type": "code", "metadata": {"tags": 5}, "source": "x = 1",
                                                      "outputs": None, "execution_count": "one"}),
        "dana_no_source": lambda d: _json_cell(d, "q4_numerical_gradient").pop("source"),
        "dana_metadata_list": lambda d: d.update(metadata=[]),
        "dana_cell_a_string": lambda d: d["cells"].append("not a cell"),
    }.items():
        _json_edit(submission(name), change)
    out = tmp_path_factory.mktemp("gradebook") / "grades.csv"
    with redirect_stderr(io.StringIO()):
        status = command(folder, out, None, 2, cell_timeout=CELL_TIMEOUT, budget=BUDGET, **options)
    feedback = out.parent / "feedback"
    rows = {r["submission"].split("/")[0]: r for r in csv.DictReader(out.open())}
    return dict(status=status, rows=rows, out=out, feedback=feedback, folder=folder, source=source)


def _json_cell(data, grade_id):
    return next(c for c in data["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def _reasons(graded, name):
    """{question: reason} from the student's Markdown feedback file."""
    text = (graded["feedback"] / name / f"{DRILL}.md").read_text()
    reasons = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if len(cells) == 4 and cells[0].startswith("q"):
            reasons[cells[0]] = cells[3]
    return text, reasons


def test_the_class_is_graded(graded):
    assert graded["status"] == 0
    assert set(graded["rows"]) == {"alice_leaks", "bob_hidden", "carl_edits", "dana_tags_null", "dana_tags_int",
                                   "dana_no_source", "dana_metadata_list", "dana_cell_a_string"}


def test_what_a_kernel_saw_of_the_hidden_tests_never_reaches_the_feedback_or_the_gradebook(graded):
    text, reasons = _reasons(graded, "alice_leaks")
    html = (graded["feedback"] / "alice_leaks" / f"{DRILL}.html").read_text()
    csv_text = graded["out"].read_text()
    for where in (text, html, csv_text):
        for blob in BASE64_RUN.findall(where):  # what the recorder encoded: only cells the learner has
            assert "hidden_leaf" not in _decoded(blob), _decoded(blob)[:200]
        assert "hidden_leaf" not in where and "lone leaf" not in where
    # a message, cut to about 300 characters
    assert reasons["q1_softplus"].startswith("ValueError: too long too long") and len(reasons["q1_softplus"]) < 330
    assert reasons["q2_topological_order"] == ""  # right: its hidden step ran
    # after the first hidden step the reasons come from a second run without hidden steps: they still say why
    assert reasons["q3_reduce_broadcast_grad"].startswith("NameError: ")
    assert "(your cell 'q3_reduce_broadcast_grad' failed first: ValueError: " in reasons["q3_reduce_broadcast_grad"]
    assert reasons["q5_matmul_backward"].startswith("ValueError: ")
    assert graded["rows"]["alice_leaks"]["score"] == str(float(FULL - 3 - 2 - 2))


def _decoded(blob):
    """As much of a base64 zlib stream, perhaps cut short in a reason, as decodes, as text."""
    whole = blob.rstrip("=")
    raw = base64.b64decode(whole[:len(whole) // 4 * 4])
    try:
        return zlib.decompressobj().decompress(raw).decode(errors="replace")
    except zlib.error:
        return raw.decode(errors="replace")


def test_a_hidden_test_marked_with_a_note_is_hidden(graded):
    text, reasons = _reasons(graded, "bob_hidden")
    assert reasons["q2_topological_order"] == HIDDEN_FAILED
    assert "lone leaf" not in text
    assert graded["rows"]["bob_hidden"]["score"] == str(float(FULL - 3))


def test_edits_to_the_set_up_and_test_cells_are_not_run_and_the_table_says_so(graded):
    text, reasons = _reasons(graded, "carl_edits")
    assert graded["rows"]["carl_edits"]["score"] == str(float(FULL))  # the course's q4 test ran, not "pass"
    for cell in ("setup", "q4_numerical_gradient_test"):
        assert f"your changes to cell '{cell}' are not run: put your code in your answer cell" in text


def test_malformed_notebooks_are_graded_or_get_a_one_line_reason(graded):
    rows = graded["rows"]
    for name in ("dana_tags_null", "dana_tags_int", "dana_metadata_list"):
        assert rows[name]["error"] == "" and rows[name]["score"] == str(float(FULL)), rows[name]
    assert rows["dana_no_source"]["error"] == "" and rows["dana_no_source"]["score"] == str(float(FULL - 2))
    assert rows["dana_cell_a_string"]["error"].startswith("it is not a valid notebook: its cell")
    for path in graded["feedback"].rglob("*.md"):
        assert "Traceback" not in path.read_text()


def test_read_submission_normalises_what_jupyterlab_would_have_saved(tmp_path):
    path = write_submission(DRILL, tmp_path / f"{DRILL}.ipynb", source=drill(tmp_path / "c")[0])
    _json_edit(path, lambda d: [d.update(metadata=[]), d["cells"][0].update(metadata={"tags": None, "nbgrader": "x"}),
                                d["cells"][1].pop("source")])
    nb = read_submission(path)
    assert nb.metadata == {} and nb.cells[0].metadata == {"tags": []} and nb.cells[1].source == ""


# ---- 2. one parser of the hidden-test markers, nbgrader's ----

MARKED = [
    "a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\nc = 3",
    "a = 1\n### BEGIN HIDDEN TESTS (the instructor's seeds)\nb = 2\n### END HIDDEN TESTS -- done\nc = 3",
    "a = 1\n    # BEGIN HIDDEN TESTS\nb = 2\nif a:\n    b = 4\n# END HIDDEN TESTS\nc = 3",
    "a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\nc = 3\n### BEGIN HIDDEN TESTS\nd = 4\n### END HIDDEN TESTS",
]


@pytest.mark.parametrize("source", MARKED)
def test_the_marker_parser_removes_what_nbgrader_removes(source):
    cell = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade": True, "grade_id": "t", "points": 1,
                                                                    "solution": False, "locked": True}})
    nb = nbformat.v4.new_notebook(cells=[cell])
    cleared = ClearHiddenTests().preprocess(nb, {})[0].cells[0].source
    assert markers.without_regions(source) == cleared
    hidden = [code for code, is_hidden in split_test_cell(source) if is_hidden]
    assert "b = 2" in "".join(hidden) and "c = 3" not in "".join(hidden) and "a = 1" not in "".join(hidden)


def test_feedback_and_release_find_a_hidden_test_marked_with_a_note(tmp_path):
    cell = nbformat.v4.new_code_cell("x = 1\n### BEGIN HIDDEN TESTS (note)\nreport('secret hidden value', f(x))\n"
                                     "### END HIDDEN TESTS", metadata={"nbgrader": {"grade": True, "grade_id": "t"}})
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert "report('secret hidden value', f(x))" in hidden_fragments(nb)
    assert [kind for kind, _ in _regions(nb)] == ["hidden test"]
    (tmp_path / "copy.py").write_text("print('secret hidden value')\n")
    assert any("secret hidden value" in problem for problem in leaks(tmp_path, {"t": nb}))


# ---- 4. the run folder goes, for a grader that is not root ----

def test_the_sandbox_removes_its_read_only_copies_as_a_user_that_is_not_root(tmp_path):
    script = ("import sys; sys.path.insert(0, sys.argv[1])\nfrom coursetools.sandbox import Sandbox\n"
              "s = Sandbox('process'); d = s.rundir\nassert (d / 'lib' / 'nnlib').is_dir()\n"
              "assert not (d / 'lib').stat().st_mode & 0o222\ns.close()\nprint('left behind' if d.exists() else 'removed')")
    become = {}
    python = sys.executable
    if os.geteuid() == 0:  # root runs the script as nobody (65534); the system Python: the venv's may live under /root
        become = dict(user=65534, group=65534, extra_groups=[])
        python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
    done = subprocess.run([python, "-c", script, str(REPO)], capture_output=True, text=True, timeout=120, cwd="/tmp",
                          **become)
    assert done.returncode == 0 and done.stdout.strip() == "removed", done.stdout + done.stderr


def test_remove_tree_removes_a_read_only_tree(tmp_path):
    root = tmp_path / "run"
    (root / "lib" / "pkg").mkdir(parents=True)
    (root / "lib" / "pkg" / "m.py").write_text("x = 1")
    for path in (root / "lib" / "pkg" / "m.py", root / "lib" / "pkg", root / "lib"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    remove_tree(root)
    assert not root.exists()


# ---- 5. integers and bools exactly ----

@pytest.mark.parametrize("got, want", [(109387.0, 109386), (109386.0, 109386), (np.float64(1.0), True), (1, True),
                                       (True, 1), (np.array([1.0, 2.0]), np.array([1, 2])),
                                       (np.array([1, 0]), np.array([True, False])), (np.float64(3.0), np.int64(3))])
def test_an_expected_integer_or_bool_wants_the_same_kind(got, want):
    assert compare("v", encode(got), encode(want)) != ""
    assert compare("v", encode(got), encode(want), check_dtype=False) != ""


@pytest.mark.parametrize("got, want", [(109386, 109386), (np.int64(3), 3), (3, np.int64(3)), (np.bool_(True), True),
                                       (7, 7.0), (np.array([1, 2], np.int32), np.array([1, 2]))])
def test_the_same_kind_still_passes(got, want):
    assert compare("v", encode(got), encode(want), check_dtype=False) == ""


# ---- 6-8. refused before anything is graded or written ----

def _class(tmp_path):
    source, options = drill(tmp_path / "course")
    write_submission(DRILL, tmp_path / "class" / "s1" / f"{DRILL}.ipynb", source=source)
    return source, options


def test_the_gradebook_refuses_a_container_tool_that_does_not_work_and_writes_nothing(tmp_path, monkeypatch, capsys):
    source, options = _class(tmp_path)
    (tmp_path / "feedback").mkdir()
    (tmp_path / "feedback" / "kept.md").write_text("last week's")
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    status = main(["gradebook", str(tmp_path / "class"), "--out", str(tmp_path / "grades.csv"), "--isolation", "docker",
                   "--source", str(source)])
    err = capsys.readouterr().err.strip()
    assert status == 2 and "docker" in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "grades.csv").exists()
    assert [p.name for p in (tmp_path / "feedback").iterdir()] == ["kept.md"]


def test_the_gradebook_refuses_an_out_path_that_is_a_folder_before_grading(tmp_path, capsys):
    source, options = _class(tmp_path)
    (tmp_path / "outdir").mkdir()
    status = main(["gradebook", str(tmp_path / "class"), "--out", str(tmp_path / "outdir"), "--source", str(source)])
    err = capsys.readouterr().err
    assert status == 2 and "is a folder" in err
    assert list((tmp_path / "outdir").iterdir()) == [] and not (tmp_path / "feedback").exists()


def test_a_learners_kernel_never_runs_without_a_sandbox(tmp_path, monkeypatch):
    source, options = _class(tmp_path)
    monkeypatch.setenv("COURSETOOLS_ISOLATION", "none")
    with pytest.raises(CannotGrade, match="isolation 'none'"):
        grade_notebook(tmp_path / "class" / "s1" / f"{DRILL}.ipynb", **options)
    with pytest.raises(ValueError, match="isolation 'none'"):
        resolve_mode()
    assert resolve_mode(trusted=True) == "none"
    with Sandbox("none", trusted=True) as sandbox:
        assert sandbox.mode == "none"


# ---- 10-12. the command line ----

def test_exercises_check_uses_the_source_it_is_given(tmp_path, capsys):
    source, options = drill(tmp_path)
    assert check_exercises(source=source, exercises=Path(options["manifest"]).parent) == []
    assert main(["exercises", "--check", "--source", str(source)]) == 1  # the repository's exercises/ is not the drill's
    assert f"out of date: exercises/{DRILL}.ipynb: it is missing" in capsys.readouterr().out


def test_strict_without_check_is_refused_and_writes_nothing(monkeypatch, capsys):
    monkeypatch.setattr("coursetools.exercises.write_exercises", lambda *a, **k: pytest.fail("exercises written"))
    assert main(["exercises", "--strict"]) == 2
    assert "--strict only applies with --check" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["grade", "x.ipynb", "--timeout", "0"], ["grade", "x.ipynb", "--budget", "0"],
                                  ["grade", "x.ipynb", "--budget", "-5"], ["gradebook", "d", "--timeout", "-1"],
                                  ["gradebook", "d", "--budget", "nan"]])
def test_a_time_limit_of_zero_or_less_is_refused(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "must be" in capsys.readouterr().err


def test_make_grade_quotes_the_notebook_path():
    done = subprocess.run(["make", "-n", "-C", str(REPO), "grade", "NB=dir with space/x.ipynb"],
                          capture_output=True, text=True, timeout=60)
    assert "grade \"dir with space/x.ipynb\"" in done.stdout, done.stdout + done.stderr


# ---- 13. a learner's cell above every graded cell runs once ----

def test_a_cell_added_above_every_graded_cell_runs_once_when_the_source_has_a_cell_without_a_grade_id(tmp_path):
    # assemble anchored such a cell to None and ran it again after every source cell without a grade_id
    source, options = drill(tmp_path)
    path = source / f"{DRILL}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(nb.cells.index(_cell(nb, "setup")) + 1, nbformat.v4.new_code_cell("_no_grade_id = True"))
    nb.cells.insert(nb.cells.index(_cell(nb, "q2_text")), nbformat.v4.new_markdown_cell("A note without a grade_id."))
    nbformat.write(nb, path)
    write_exercises(source, Path(options["manifest"]).parent)
    submission = write_submission(DRILL, tmp_path / "s" / f"{DRILL}.ipynb", source=source)
    _edit(submission, lambda nb: nb.cells.insert(0, nbformat.v4.new_code_cell("print('the learner cell ran')")))
    units, _, _ = assemble(read_submission(submission), nbformat.read(path, as_version=4))
    assert [u.label for u in units].count("your cell 1") == 1
    report = grade_notebook(submission, cell_timeout=CELL_TIMEOUT, budget=BUDGET, **options)
    assert report.score == FULL, format_report(report)
    printed = [o.get("text", "") for c in report.executed.cells if c.cell_type == "code" for o in c.outputs]
    assert sum(text.count("the learner cell ran") for text in printed) == 1, printed
