"""Grade exercise notebooks: run them in a fresh kernel and report each question.

The tests always come from the source notebook in solutions/ (hidden tests included), and only the
learner's solution cells come from the submission, so editing or deleting a test changes nothing.
"""
import copy
import csv
import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbgrader.preprocessors import ClearSolutions

from .exercises import EXERCISES, SOLUTIONS
from .execute import KERNEL, SKIP_TAG


@dataclass
class QuestionResult:
    grade_id: str
    points: float
    max_points: float
    message: str = ""

    @property
    def passed(self):
        return self.points == self.max_points


@dataclass
class Report:
    notebook: Path
    source: Path
    cell_timeout: int
    results: list = field(default_factory=list)
    executed: object = field(default=None, repr=False)  # the notebook as the grader ran it, outputs included

    @property
    def score(self):
        return sum(r.points for r in self.results)

    @property
    def max_score(self):
        return sum(r.max_points for r in self.results)

    @property
    def all_passed(self):
        return bool(self.results) and all(r.passed for r in self.results)


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def find_source(notebook_path, nb):
    """The solution notebook a submission belongs to: from its metadata, else from its file name."""
    assignment = nb.metadata.get("coursetools", {}).get("assignment") or Path(notebook_path).stem
    source = SOLUTIONS / f"{assignment}.ipynb"
    if not source.exists():
        raise FileNotFoundError(f"no source notebook {source} for {notebook_path}; is this a course exercise?")
    return source


def assemble(submission_nb, source_nb):
    """The notebook to run: every cell from the source, except solution cells taken from the submission."""
    answers = {_nbgrader(c)["grade_id"]: c for c in submission_nb.cells if _nbgrader(c).get("solution")}
    stubs = ClearSolutions().preprocess(copy.deepcopy(source_nb), {})[0]
    stub_cells = {_nbgrader(c).get("grade_id"): c for c in stubs.cells}
    nb = copy.deepcopy(source_nb)
    for k, cell in enumerate(nb.cells):
        meta = _nbgrader(cell)
        if meta.get("solution"):
            chosen = answers.get(meta["grade_id"], stub_cells[meta["grade_id"]])
            nb.cells[k] = copy.deepcopy(chosen)
            nb.cells[k].metadata["nbgrader"] = meta
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    return nb


def _failure_message(cell, cell_timeout):
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name, value = output.get("ename", "Error"), str(output.get("evalue", "")).strip()
            if name == "CellTimeoutError":
                return value
            if name == "NotImplementedError":
                return "not attempted yet: the code still raises NotImplementedError()"
            if name == "KeyboardInterrupt":
                return f"stopped after the {cell_timeout} s time limit for a cell (an infinite loop?)"
            return f"{name}: {value}" if value else name
    return ""


def grade_notebook(path, cell_timeout=60):
    """Execute a submission (tests from its source) and return a Report with one row per graded cell."""
    path = Path(path)
    submission = nbformat.read(path, as_version=4)
    source_path = find_source(path, submission)
    nb = assemble(submission, nbformat.read(source_path, as_version=4))
    client = NotebookClient(
        nb, kernel_name=KERNEL, timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
        skip_cells_with_tag=SKIP_TAG,  # the exercise's own grading cell: running it here would recurse
        error_on_timeout={"ename": "CellTimeoutError", "traceback": [],
                          "evalue": f"stopped after the {cell_timeout} s time limit for a cell (an infinite loop?)"},
        resources={"metadata": {"path": str(EXERCISES)}})
    crashed = ""
    try:
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's start-up warnings are not the learner's concern
    except DeadKernelError as err:
        crashed = f"the kernel died ({err}); cells after that did not run"
    report = Report(path, source_path, cell_timeout, executed=nb)
    answer_error = ""  # an error in the learner's own cell explains the test failing after it
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if meta.get("solution") and cell.cell_type == "code":
            answer_error = _failure_message(cell, cell_timeout)
            answer_error = answer_error and f"(your cell '{meta['grade_id']}' failed first: {answer_error})"
        if not meta.get("grade") or cell.cell_type != "code":
            continue
        ran = cell.get("execution_count") is not None or cell.get("outputs")
        message = _failure_message(cell, cell_timeout) or ("" if ran or not crashed else crashed)
        if message and answer_error and answer_error not in message and "not attempted" not in message:
            message = f"{message} {answer_error}"
        max_points = float(meta.get("points", 0))
        report.results.append(QuestionResult(meta["grade_id"], 0.0 if message else max_points, max_points, message))
    return report


def format_report(report, width=120):
    """A per-question table: points, pass/FAIL and the reason, then the total."""
    name_width = max([len(r.grade_id.removesuffix("_test")) for r in report.results] + [8])
    lines = [f"Grading {report.notebook} (tests from {report.source.name}, {report.cell_timeout} s per cell)", "",
             f"{'question':<{name_width}}  {'points':>9}  result  reason"]
    indent = " " * (name_width + 21)
    for r in report.results:
        head = f"{r.grade_id.removesuffix('_test'):<{name_width}}  {r.points:>4g} / {r.max_points:<2g}  {'pass' if r.passed else 'FAIL':<6}  "
        wrapped = textwrap.wrap(r.message, width - len(indent)) or [""]
        lines.append(head + wrapped[0])
        lines += [indent + more for more in wrapped[1:]]
    lines += ["", f"{'total':<{name_width}}  {report.score:>4g} / {report.max_score:<2g}  "
              + ("all questions pass" if report.all_passed else "some questions fail")]
    return "\n".join(lines)


def grade_folder(folder, cell_timeout=60):
    """Grade every .ipynb under `folder`: a list of (path relative to folder, Report or the error raised)."""
    folder = Path(folder)
    results = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        try:
            outcome = grade_notebook(path, cell_timeout)
        except Exception as err:  # one broken submission must not stop the whole class's grading
            outcome = err
        results.append((str(path.relative_to(folder)), outcome))
    return results


def write_gradebook(results, out_path):
    """Write grade_folder's results as a CSV: one row per submission, one column per question."""
    rows, questions = [], []
    for submission, outcome in results:
        row = {"submission": submission}
        if isinstance(outcome, Exception):
            row.update(assignment="", score=0, max_score="", error=f"{type(outcome).__name__}: {outcome}")
        else:
            row.update(assignment=outcome.source.stem, score=outcome.score, max_score=outcome.max_score, error="")
            for r in outcome.results:
                row[r.grade_id] = r.points
                if r.grade_id not in questions:
                    questions.append(r.grade_id)
        rows.append(row)
    with open(out_path, "w", newline="") as f:
        writer = csv.DictWriter(f, ["submission", "assignment", "score", "max_score"] + questions + ["error"], restval="")
        writer.writeheader()
        writer.writerows(rows)
    return rows
