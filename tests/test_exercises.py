"""The exercise pipeline end to end: generation from solutions/, and the grader's verdicts."""
import copy
import csv
import json

import nbformat
import pytest

from coursetools import REPO
from coursetools.__main__ import main
from coursetools.exercises import AUTHOR_ADVICE, LEAK_MARKERS, check_exercises, exercise_differences, exercise_text
from coursetools.execute import SKIP_TAG
from coursetools.grade import QuestionResult, Report, format_report
from coursetools.gradebook import write_gradebook

SOLUTIONS = sorted((REPO / "solutions").glob("*.ipynb"))
CELL_TIMEOUT = 20


def _answer_cells(nb):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def test_there_is_an_exercise_per_solution_and_they_are_up_to_date():
    # A learner's answers and what JupyterLab writes on save are ignored (see coursetools/exercises.py);
    # CI also runs the strict form on its clean clone: python -m coursetools exercises --check --strict
    assert SOLUTIONS, "solutions/ is empty"
    stale = check_exercises()
    assert stale == [], "exercises/ is out of date:\n" + "\n".join(stale) + "\n" + AUTHOR_ADVICE


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercises_leak_no_solution_and_no_hidden_test(solution):
    exercise = nbformat.read(REPO / "exercises" / solution.name, as_version=4)
    for cell in exercise.cells:
        for marker in LEAK_MARKERS:
            assert marker not in cell.source
    # the solution cells hold the learner's answers (which may well equal the solution): look elsewhere
    given = "\n".join(c.source for c in exercise.cells if not c.metadata.get("nbgrader", {}).get("solution"))
    source = nbformat.read(solution, as_version=4)
    for cell in source.cells:
        if "### BEGIN" in cell.source:
            region = cell.source.split("### BEGIN", 1)[1].split("\n", 1)[1].split("### END")[0].strip()
            assert region not in given, f"solution region of {cell.metadata['nbgrader']['grade_id']} leaked"


def _saved_by_jupyterlab(nb):
    """What JupyterLab does to a notebook it opens, runs and saves, answers aside."""
    nb = copy.deepcopy(nb)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                                    "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                                    "pygments_lexer": "ipython3", "version": "3.11.7"}
    for k, cell in enumerate(nb.cells):
        cell.id = f"lab-{k}"
        cell.metadata["trusted"] = True
        cell.source = cell.source.replace("\n", "  \n") + "\n"  # trailing whitespace and newline
        if cell.cell_type == "code":
            cell.execution_count = k
            cell.metadata["execution"] = {"iopub.status.idle": "2026-12-01T12:00:00.000Z"}
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
    return nb


def _write(nb, path):
    path.write_text(json.dumps(nb, indent=2, sort_keys=False))  # JupyterLab's formatting, not nbformat's
    return path


def _answered(nb):
    nb = copy.deepcopy(nb)
    solved = _answer_cells(nbformat.read(REPO / "solutions" / "03_autograd.ipynb", as_version=4))
    for grade_id, cell in _answer_cells(nb).items():
        cell.source = "\n".join(line for line in solved[grade_id].source.splitlines() if "### " not in line)
    return nb


def test_opening_and_saving_in_jupyterlab_leaves_an_exercise_current(tmp_path):
    solution = REPO / "solutions" / "03_autograd.ipynb"
    exercise = nbformat.read(REPO / "exercises" / "03_autograd.ipynb", as_version=4)
    saved = _write(_saved_by_jupyterlab(exercise), tmp_path / "03_autograd.ipynb")
    assert exercise.metadata["kernelspec"]["display_name"] != "Python 3 (ipykernel)"  # so the test changes it
    assert exercise_differences(solution, saved) == []
    assert exercise_differences(solution, saved, strict=True) == ["it stores outputs, which the generator clears"]


def test_a_learners_answers_and_scratch_cells_leave_an_exercise_current(tmp_path):
    solution = REPO / "solutions" / "03_autograd.ipynb"
    nb = _saved_by_jupyterlab(_answered(nbformat.read(REPO / "exercises" / "03_autograd.ipynb", as_version=4)))
    nb.cells.insert(5, nbformat.v4.new_code_cell("softplus(nnlib.tensor([1.0]))  # trying it out"))
    saved = _write(nb, tmp_path / "03_autograd.ipynb")
    assert exercise_differences(solution, saved) == []
    strict = exercise_differences(solution, saved, strict=True)  # a clean checkout has no answers
    assert "cell 'q1_softplus': its source differs from the generated stub" in strict
    assert any("without nbgrader metadata" in p for p in strict)


@pytest.mark.parametrize("change, expected", [
    (lambda nb: _cell(nb, "q1_softplus_test").__setitem__("source", "assert False"),
     "cell 'q1_softplus_test': its source differs"),
    (lambda nb: _cell(nb, "q1_text").__setitem__("source", "## Question 1 (4 points)"),
     "cell 'q1_text': its source differs"),
    (lambda nb: _cell(nb, "q5_matmul_backward_test").metadata.nbgrader.__setitem__(
        "points", _cell(nb, "q5_matmul_backward_test").metadata.nbgrader["points"] + 1),
     "cell 'q5_matmul_backward_test': its nbgrader metadata (points, locks) differs"),
    (lambda nb: nb.cells.append(nbformat.v4.new_markdown_cell("More", metadata={"nbgrader": {"grade_id": "more"}})),
     "its cells differ: missing more"),
    (lambda nb: nb.cells.pop(4), "its cells differ: not in the source q1_softplus_test"),
])
def test_an_author_who_forgot_to_regenerate_is_told(tmp_path, change, expected):
    solution = nbformat.read(REPO / "solutions" / "03_autograd.ipynb", as_version=4)
    change(solution)
    changed = tmp_path / "03_autograd.ipynb"
    nbformat.write(solution, changed)
    problems = exercise_differences(changed, REPO / "exercises" / "03_autograd.ipynb")
    assert any(p.startswith(expected) for p in problems), problems


def test_a_changed_stub_is_caught_by_the_strict_check_only(tmp_path):
    # the stub of a solution cell is where a learner writes, so only the strict check (CI) compares it
    solution = nbformat.read(REPO / "solutions" / "03_autograd.ipynb", as_version=4)
    _cell(solution, "q1_softplus").source = _cell(solution, "q1_softplus").source.replace("def softplus(x):", "def softplus(x, beta=1.0):")
    changed = tmp_path / "03_autograd.ipynb"
    nbformat.write(solution, changed)
    assert exercise_differences(changed, REPO / "exercises" / "03_autograd.ipynb") == []
    assert exercise_differences(changed, REPO / "exercises" / "03_autograd.ipynb", strict=True) == [
        "cell 'q1_softplus': its source differs from the generated stub"]


def test_the_check_command_never_advises_overwriting_a_learners_answers(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("coursetools.exercises.check_exercises", lambda strict=False: ["03_autograd.ipynb: it is missing"])
    assert main(["exercises", "--check"]) == 1
    out = capsys.readouterr().out
    assert "out of date: exercises/03_autograd.ipynb: it is missing" in out
    assert "Authors:" in out and "overwrites exercises/, answers included" in out
    assert "run: python -m coursetools exercises" not in out


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_the_last_cell_grades_the_saved_notebook_and_the_grader_skips_it(solution):
    nb = nbformat.read(solution, as_version=4)
    last = nb.cells[-1]
    assert last.cell_type == "code" and f"-m coursetools grade {solution.name}" in last.source
    assert SKIP_TAG in last.metadata.get("tags", []), "the grader would run the grading cell, and grade again"
    assert last.metadata["nbgrader"]["locked"] and not last.metadata["nbgrader"]["grade"]
    assert all(c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells), "every cell needs a grade_id"


WARM_UP = "00_start_here"  # chapter 00's exercise practises the loop (edit, save, grade, read): one question


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_has_at_least_five_graded_questions_with_points(solution):
    """COURSE.md: at least five graded questions per chapter; the warm-up of chapter 00 has exactly one."""
    nb = nbformat.read(solution, as_version=4)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert all(c.metadata["nbgrader"]["points"] > 0 for c in graded)
    assert len(graded) == 1 if solution.stem == WARM_UP else len(graded) >= 5, f"{solution.stem}: {len(graded)} questions"


def test_regenerating_is_deterministic():
    for solution in SOLUTIONS:
        assert exercise_text(solution) == exercise_text(solution)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every solution notebook and its untouched exercise, graded once, two at a time (the trusted run shared)."""
    from concurrent.futures import ThreadPoolExecutor
    from coursetools.grade import grade_notebook
    jobs = [(solution.stem, kind, path) for solution in SOLUTIONS
            for kind, path in (("solution", solution), ("exercise", REPO / "exercises" / solution.name))]
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(lambda job: grade_notebook(job[2], CELL_TIMEOUT), jobs))
    graded = {}
    for (stem, kind, _), report in zip(jobs, reports):
        graded.setdefault(stem, {})[kind] = report
    return graded


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_scores_full_marks(graded, solution):
    report = graded[solution.stem]["solution"]
    assert report.all_passed and report.score == report.max_score > 0, format_report(report)
    assert not [note for note in report.notes if "are not run" in note], report.notes  # its cells are the source's
    grading_cell = report.executed.cells[-1]
    assert SKIP_TAG in grading_cell.metadata.tags and grading_cell.outputs == [] and grading_cell.execution_count is None


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_untouched_exercise_scores_zero_and_says_not_attempted(graded, solution):
    report = graded[solution.stem]["exercise"]
    assert report.score == 0 and report.results, format_report(report)
    assert all("not attempted" in r.message for r in report.results), format_report(report)


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_every_test_cell_reports_values_under_names_unique_in_the_cell(graded, solution):
    # coursetools/AUTHORING.md, rules 1 and 3: the grader's verdict rests on the reports
    from coursetools.grade import load_source, reference_reports
    nb, digest = load_source(solution.stem)
    reference = reference_reports(solution.stem, nb, digest)
    graded_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert sorted(reference.steps) == sorted(graded_ids)
    for grade_id, steps in reference.steps.items():
        names = [r["name"] for step in steps for r in step]
        assert names, f"{grade_id} reports nothing: call report(name, value) on what the learner's code gave"
        assert len(names) == len(set(names)), f"{grade_id} reports a name twice: {names}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_the_solution_notebook_runs_in_30_s(graded, solution):
    from coursetools.grade import load_source, reference_reports
    nb, digest = load_source(solution.stem)
    seconds = reference_reports(solution.stem, nb, digest).seconds
    assert seconds <= 30, f"{solution.name} took {seconds:.0f} s in the trusted kernel (kernel start included)"


def test_gradebook_csv(graded, tmp_path):
    not_an_exercise = tmp_path / "notes.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), not_an_exercise)
    from coursetools.grade import CannotGrade, grade_notebook
    with pytest.raises(CannotGrade) as unknown:
        grade_notebook(not_an_exercise)
    stem = SOLUTIONS[0].stem
    solved, untouched = graded[stem]["solution"], graded[stem]["exercise"]
    first = solved.results[0]
    out = tmp_path / "gradebook.csv"
    write_gradebook([(f"alice/{stem}.ipynb", solved), (f"bob/{stem}.ipynb", untouched), ("dave/notes.ipynb", unknown.value)], out)
    rows = {r["submission"]: r for r in csv.DictReader(out.open())}
    assert float(rows[f"alice/{stem}.ipynb"]["score"]) == solved.max_score
    assert float(rows[f"alice/{stem}.ipynb"][first.grade_id]) == first.max_points
    assert float(rows[f"bob/{stem}.ipynb"]["score"]) == 0
    assert rows["dave/notes.ipynb"]["error"].startswith("no assignment 'notes' in ")
    assert rows["dave/notes.ipynb"][first.grade_id] == "0"


@pytest.mark.parametrize("results, status", [
    ([QuestionResult("q1_test", 3, 3)], 0),
    ([QuestionResult("q1_test", 3, 3), QuestionResult("q2_test", 0, 2, "AssertionError: no")], 1),
])
def test_grade_command_exits_nonzero_while_a_question_fails(monkeypatch, capsys, tmp_path, results, status):
    report = Report(tmp_path / "03_autograd.ipynb", REPO / "solutions" / "03_autograd.ipynb", 60, results)
    monkeypatch.setattr("coursetools.grade.grade_notebook", lambda path, cell_timeout, **options: report)
    assert main(["grade", str(report.notebook)]) == status
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("total")


def test_grade_command_says_why_it_cannot_grade(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "missing.ipynb")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cannot grade") and "no assignment 'missing'" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "03_autograd.ipynb").write_text("")
    assert main(["grade", str(tmp_path / "03_autograd.ipynb")]) == 2
    assert capsys.readouterr().err.strip().endswith("the file is empty (was the notebook saved?)")
