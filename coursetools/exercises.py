"""Generate exercises/ from solutions/ with nbgrader's own preprocessors.

A solution notebook marks code to remove with `### BEGIN SOLUTION` / `### END SOLUTION` and tests
to hide with `### BEGIN HIDDEN TESTS` / `### END HIDDEN TESTS` (nbgrader's conventions), with nbgrader
cell metadata on solution and graded cells, so an instructor can drop it into an nbgrader course.
"""
import copy

import nbformat
from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions

from . import REPO

SOLUTIONS = REPO / "solutions"
EXERCISES = REPO / "exercises"
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def make_exercise(solution_nb):
    """The learner's version of a solution notebook: solutions and hidden tests removed, outputs cleared."""
    nb = copy.deepcopy(solution_nb)
    resources = {}
    for preprocessor in (ClearSolutions(), ClearHiddenTests(), ClearOutput()):
        nb, resources = preprocessor.preprocess(nb, resources)
    return nb


def exercise_text(solution_path):
    solution_nb = nbformat.read(solution_path, as_version=4)
    solution_nb.metadata.setdefault("coursetools", {})["assignment"] = solution_path.stem  # how the grader finds the source
    return nbformat.writes(make_exercise(solution_nb)) + "\n"


def write_exercises():
    EXERCISES.mkdir(exist_ok=True)
    written = []
    for solution_path in sorted(SOLUTIONS.glob("*.ipynb")):
        target = EXERCISES / solution_path.name
        target.write_text(exercise_text(solution_path))
        written.append(target)
    return written


def check_exercises():
    """Names of exercise notebooks that differ from what `write_exercises` would write, or have no source."""
    stale = []
    for solution_path in sorted(SOLUTIONS.glob("*.ipynb")):
        target = EXERCISES / solution_path.name
        if not target.exists() or target.read_text() != exercise_text(solution_path):
            stale.append(solution_path.name)
    sources = {p.name for p in SOLUTIONS.glob("*.ipynb")}
    stale += [p.name for p in sorted(EXERCISES.glob("*.ipynb")) if p.name not in sources]
    return stale
