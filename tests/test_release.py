"""The instructor's release: what students receive holds no solution and no hidden test, its exercises
are the generated ones, and its own grader still works for a learner (against the visible tests)."""
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from coursetools import REPO
from coursetools.__main__ import main
from coursetools.authoring import write_submission
from coursetools.exercises import LEAK_MARKERS, exercise_text, sha256_of
from coursetools.release import GRADING, INSTRUCTOR_ONLY, ReleaseError, build_release

ASSIGNMENT = "03_autograd"
_GRADED = [c.metadata.nbgrader for c in nbformat.read(REPO / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4).cells
           if c.metadata.get("nbgrader", {}).get("grade")]
MAX = sum(g.points for g in _GRADED)
# Files that name nbgrader's markers because they implement or document the conventions (no answers in them).
NAMES_THE_MARKERS = {"README.md", "coursetools/exercises.py", "coursetools/grade.py", "coursetools/feedback.py",
                     "coursetools/release.py", "coursetools/authoring.py", "coursetools/markers.py"}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The instructor's private source folder: chapter 03's solution notebook."""
    folder = tmp_path_factory.mktemp("private_source")
    shutil.copy(REPO / "solutions" / f"{ASSIGNMENT}.ipynb", folder)
    return folder


@pytest.fixture(scope="module")
def release(tmp_path_factory, source):
    out = tmp_path_factory.mktemp("release") / "course"
    assert main(["release", str(out), "--source", str(source)]) == 0
    return out


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _regions(nb, begin, end):
    return [r for c in nb.cells for r in re.findall(re.escape(begin) + r"[^\n]*\n(.*?)" + re.escape(end), c.source, re.S)]


def test_the_release_has_the_course_and_nothing_of_the_instructors(release):
    files = _files(release)
    for needed in ("README.md", "Makefile", "requirements.txt", "pyproject.toml", "environment.yml",
                   "nnlib/__init__.py", "coursetools/grade.py", "coursetools/__main__.py", "notebooks/03_autograd.ipynb",
                   f"exercises/{ASSIGNMENT}.ipynb", "benchmarks/bench_mlp.py", "tests/test_autograd.py"):
        assert needed in files, f"the release lacks {needed}"
    modules = lambda folder: sorted(p.name for p in folder.glob("*.py"))
    assert modules(release / "coursetools") == modules(REPO / "coursetools")  # the grader is whole
    assert modules(release / "nnlib") == modules(REPO / "nnlib")
    assert not (release / "solutions").exists() and not (release / ".ci").exists()
    for gone in ("coursetools/AUTHORING.md", "tests/test_exercises.py", "tests/test_release.py",
                 "tests/test_nbgrader_compat.py", "benchmarks/bench_grading.py", "exercises/SOURCES.sha256"):
        assert gone not in files, f"the release contains {gone}"
    assert not any(p.startswith(("tests/test_grading", "tests/browser/")) for p in files)
    assert not any("__pycache__" in p or p.startswith(".venv") or ".egg-info" in p for p in files)


def test_no_solution_and_no_hidden_test_anywhere_in_the_release(release, source):
    source_nb = nbformat.read(source / f"{ASSIGNMENT}.ipynb", as_version=4)
    solutions = _regions(source_nb, "### BEGIN SOLUTION", "### END SOLUTION")
    hidden = _regions(source_nb, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
    assert solutions and hidden, "the test needs a source with solutions and hidden tests"
    exercise = nbformat.reads(exercise_text(source / f"{ASSIGNMENT}.ipynb"), as_version=4)
    visible = "\n".join(cell.source for cell in exercise.cells)
    # what a hidden test names its values and failures with, where the visible tests do not say the same
    hidden_strings = {m for region in hidden for m in re.findall(r'"([^"\n{}]{12,})"', region) if m not in visible}
    assert hidden_strings
    flat = lambda text: "\n".join(line.strip() for line in text.splitlines() if line.strip())
    for relative in _files(release):
        try:
            text = (release / relative).read_text()
        except UnicodeDecodeError:
            continue
        if relative.endswith(".ipynb"):
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        for marker in LEAK_MARKERS:
            assert marker not in text or (relative in NAMES_THE_MARKERS and not relative.endswith(".ipynb")), \
                f"{relative} contains {marker!r}"
        for region in solutions:
            assert flat(region) not in flat(text), f"{relative} contains a solution"
        for region in hidden:
            assert flat(region) not in flat(text), f"{relative} contains a hidden test"
        for string in hidden_strings:
            assert string not in text, f"{relative} contains a hidden test's {string!r}"
        assert sha256_of(source / f"{ASSIGNMENT}.ipynb") not in text, f"{relative} holds the source's checksum"


def test_the_exercises_are_the_generated_ones(release, source):
    assert (release / "exercises" / f"{ASSIGNMENT}.ipynb").read_text() == exercise_text(source / f"{ASSIGNMENT}.ipynb")
    assert (release / GRADING / f"{ASSIGNMENT}.ipynb").read_text() == exercise_text(source / f"{ASSIGNMENT}.ipynb")
    assert sorted(p.name for p in (release / "exercises").iterdir()) == [f"{ASSIGNMENT}.ipynb"]


@pytest.fixture(scope="module")
def full_release(tmp_path_factory):
    """A release of the whole repository, its layout only (no trusted kernel runs)."""
    out = tmp_path_factory.mktemp("full_release") / "course"
    return out, build_release(out, reference=False)


def test_the_release_of_the_repository_generates_every_exercise(full_release):
    out, written = full_release
    for solution in sorted((REPO / "solutions").glob("*.ipynb")):
        assert (out / "exercises" / solution.name).read_text() == exercise_text(solution)
    assert not any(p.startswith("solutions/") for p in written)
    assert INSTRUCTOR_ONLY  # what stays behind is declared in one place


def _grade_in_release(release, notebook):
    env = dict(os.environ, PYTHONPATH=str(release))  # the release's own coursetools, as a learner's checkout has
    done = subprocess.run([sys.executable, "-m", "coursetools", "grade", str(notebook), "--timeout", "30"],
                          cwd=release, env=env, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def test_a_learner_grades_in_the_release_against_the_visible_tests(release, tmp_path):
    write_submission(ASSIGNMENT, release / "exercises" / f"{ASSIGNMENT}.ipynb")  # the learner's answers, saved
    status, out = _grade_in_release(release, f"exercises/{ASSIGNMENT}.ipynb")
    assert status == 0, out
    assert out.rstrip().splitlines()[-1].startswith("total") and f"{MAX:g} / {MAX:g}" in out.splitlines()[-1], out
    assert "hidden tests" in out and "instructor" in out  # the learner is told what this grade does not cover
    assert "solutions" not in out


def test_an_untouched_exercise_scores_zero_in_the_release(release, tmp_path):
    untouched = tmp_path / f"{ASSIGNMENT}.ipynb"
    untouched.write_text(exercise_text(REPO / "solutions" / f"{ASSIGNMENT}.ipynb"))
    status, out = _grade_in_release(release, untouched)
    assert status == 1 and f" 0 / {MAX:g}" in out.splitlines()[-1], out
    assert out.count("not attempted") == len(_GRADED), out


def test_the_learners_tests_in_the_release_collect(release):
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                          cwd=release, env=dict(os.environ, PYTHONPATH=str(release)),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "error" not in done.stdout.lower().splitlines()[-1]


def test_the_release_passes_its_own_checks_of_the_repository(full_release):
    # the tests that look at the repository as a whole (its README and CI, its test files, stored
    # outputs, packaging) pass in a release, which has no solutions/, no CI and fewer tests
    out, _ = full_release
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_testing.py",
                           "tests/test_readme.py", "tests/test_notebook_outputs.py", "tests/test_packaging.py"],
                          cwd=out, env=dict(os.environ, PYTHONPATH=str(out)),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_a_release_is_never_built_over_something_or_from_a_release(release, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(ReleaseError, match="not empty"):
        build_release(tmp_path / "busy", reference=False)
    with pytest.raises(ReleaseError, match="no source notebooks"):
        build_release(tmp_path / "again", source=release / "solutions", repo=release, reference=False)
    with pytest.raises(ReleaseError, match="inside the repository"):
        build_release(REPO / "exercises" / "release", reference=False)


def test_the_build_refuses_a_release_that_would_leak(tmp_path, source):
    # a page that quotes a solution (as the authors' recipe does), shipped by mistake: the build deletes
    # the release and says why
    repo = tmp_path / "repo"
    repo.mkdir()
    softplus = _regions(nbformat.read(source / f"{ASSIGNMENT}.ipynb", as_version=4), "### BEGIN SOLUTION", "### END SOLUTION")[0]
    (repo / "README.md").write_text("How to write softplus:\n\n```python\n" + softplus + "```\n")
    with pytest.raises(ReleaseError, match="README.md: contains a solution region"):
        build_release(tmp_path / "leaky", source=source, repo=repo, reference=False)
    assert not (tmp_path / "leaky").exists()


@pytest.mark.parametrize("damage", [b"{not json", b"[]", b'{"assignment": "03_autograd"}',
                                    b'{"assignment": "03_autograd", "sha256": "ab", "steps": [1]}', b"\xff\xfe"])
def test_a_damaged_stored_reference_is_a_one_line_reason(tmp_path, capsys, damage):
    # a release's grading/ whose reference values are not what write_grading_reference wrote: the grader
    # says so in one line and exits 2, before any kernel runs (it used to end in a traceback)
    grading = tmp_path / "course" / GRADING
    grading.mkdir(parents=True)
    notebook = grading / f"{ASSIGNMENT}.ipynb"
    notebook.write_text(exercise_text(REPO / "solutions" / f"{ASSIGNMENT}.ipynb"))
    (grading / "SOURCES.sha256").write_text(f"{sha256_of(notebook)}  {notebook.name}\n")
    (grading / f"{ASSIGNMENT}.reference.json").write_bytes(damage)
    submission = tmp_path / "class" / "ada" / f"{ASSIGNMENT}.ipynb"
    submission.parent.mkdir(parents=True)
    shutil.copy(notebook, submission)
    assert main(["grade", str(submission), "--source", str(grading)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{ASSIGNMENT}.reference.json is damaged" in err, err
    assert "rebuild the release or ask the instructor" in err, err
    out = tmp_path / "grades.csv"
    assert main(["gradebook", str(tmp_path / "class"), "--out", str(out), "--source", str(grading)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is damaged" in err and not out.exists(), err
