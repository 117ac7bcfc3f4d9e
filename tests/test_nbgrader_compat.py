"""The exercises drop into an nbgrader course unchanged: nbgrader's own generate_assignment and
autograde, on solutions/03_autograd.ipynb as the source, give the solution full marks and the
untouched release zero.

nbgrader runs the test cells in the student's kernel and counts a cell as passed unless it raises or
writes to stderr, so this also shows that the course's test cells still assert in the kernel (the
course's grader compares values outside it; nbgrader cannot) and that `coursetools` imports there.
"""
import copy
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from coursetools import REPO

ASSIGNMENT = "ps03"
SOURCE = REPO / "solutions" / "03_autograd.ipynb"


def _nbgrader(course, *args):
    # nbgrader runs `alembic` (its database migrations) from PATH: the venv's bin must come first
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def _answered(release_nb, source_nb):
    """The release with every answer cell holding the reference code (nbgrader's markers dropped)."""
    solved = {c.metadata.nbgrader.grade_id: c.source for c in source_nb.cells
              if c.metadata.get("nbgrader", {}).get("solution")}
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = "\n".join(line for line in solved[meta["grade_id"]].splitlines() if "### " not in line)
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A temporary nbgrader course: source/ps03 from solutions/, generate_assignment, two submissions,
    autograde (no exchange: the submissions are written into submitted/ directly)."""
    course = tmp_path_factory.mktemp("nbgrader_course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'nn-scale'\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(course / 'gradebook.db')!r}\n"
        "c.ExecutePreprocessor.timeout = 120\n")
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    (course / "source" / ASSIGNMENT / SOURCE.name).write_text(SOURCE.read_text())
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = nbformat.read(course / "release" / ASSIGNMENT / SOURCE.name, as_version=4)
    submissions = {"solved": _answered(release, nbformat.read(SOURCE, as_version=4)), "untouched": release}
    for student, nb in submissions.items():
        (course / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(nb, course / "submitted" / student / ASSIGNMENT / SOURCE.name)
    log = _nbgrader(course, "autograde", ASSIGNMENT, "--create", "--force")
    return course, release, log


def _scores(course, student):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        grades = {g.name: (g.score, g.max_score) for nb in submission.notebooks for g in nb.grades}
        return submission.score, submission.max_score, grades


def test_nbgraders_release_is_the_courses_exercise(course):
    course, release, _ = course
    ours = nbformat.read(REPO / "exercises" / SOURCE.name, as_version=4)
    ids = lambda nb: [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert ids(release) == ids(ours)
    for theirs, mine in zip(release.cells, ours.cells):
        assert theirs.source.strip() == mine.source.strip(), theirs.metadata.nbgrader.grade_id
    assert "BEGIN HIDDEN TESTS" not in nbformat.writes(release) and "BEGIN SOLUTION" not in nbformat.writes(release)


def test_nbgrader_autograde_gives_the_solution_full_marks(course):
    course, _, _ = course
    score, max_score, grades = _scores(course, "solved")
    assert max_score == 18 and score == max_score, grades


def test_nbgrader_autograde_gives_the_untouched_release_zero(course):
    course, _, _ = course
    score, max_score, grades = _scores(course, "untouched")
    assert max_score == 18 and score == 0, grades
    assert len(grades) == 6 and all(points == 0 for points, _ in grades.values())


def test_no_test_cell_leaves_a_value_nbgrader_would_read_as_partial_credit(course):
    # nbgrader reads a test cell's execute_result as partial credit (a number) and warns otherwise;
    # the course's test cells end in a statement, so nbgrader's verdict is pass/fail like the course's
    course, _, log = course
    autograded = nbformat.read(course / "autograded" / "solved" / ASSIGNMENT / SOURCE.name, as_version=4)
    for cell in autograded.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            kinds = [o.output_type for o in cell.outputs]
            assert "execute_result" not in kinds and "error" not in kinds, (cell.metadata.nbgrader.grade_id, kinds)
            assert not any(o.get("name") == "stderr" for o in cell.outputs), cell.metadata.nbgrader.grade_id
    assert "partial credit" not in log
