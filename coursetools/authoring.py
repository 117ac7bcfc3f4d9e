"""Helpers for an exercise's tests in tests/: build submissions from a solution notebook and grade them.

    from coursetools.authoring import grade_each, assert_only_this_question_fails

    graded = grade_each("03_autograd", {"softplus overflows": {"q1_softplus": WRONG_SOFTPLUS}}, tmp_path)
    assert_only_this_question_fails(graded["softplus overflows"], "q1_softplus", "softplus([-1000, 0, 1000])")

See coursetools/AUTHORING.md for the whole recipe.
"""
import copy
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from .exercises import SOLUTIONS, cell_grade_id, make_exercise

TEST_CELL_TIMEOUT = 20  # seconds per cell in the course's own tests (a learner's default is 60)


def reference_answers(assignment, source=SOLUTIONS):
    """{grade_id: code} of the solution cells in the source notebook, without nbgrader's markers: what a
    learner who got everything right would have typed."""
    nb = nbformat.read(Path(source) / f"{assignment}.ipynb", as_version=4)
    return {cell_grade_id(c): "\n".join(line for line in c.source.splitlines() if "### BEGIN SOLUTION" not in line
                                    and "### END SOLUTION" not in line)
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def write_submission(assignment, path, answers=None, source=SOLUTIONS):
    """Write to `path` the exercise as a learner would hand it in: every solution cell holds the reference
    answer, except those named in `answers` ({grade_id: code}; None keeps the untouched stub)."""
    nb = make_exercise(nbformat.read(Path(source) / f"{assignment}.ipynb", as_version=4))
    solved = reference_answers(assignment, source)
    answers = answers or {}
    unknown = set(answers) - set(solved)
    if unknown:
        raise KeyError(f"{assignment} has no solution cell {sorted(unknown)}; its solution cells are {sorted(solved)}")
    for cell in nb.cells:
        grade_id = cell_grade_id(cell)
        if grade_id in solved:
            answer = answers.get(grade_id, solved[grade_id])
            if answer is not None:
                cell.source = answer.strip("\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def grade_answers(assignment, answers, folder, cell_timeout=TEST_CELL_TIMEOUT, **options):
    """Grade one submission built by write_submission (in `folder`): its Report."""
    from .grade import grade_notebook
    path = write_submission(assignment, Path(folder) / f"{assignment}.ipynb", answers, options.get("source") or SOLUTIONS)
    return grade_notebook(path, cell_timeout=cell_timeout, **options)


def grade_each(assignment, variants, folder, cell_timeout=TEST_CELL_TIMEOUT, jobs=2, **options):
    """Grade several submissions at once: `variants` is {label: {grade_id: code}}; returns {label: Report}.
    Each variant is a separate submission (folder/<k>/<assignment>.ipynb), graded in its own kernel."""
    from .grade import grade_notebook
    source = options.get("source") or SOLUTIONS
    paths = {label: write_submission(assignment, Path(folder) / f"v{k}" / f"{assignment}.ipynb", answers, source)
             for k, (label, answers) in enumerate(variants.items())}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {label: pool.submit(grade_notebook, path, cell_timeout=cell_timeout, **options)
                   for label, path in paths.items()}
        return {label: future.result() for label, future in futures.items()}


def assert_only_this_question_fails(report, question, *phrases):
    """`question` (a solution cell's grade_id, or its test's) scores 0 with a message containing every
    phrase; every other question keeps its full points. The AssertionError shows the whole table."""
    from .grade import format_report
    test_id = question if question.endswith("_test") else f"{question}_test"
    by_id = {r.grade_id: r for r in report.results}
    assert test_id in by_id, f"no graded cell {test_id}:\n{format_report(report)}"
    failed = by_id[test_id]
    assert failed.points == 0, f"the wrong answer to {question} kept its points:\n{format_report(report)}"
    missing = [p for p in phrases if p not in failed.message]
    assert not missing, f"the message for {question} does not say {missing}:\n{format_report(report)}"
    others = [r.grade_id for r in report.results if r.grade_id != test_id and not r.passed]
    assert not others, f"a wrong answer to {question} also cost {others}:\n{format_report(report)}"
