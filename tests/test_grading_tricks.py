"""Issue 7: the tricks students use get no marks, nothing escapes, and honest work keeps its score.

One folder mixes every trick of the issue (each built here, as a submission to the grader's drill
exercise, a torch-free copy of chapter 03's: tests/grading_drill.py) with honest submissions and files
that are not notebooks; the gradebook's runner grades it once, three at a time, and each test reads
its verdicts. A trick's
answers are wrong (or missing), so any mark it got would be a mark for nothing.
"""
import json
import os
import time
from pathlib import Path

import nbformat
import pytest

from coursetools.authoring import reference_answers, write_submission
from coursetools.grade import HIDDEN_FAILED, format_report, grade_notebook
from coursetools.gradebook import grade_class, write_gradebook
from coursetools.sandbox import WEAK_ISOLATION_NOTE
from grading_drill import DRILL, FULL, drill

ASSIGNMENT = DRILL
CELL_TIMEOUT = 20  # seconds per cell (a learner's default is 60)
BUDGET = 120  # seconds per submission
ESCAPE_MARK = "3600.4242"  # the sleep a submission's escaped process runs: found by its command line

# wrong answers of the right shape: they run to the reports, and every value there is wrong
GARBAGE = {
    "q1_softplus": "def softplus(x):\n    return make_result(np.zeros_like(x.data), (x,), lambda g: (np.zeros_like(g),), 'softplus')",
    "q2_topological_order": "def topological_order(root):\n    return [root]",
    "q3_reduce_broadcast_grad": "def reduce_broadcast_grad(grad, shape):\n    return np.zeros(shape)",
    "q4_numerical_gradient": "def numerical_gradient(f, x, eps=1e-6):\n    return np.zeros_like(x, dtype=np.float64)",
    "q5_matmul_backward": "def matmul_backward(a, b, grad_out):\n    return np.zeros(a.shape), np.zeros(b.shape)",
}

# a returned object that looks for the expected value in the test's frames and namespace when asked for its array
FRAME_READER = '''
import inspect

class Peek:
    """Pretends to be an array: finds the test's torch tensor `name` and hands over its gradient."""
    def __init__(self, name):
        self.name = name
    def __array__(self, dtype=None, copy=None):
        for info in inspect.stack():
            for scope in (info.frame.f_locals, info.frame.f_globals):
                if self.name in scope and getattr(scope[self.name], "grad", None) is not None:
                    return scope[self.name].grad.numpy()
        return np.zeros((3, 4) if self.name == "at" else (4, 2))
    shape = property(lambda self: np.asarray(self).shape)

def matmul_backward(a, b, grad_out):
    return Peek("at"), Peek("bt")
'''

FIRST_CELLS = {  # trick name: a cell the learner puts first, before everything else
    "ignores SIGINT and loops": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
    "stops itself with SIGSTOP": "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)",
    "silences tracebacks": ("ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
                            "ip._showtraceback = lambda *a, **k: None\nip.showsyntaxerror = lambda *a, **k: None"),
    "turns every later cell into pass": "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
    "patches np.isclose": ("import numpy as np\n"
                           "np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)\n"
                           "np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None"),
    "patches the course's helpers": (
        "import coursetools.grading as g, nnlib.testing as t, nnlib\n"
        "send = g.report\n"
        "g.report = lambda *a, **k: None                       # report nothing of its own ...\n"
        "g.check = lambda name, got, want, **k: send(name, want)  # ... and report the expected value instead\n"
        "t.assert_close = lambda *a, **k: None\nnnlib.gradcheck = lambda *a, **k: True"),
}


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _submission(folder, name, answers=None, first=None, edit=None, source=None):
    path = write_submission(ASSIGNMENT, folder / name / f"{ASSIGNMENT}.ipynb", answers, source=source)
    if first or edit:
        nb = nbformat.read(path, as_version=4)
        if first:
            nb.cells.insert(0, nbformat.v4.new_code_cell(first))
        if edit:
            edit(nb, path)
        nbformat.write(nb, path)
    return path


def _after(grade_id, source):
    """An edit that puts a learner's own cell right after the cell `grade_id`."""
    def edit(nb, path):
        k = nb.cells.index(_cell(nb, grade_id))
        nb.cells.insert(k + 1, nbformat.v4.new_code_cell(source))
    return edit


def build_class(folder, gradebook_dir, source):
    """The mixed folder: {submission: expected total score or the start of the one-line reason}."""
    stubs = {k: None for k in reference_answers(ASSIGNMENT, source)}
    expected = {}

    def add(name, score, **kw):
        _submission(folder, name, source=source, **kw)
        expected[f"{name}/{ASSIGNMENT}.ipynb"] = score

    # honest work
    add("alice_solution", FULL)
    add("bob_untouched", 0, answers=stubs)
    add("carol_partial", 3 + 2, answers={  # q1 and q4 right
        "q2_topological_order": "def topological_order(root):\n    while True:\n        pass",
        "q3_reduce_broadcast_grad": "def reduce_broadcast_grad(grad, shape):\n    return grad.sum(axis=0)",
        "q5_matmul_backward": "def matmul_backward(a, b, grad_out):\n    return 2 * grad_out @ b.T, a.T @ grad_out"})
    add("dave_helper_cell", FULL, answers={"q1_softplus": (
        "def softplus(x):\n    out = np.logaddexp(0.0, x.data)\n    return make_result(out, (x,), lambda g: (g * sigmoid(x.data),), 'softplus')")},
        edit=_after("q1_text", "def sigmoid(v):\n    return 0.5 * (1.0 + np.tanh(v / 2))  # my helper, in a cell of my own"))

    def duplicate(nb, path):  # Jupyter's copy of a cell keeps its metadata, grade id included
        original = _cell(nb, "q3_reduce_broadcast_grad")
        copy = nbformat.from_dict(json.loads(json.dumps(original)))
        copy.source, copy.id = "# trying another way\n" + copy.source, "pasted-copy"  # a paste gets a new cell id
        nb.cells.insert(nb.cells.index(original) + 1, copy)
    add("erin_duplicated_cell", FULL, edit=duplicate)

    def rename(nb, path):
        _cell(nb, "q3_reduce_broadcast_grad").metadata.nbgrader["grade_id"] = "q3_my_answer"
    add("frank_renamed_id", FULL, edit=rename)

    def delete(nb, path):
        nb.cells.remove(_cell(nb, "q4_numerical_gradient"))
    add("gina_deleted_cell", FULL - 2, edit=delete)
    add("hank_memory_hog", FULL, edit=_after("setup", "try:\n    hog = np.ones(2**34)  # 128 GiB\nexcept MemoryError:\n    hog = None"))
    add("ivy_output_flood", FULL, edit=_after("setup", "for _ in range(200):\n    print('x' * 100_000)"))
    escape = (f"import subprocess\n"
              f"for target in {[str(gradebook_dir / 'gradebook.csv'), str(gradebook_dir / 'escaped.txt')]!r}:\n"
              f"    subprocess.Popen(['setsid', 'sh', '-c', f'sleep 6; echo rewritten > {{target}}'], start_new_session=True)\n"
              f"subprocess.Popen(['env', '-i', '/bin/sh', '-c', '(sleep {ESCAPE_MARK} &); exit 0'], start_new_session=True)\n")
    add("jack_escapes", FULL, edit=_after("setup", escape))

    # tricks: wrong answers, plus the trick
    for k, (trick, first) in enumerate(FIRST_CELLS.items()):
        add(f"trick{k}_{trick.replace(' ', '_').replace('.', '')}", 0, answers=GARBAGE, first=first)
    add("trick_frame_reader", 0, answers={**GARBAGE, "q5_matmul_backward": FRAME_READER})

    def relative_assignment(nb, path):
        nb.metadata.setdefault("coursetools", {})["assignment"] = "../exercises/03_autograd"
    add("trick_relative_assignment", 0, answers=stubs, edit=relative_assignment)

    def own_tests(nb, path):  # tests of its own, worth 1000 points, and the metadata pointing at itself
        nb.metadata.setdefault("coursetools", {})["assignment"] = str(path.with_suffix("").resolve())
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                cell.source, cell.metadata.nbgrader["points"] = "pass", 200
    add("trick_absolute_assignment", 0, answers=stubs, edit=own_tests)

    read_solutions = ("import json\nfor cell in json.load(open({path!r}))['cells']:\n"
                      "    if 'def {name}(' in ''.join(cell['source']):\n        exec(''.join(cell['source']))")
    add("trick_reads_solutions", 0, answers={
        q: read_solutions.format(path=str(source / f"{ASSIGNMENT}.ipynb"), name=GARBAGE[q].split("(")[0][4:])
        for q in GARBAGE})

    # files that are not gradable notebooks
    for name, text, reason in [("empty", "", "the file is empty"), ("corrupt", '{"cells": [', "it is not a notebook: not valid JSON"),
                               ("not_a_notebook", json.dumps([1, 2, 3]), "it is not a Jupyter notebook"),
                               ("nbformat3", json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                                                         "worksheets": [{"cells": []}]}), "it is an nbformat 3 notebook")]:
        (folder / name).mkdir()
        (folder / name / f"{ASSIGNMENT}.ipynb").write_text(text)
        expected[f"{name}/{ASSIGNMENT}.ipynb"] = reason
    return expected


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    gradebook_dir = tmp_path_factory.mktemp("gradebook")
    source, options = drill(tmp_path_factory.mktemp("course"))
    expected = build_class(folder, gradebook_dir, source)
    solutions_before = (source / f"{ASSIGNMENT}.ipynb").read_bytes()
    start = time.monotonic()
    # the gradebook's own runner: worker processes, three at a time (two tricks mostly wait)
    results = dict(grade_class(folder, jobs=3, cell_timeout=CELL_TIMEOUT, budget=BUDGET, **options))
    seconds = time.monotonic() - start
    rows = write_gradebook(sorted(results.items()), gradebook_dir / "gradebook.csv")
    csv_text = (gradebook_dir / "gradebook.csv").read_text()
    time.sleep(8)  # longer than the escaped processes wait before they write
    return dict(results=results, expected=expected, seconds=seconds, rows=rows, csv_text=csv_text,
                gradebook_dir=gradebook_dir, solutions_before=solutions_before, source=source)


def _report(graded, name):
    outcome = graded["results"][f"{name}/{ASSIGNMENT}.ipynb"]
    assert not isinstance(outcome, Exception), f"{name}: {outcome!r}"
    return outcome


def test_every_submission_gets_its_right_score_in_at_most_n_budgets(graded):
    scores = {}
    for name, want in graded["expected"].items():
        outcome = graded["results"][name]
        if isinstance(want, str):
            assert isinstance(outcome, Exception) and str(outcome).startswith(want), (name, outcome)
            assert "\n" not in str(outcome)
        else:
            assert not isinstance(outcome, Exception), (name, outcome)
            scores[name] = outcome.score
            assert outcome.score == want and outcome.max_score == FULL, f"{name}:\n{format_report(outcome)}"
    assert graded["seconds"] <= len(graded["expected"]) * BUDGET
    print(f"graded {len(graded['expected'])} submissions in {graded['seconds']:.0f} s; scores {scores}")


def test_the_gradebook_has_a_row_for_everyone_and_a_zero_row_for_files_that_are_not_notebooks(graded):
    rows = {r["submission"]: r for r in graded["rows"]}
    assert set(rows) == set(graded["expected"])
    for name, want in graded["expected"].items():
        row = rows[name]
        if isinstance(want, str):
            assert row["score"] == 0 and row["error"].startswith(want)
            assert all(row[q] == 0 for q in row if q.endswith("_test"))
        else:
            assert row["score"] == want and row["error"] == ""


def test_a_kernel_that_ignores_interrupts_or_stops_itself_is_killed_and_its_questions_score_zero(graded):
    for trick in ("ignores SIGINT and loops", "stops itself with SIGSTOP"):
        report = _report(graded, f"trick{list(FIRST_CELLS).index(trick)}_{trick.replace(' ', '_')}")
        assert report.score == 0
        assert report.seconds < CELL_TIMEOUT + 60, f"{trick}: {report.seconds:.0f} s"
        for r in report.results:
            assert f"did not stop when interrupted after the {CELL_TIMEOUT} s time limit in your cell 1" in r.message
            assert "was killed" in r.message


@pytest.mark.parametrize("trick", ["silences tracebacks", "turns every later cell into pass", "patches np.isclose",
                                   "patches the course's helpers"])
def test_patching_the_kernel_gains_nothing(graded, trick):
    name = f"trick{list(FIRST_CELLS).index(trick)}_{trick.replace(' ', '_').replace('.', '')}"
    report = _report(graded, name)
    assert report.score == 0, format_report(report)
    if trick in ("silences tracebacks", "patches np.isclose"):  # the wrong values are named, as for anyone
        assert report.by_id["q5_matmul_backward_test"].message.startswith("grad_a: 12 of 12 elements differ")


def test_an_object_that_reads_the_expected_value_from_the_callers_frame_gets_nothing(graded):
    report = _report(graded, "trick_frame_reader")
    assert report.score == 0
    assert report.by_id["q5_matmul_backward_test"].message.startswith(
        "grad_a: got a __main__.Peek, expected a NumPy array"), format_report(report)


def test_the_submission_never_chooses_its_tests(graded):
    source = graded["source"] / f"{ASSIGNMENT}.ipynb"
    relative = _report(graded, "trick_relative_assignment")
    assert relative.assignment == ASSIGNMENT and relative.source == source
    assert all("not attempted" in r.message for r in relative.results)
    own = _report(graded, "trick_absolute_assignment")
    assert (own.score, own.max_score) == (0, FULL) and own.source == source


def test_the_reference_solutions_are_out_of_the_kernels_reach(graded):
    report = _report(graded, "trick_reads_solutions")
    if report.isolation == "process":
        # the documented weakness of the fallback (README): the kernel reads what its user can, and the report
        # says its isolation is the weaker one; CI installs bubblewrap, where solutions/ is out of reach
        assert not os.environ.get("CI"), "CI installs bubblewrap (.ci/run): the strong sandbox must be the one tested"
        assert WEAK_ISOLATION_NOTE in report.notes, report.notes
        return
    assert report.score == 0, format_report(report)
    assert "FileNotFoundError" in report.by_id["q1_softplus_test"].message


def test_nothing_a_submission_started_survives_its_grading(graded):
    report = _report(graded, "jack_escapes")
    assert report.score == FULL, format_report(report)
    alive = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if ESCAPE_MARK.encode() in Path(f"/proc/{entry.name}/cmdline").read_bytes():
                    alive.append(entry.name)
            except OSError:
                pass
    assert alive == [], f"processes the submission started are still running: {alive}"
    assert (graded["gradebook_dir"] / "gradebook.csv").read_text() == graded["csv_text"]
    assert not (graded["gradebook_dir"] / "escaped.txt").exists()
    assert (graded["source"] / f"{ASSIGNMENT}.ipynb").read_bytes() == graded["solutions_before"]


def test_limits_keep_a_memory_hog_and_an_output_flood_from_hurting_anyone(graded):
    hog = _report(graded, "hank_memory_hog")
    assert hog.score == FULL
    flood = _report(graded, "ivy_output_flood")
    assert flood.score == FULL
    outputs = [o for c in flood.executed.cells if c.cell_type == "code" for o in c.outputs]
    kept = sum(len(o.get("text", "")) for o in outputs)
    assert 0 < kept <= 1100 * 1024, kept
    assert any("kept only the first" in o.get("text", "") for o in outputs)


def test_learner_cells_are_kept_and_run_in_order(graded):
    report = _report(graded, "dave_helper_cell")
    assert report.score == FULL and all(n.startswith("isolation:") for n in report.notes), report.notes
    ran = [c for c in report.executed.cells if "my helper" in c.source]
    assert ran and ran[0].execution_count is not None


def test_a_duplicated_solution_cell_is_reported_and_the_first_copy_is_graded(graded):
    report = _report(graded, "erin_duplicated_cell")
    assert report.score == FULL
    assert any("grade id q3_reduce_broadcast_grad appears 2 times" in n for n in report.notes), report.notes
    assert "grade id q3_reduce_broadcast_grad appears 2 times" in format_report(report)


def test_a_renamed_or_deleted_solution_cell_is_reported_as_missing(graded):
    renamed = _report(graded, "frank_renamed_id")
    message = renamed.by_id["q3_reduce_broadcast_grad_test"].message
    assert renamed.score == FULL and "solution cell q3_reduce_broadcast_grad is missing (renamed or deleted?)" in message
    assert "defines reduce_broadcast_grad" in message
    deleted = _report(graded, "gina_deleted_cell")
    assert deleted.by_id["q4_numerical_gradient_test"].points == 0
    assert deleted.by_id["q4_numerical_gradient_test"].message.startswith(
        "solution cell q4_numerical_gradient is missing (renamed or deleted?)")


def test_honest_partial_work_gets_concrete_reasons(graded):
    report = _report(graded, "carol_partial")
    by_id = report.by_id
    assert by_id["q1_softplus_test"].passed and by_id["q4_numerical_gradient_test"].passed
    assert f"stopped after the {CELL_TIMEOUT} s time limit for a cell" in by_id["q2_topological_order_test"].message
    assert by_id["q3_reduce_broadcast_grad_test"].message == (
        "reduce_broadcast_grad(grad of shape (4, 3), (4, 1)): shape (3,), expected (4, 1)")
    assert by_id["q5_matmul_backward_test"].message.startswith(
        "grad_a: 12 of 12 elements differ; first at index (0, 0): got")


def test_a_time_budget_on_top_of_the_cell_limit(tmp_path):
    source, options = drill(tmp_path)
    sleepy = "import time\ntime.sleep({s})  # slow, but under the cell limit"
    # 13 s + 13 s of sleeps: each under the 15 s cell limit, together over the 25 s budget however fast the
    # kernel starts (12 + 12 left it to the kernel's start-up to pass 25 s, and a fast machine did not)
    path = _submission(tmp_path, "slow", source=source, edit=lambda nb, p: [
        nb.cells.insert(nb.cells.index(_cell(nb, "q1_softplus_test")) + 1, nbformat.v4.new_code_cell(sleepy.format(s=13))),
        nb.cells.insert(nb.cells.index(_cell(nb, "q3_reduce_broadcast_grad_test")) + 1, nbformat.v4.new_code_cell(sleepy.format(s=13)))])
    report = grade_notebook(path, 15, budget=25, **options)
    assert report.seconds < 25 + 60  # the trusted run (cached after the first) included
    by_id = report.by_id
    assert by_id["q1_softplus_test"].passed, format_report(report)
    for q in ("q4_numerical_gradient_test", "q5_matmul_backward_test"):
        assert by_id[q].points == 0 and "time budget exhausted" in by_id[q].message, format_report(report)
        assert "25 s budget" in by_id[q].message


def test_hidden_tests_are_never_shown(tmp_path):
    source, options = drill(tmp_path)
    # right on the visible test, wrong on the hidden one (a row vector: it broadcasts where it should not)
    report = grade_notebook(_submission(tmp_path, "hidden", source=source, answers={"q5_matmul_backward": (
        "def matmul_backward(a, b, grad_out):\n    if a.shape[0] == 1:\n        return np.zeros(a.shape), np.zeros(b.shape)\n"
        "    return grad_out @ b.T, a.T @ grad_out")}), CELL_TIMEOUT, **options)
    result = report.by_id["q5_matmul_backward_test"]
    assert result.points == 0 and result.message == HIDDEN_FAILED, result.message
    assert "row vector" not in format_report(report)
