"""The grader's own exercise for its tests: tests/data/grading/solutions/drill_autograd.ipynb.

A copy of chapter 03's first exercise without torch (fast kernels): issue 7's tricks and structure cases
are built on it, so they do not change when a chapter's exercise does. `drill(tmp)` gives a course of
one exercise in a temporary folder, the way an instructor keeps one: its source folder (with its
SOURCES.sha256 next to the generated exercise) and the options every grading call takes.
"""
import shutil
from pathlib import Path

from coursetools.exercises import MANIFEST_NAME, write_exercises

DRILL = "drill_autograd"
DRILL_SOURCE = Path(__file__).parent / "data" / "grading" / "solutions"
FULL = 12


def drill(folder):
    """(source folder, options for grade_notebook / write_submission) of a fresh copy of the drill course."""
    folder = Path(folder)
    source, exercises = folder / "solutions", folder / "exercises"
    shutil.copytree(DRILL_SOURCE, source)
    write_exercises(source, exercises)
    return source, {"source": source, "manifest": exercises / MANIFEST_NAME}
