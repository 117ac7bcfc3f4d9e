"""The gradebook writes each student a feedback file: the per-question table, never a hidden test."""
import csv
import re
from pathlib import Path

import nbformat
import pytest

from coursetools import REPO
from coursetools.__main__ import main
from coursetools.authoring import TEST_CELL_TIMEOUT, reference_answers, write_submission
from coursetools.feedback import HIDDEN_FAILED, feedback_markdown, hidden_fragments, safe_reason
from coursetools.grade import QuestionResult, Report

SOURCE = REPO / "solutions" / "03_autograd.ipynb"
POINTS = {c.metadata.nbgrader.grade_id.removesuffix("_test"): c.metadata.nbgrader.points
          for c in nbformat.read(SOURCE, as_version=4).cells if c.metadata.get("nbgrader", {}).get("grade")}
MAX = sum(POINTS.values())
# softplus as the chapter's common mistake writes it: it overflows at x = 1000 (a visible test)
OVERFLOWING_SOFTPLUS = """
def softplus(x):
    out = np.log(1 + np.exp(x.data))
    def backward(grad):
        return (grad * np.exp(x.data) / (1 + np.exp(x.data)),)
    return make_result(out, (x,), backward, "softplus")
"""
# the reference matmul_backward, wrong only for a 2-D row vector a: only a hidden test has one
HIDDEN_ONLY_WRONG = reference_answers("03_autograd")["q5_matmul_backward"] + """

_right_matmul_backward = matmul_backward


def matmul_backward(a, b, grad_out):
    grad_a, grad_b = _right_matmul_backward(a, b, grad_out)
    if a.ndim == 2 and a.shape[0] == 1:
        grad_a = 2 * grad_a
    return grad_a, grad_b
"""


def _hidden_text():
    nb = nbformat.read(SOURCE, as_version=4)
    regions = [r for c in nb.cells for r in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", c.source, re.S)]
    assert regions, "the test needs an exercise with hidden tests"
    return regions


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    write_submission("03_autograd", folder / "ada" / "03_autograd.ipynb")
    write_submission("03_autograd", folder / "ben" / "03_autograd.ipynb",
                     {"q5_matmul_backward": HIDDEN_ONLY_WRONG, "q1_softplus": OVERFLOWING_SOFTPLUS})
    (folder / "cy").mkdir()
    (folder / "cy" / "03_autograd.ipynb").write_text("")
    out = tmp_path_factory.mktemp("out")
    assert main(["gradebook", str(folder), "--out", str(out / "grades.csv"), "--jobs", "2",
                 "--timeout", str(TEST_CELL_TIMEOUT)]) == 0
    return out


def test_every_submission_gets_a_markdown_and_an_html_feedback_file(graded):
    for student in ("ada", "ben", "cy"):
        assert (graded / "feedback" / student / "03_autograd.md").is_file()
        assert (graded / "feedback" / student / "03_autograd.html").read_text().startswith("<!DOCTYPE html>")
    rows = {r["submission"]: r for r in csv.DictReader((graded / "grades.csv").open())}
    assert rows.keys() == {"ada/03_autograd.ipynb", "ben/03_autograd.ipynb", "cy/03_autograd.ipynb"}


def test_a_passing_students_feedback_shows_every_question_and_the_total(graded):
    text = (graded / "feedback" / "ada" / "03_autograd.md").read_text()
    for question, points in POINTS.items():
        assert f"| {question} | {points:g} / {points:g} | pass |" in text, text
    assert f"**{MAX:g} / {MAX:g}**" in text and "all questions pass" in text and "FAIL" not in text


def test_a_failing_students_feedback_gives_the_reasons_but_no_hidden_test(graded):
    md = (graded / "feedback" / "ben" / "03_autograd.md").read_text()
    html = (graded / "feedback" / "ben" / "03_autograd.html").read_text()
    assert re.search(rf"\| q1_softplus \| 0 / {POINTS['q1_softplus']:g} \| FAIL \| softplus\(", md), md
    assert f"| q5_matmul_backward | 0 / {POINTS['q5_matmul_backward']:g} | FAIL | {HIDDEN_FAILED} |" in md, md
    score = MAX - POINTS["q1_softplus"] - POINTS["q5_matmul_backward"]
    assert f"**{score:g} / {MAX:g}**" in md and "some questions fail" in md
    assert '<td class="FAIL">FAIL</td><td>hidden test failed</td>' in html
    visible = {line.strip() for c in nbformat.read(REPO / "exercises" / SOURCE.name, as_version=4).cells
               for line in c.source.splitlines()}
    for text in (md, html):
        assert "hidden:" not in text.lower() and "row vector" not in text
        for region in _hidden_text():
            for line in region.splitlines():
                if len(line.strip()) > 12 and line.strip() not in visible:
                    assert line.strip() not in text, f"a hidden test's line in the feedback: {line.strip()!r}"


def test_a_submission_that_could_not_be_graded_gets_a_one_line_reason_and_zero(graded):
    text = (graded / "feedback" / "cy" / "03_autograd.md").read_text()
    assert "could not be graded: the file is empty" in text and "**total: 0**" in text


def test_a_reason_that_quotes_a_hidden_test_is_replaced_whoever_wrote_it(tmp_path):
    # a second guard behind the grader's own "hidden test failed": any reason quoting a hidden test's
    # line or string never reaches the feedback file
    fragments = hidden_fragments(nbformat.read(SOURCE, as_version=4))
    hidden_name = re.findall(r'report\("([^"]+)"', "".join(_hidden_text()))[0]
    assert hidden_name in fragments
    leaked = f"AssertionError: {hidden_name}: 7 of 7 elements differ; first at index (0, 0): got 2, expected 1"
    assert safe_reason(leaked, fragments) == HIDDEN_FAILED
    assert safe_reason("x.grad: 12 of 12 elements differ", fragments) == "x.grad: 12 of 12 elements differ"
    report = Report(Path("ben/03_autograd.ipynb"), SOURCE, 60, [QuestionResult("q5_matmul_backward_test", 0, 2, leaked)])
    text = feedback_markdown("ben/03_autograd.ipynb", report, fragments)
    assert hidden_name not in text and HIDDEN_FAILED in text


def test_markdown_table_cells_are_escaped():
    report = Report(Path("s.ipynb"), SOURCE, 60, [QuestionResult("q1_test", 0, 1, "a | b\nc")])
    assert "| q1 | 0 / 1 | FAIL | a \\| b<br>c |" in feedback_markdown("s.ipynb", report)
