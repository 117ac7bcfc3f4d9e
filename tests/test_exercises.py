"""The exercise pipeline end to end: generation from solutions/, and the grader's verdicts."""
import csv
import shutil

import nbformat
import pytest

from coursetools import REPO
from coursetools.exercises import LEAK_MARKERS, check_exercises, exercise_text
from coursetools.grade import format_report, grade_folder, write_gradebook

SOLUTIONS = sorted((REPO / "solutions").glob("*.ipynb"))
CELL_TIMEOUT = 20


def _answer_cells(nb):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def test_there_is_an_exercise_per_solution_and_they_are_up_to_date():
    assert SOLUTIONS, "solutions/ is empty"
    assert check_exercises() == [], "exercises/ is stale: run `python -m coursetools exercises`"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercises_leak_no_solution_and_no_hidden_test(solution):
    text = (REPO / "exercises" / solution.name).read_text()
    for marker in LEAK_MARKERS:
        assert marker not in text
    source = nbformat.read(solution, as_version=4)
    for cell in source.cells:
        if "### BEGIN" in cell.source:
            region = cell.source.split("### BEGIN", 1)[1].split("\n", 1)[1].split("### END")[0].strip()
            assert region not in text, f"solution region of {cell.metadata['nbgrader']['grade_id']} leaked"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_has_at_least_four_graded_questions_with_points(solution):
    nb = nbformat.read(solution, as_version=4)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) >= 4 and all(c.metadata["nbgrader"]["points"] > 0 for c in graded)


def test_regenerating_is_deterministic():
    for solution in SOLUTIONS:
        assert exercise_text(solution) == exercise_text(solution)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class of submissions for 03_autograd, graded once: full marks, untouched, broken, foreign."""
    folder = tmp_path_factory.mktemp("submissions")
    exercise = REPO / "exercises" / "03_autograd.ipynb"
    (folder / "alice").mkdir()
    shutil.copy(REPO / "solutions" / "03_autograd.ipynb", folder / "alice" / "03_autograd.ipynb")
    (folder / "bob").mkdir()
    shutil.copy(exercise, folder / "bob" / "03_autograd.ipynb")

    carol = nbformat.read(exercise, as_version=4)
    answers = _answer_cells(carol)
    solved = _answer_cells(nbformat.read(REPO / "solutions" / "03_autograd.ipynb", as_version=4))
    answers["q1_softplus"].source = solved["q1_softplus"].source  # right
    answers["q2_topological_order"].source = "def topological_order(root):\n    while True:\n        pass\n"
    answers["q3_reduce_broadcast_grad"].source = "def reduce_broadcast_grad(grad, shape):\n    return grad.sum(axis=0)\n"
    answers["q5_matmul_backward"].source = "def matmul_backward(a, b, grad_out):\n    return 2 * grad_out @ b.T, a.T @ grad_out\n"
    for cell in carol.cells:  # tampering with a test changes nothing: the tests come from solutions/
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q4_numerical_gradient_test":
            cell.source = "pass"
    (folder / "carol").mkdir()
    nbformat.write(carol, folder / "carol" / "renamed_copy.ipynb")  # found by its metadata, not its name

    (folder / "dave").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), folder / "dave" / "notes.ipynb")
    return dict(grade_folder(folder, cell_timeout=CELL_TIMEOUT))


def test_solution_scores_full_marks(graded):
    report = graded["alice/03_autograd.ipynb"]
    assert report.all_passed and report.score == report.max_score == 12, format_report(report)


def test_untouched_exercise_scores_zero_and_says_not_attempted(graded):
    report = graded["bob/03_autograd.ipynb"]
    assert report.score == 0 and len(report.results) == 5, format_report(report)
    assert all("not attempted" in r.message for r in report.results)


def test_broken_submission_gets_concrete_reasons_per_question(graded):
    report = graded["carol/renamed_copy.ipynb"]
    by_id = {r.grade_id: r for r in report.results}
    assert by_id["q1_softplus_test"].passed
    assert f"{CELL_TIMEOUT} s time limit" in by_id["q2_topological_order_test"].message
    assert by_id["q3_reduce_broadcast_grad_test"].message == (
        "AssertionError: reduce_broadcast_grad(grad of shape (4, 3), (4, 1)): shape (3,), expected (4, 1)")
    assert "not attempted" in by_id["q4_numerical_gradient_test"].message
    message = by_id["q5_matmul_backward_test"].message
    assert message.startswith("AssertionError: grad_a: 12 of 12 elements differ; first at index (0, 0)")
    assert report.score == 3
    table = format_report(report)
    assert "q5_matmul_backward" in table and "FAIL" in table and "3 / 12" in table


def test_gradebook_csv(graded, tmp_path):
    out = tmp_path / "gradebook.csv"
    write_gradebook(sorted(graded.items()), out)
    rows = {r["submission"]: r for r in csv.DictReader(out.open())}
    assert rows["alice/03_autograd.ipynb"]["score"] == "12.0"
    assert rows["bob/03_autograd.ipynb"]["score"] == "0.0"
    assert rows["carol/renamed_copy.ipynb"]["q1_softplus_test"] == "3.0"
    assert rows["carol/renamed_copy.ipynb"]["q2_topological_order_test"] == "0.0"
    assert "no source notebook" in rows["dave/notes.ipynb"]["error"]
