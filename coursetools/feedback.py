"""Per-student feedback files: the grader's per-question table, as Markdown and as HTML.

The gradebook command writes one pair per submission, `feedback/<submission>.md` and `.html` (the
submission's path under the graded folder, `.ipynb` replaced), for the instructor to hand back. A
file shows what the learner's own `python -m coursetools grade` table shows: points, pass/FAIL and
the reason, and the total. It never shows a hidden test: the grader already says only "hidden test
failed" for one, and as a second guard any reason that quotes a line or a string of a hidden-test
region of the source notebook is replaced by that phrase here.
"""
import html
import re
from pathlib import Path

from . import markers
from .errors import CannotGrade
from .markers import HIDDEN_FAILED
_STRING = re.compile(r"""(?:[rRbBfFuU]{0,2})("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')""")
_MIN_QUOTE = 8  # shorter fragments ("x", "grad") occur in any message


def hidden_fragments(source_nb):
    """Text a hidden test contains that must not reach a learner: its lines and the literal parts of
    its strings (an f-string's text around the braces), each at least _MIN_QUOTE characters long and
    not also in the notebook outside the hidden tests."""
    fragments = set()
    visible = "\n".join(markers.without_regions(cell.source) for cell in source_nb.cells)
    for cell in source_nb.cells:
        for region in markers.regions(cell.source):
            for line in region.splitlines():
                line = line.strip()
                if len(line) >= _MIN_QUOTE and not line.startswith("#"):
                    fragments.add(line)
                for literal in _STRING.findall(line):
                    for part in re.split(r"\{[^{}]*\}", literal[1:-1]):
                        if len(part.strip()) >= _MIN_QUOTE:
                            fragments.add(part.strip())
    return {f for f in fragments if f not in visible}  # what the visible tests also say is no secret


def safe_reason(message, fragments):
    """The message, or HIDDEN_FAILED if it quotes a hidden test."""
    return HIDDEN_FAILED if any(fragment in message for fragment in fragments) else message


def _question(grade_id):
    return grade_id.removesuffix("_test")


def _rows(report, fragments):
    for r in report.results:
        yield (_question(r.grade_id), f"{r.points:g} / {r.max_points:g}", "pass" if r.passed else "FAIL",
               safe_reason(r.message or "", fragments))


def _notes(report, fragments):
    """Lines the grader reported about the whole submission (duplicated or missing cells), without the
    instructor's note on how isolated the kernel was."""
    notes = getattr(report, "notes", None) or []
    return [safe_reason(str(note), fragments) for note in notes if not str(note).startswith("isolation:")]


def _reason(outcome):
    """The one-line reason a submission was not graded."""
    if isinstance(outcome, (str, CannotGrade)):
        text = str(outcome)
    else:
        text = f"{type(outcome).__name__}: {outcome}"
    return (text.strip().splitlines() or ["it could not be graded"])[0]


def _md_cell(text):
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def feedback_markdown(submission, outcome, fragments=()):
    """The feedback for one submission as Markdown. `outcome` is a grade Report, or the exception (or
    one-line reason) that kept the submission from being graded."""
    lines = [f"# Feedback on `{submission}`", ""]
    if isinstance(outcome, (Exception, str)):
        return "\n".join(lines + [f"This submission could not be graded: {_md_cell(_reason(outcome))}", "",
                                  "**total: 0**", ""])
    assignment = Path(outcome.source).stem
    lines += [f"Assignment `{assignment}`, graded in a fresh kernel ({outcome.cell_timeout} s per cell).", ""]
    notes = _notes(outcome, fragments)
    lines += [f"- {_md_cell(note)}" for note in notes]
    if notes:
        lines.append("")
    lines += ["| question | points | result | reason |", "|---|---:|---|---|"]
    lines += [f"| {q} | {p} | {res} | {_md_cell(reason)} |" for q, p, res, reason in _rows(outcome, fragments)]
    verdict = "all questions pass" if outcome.all_passed else "some questions fail"
    lines += [f"| **total** | **{outcome.score:g} / {outcome.max_score:g}** | | {verdict} |", ""]
    return "\n".join(lines)


_STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}"
          "td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}"
          ".pass{color:#060}.FAIL{color:#a00;font-weight:bold}")


def feedback_html(submission, outcome, fragments=()):
    """The same feedback as a standalone HTML page."""
    esc = html.escape
    head = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Feedback on {esc(submission)}</title>"
            f"<style>{_STYLE}</style></head><body>\n<h1>Feedback on <code>{esc(submission)}</code></h1>\n")
    if isinstance(outcome, (Exception, str)):
        return head + f"<p>This submission could not be graded: {esc(_reason(outcome))}</p>\n<p><b>total: 0</b></p>\n</body></html>\n"
    body = [f"<p>Assignment <code>{esc(Path(outcome.source).stem)}</code>, graded in a fresh kernel "
            f"({outcome.cell_timeout} s per cell).</p>"]
    notes = _notes(outcome, fragments)
    if notes:
        body.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    body.append("<table>\n<tr><th>question</th><th>points</th><th>result</th><th>reason</th></tr>")
    for q, p, res, reason in _rows(outcome, fragments):
        body.append(f"<tr><td>{esc(q)}</td><td>{esc(p)}</td><td class=\"{res}\">{res}</td><td>{esc(reason)}</td></tr>")
    verdict = "all questions pass" if outcome.all_passed else "some questions fail"
    body.append(f"<tr><th>total</th><th>{outcome.score:g} / {outcome.max_score:g}</th><th></th><th>{verdict}</th></tr>"
                "\n</table>")
    return head + "\n".join(body) + "\n</body></html>\n"


def feedback_path(out_dir, submission, suffix):
    """out_dir/<submission without .ipynb><suffix>, refusing a name that would leave out_dir."""
    relative = Path(submission).with_suffix(suffix)
    if relative.is_absolute() or ".." in relative.parts:
        relative = Path(relative.name)
    return Path(out_dir) / relative


def write_feedback(results, out_dir, fragments_for=lambda outcome: ()):
    """Write feedback/<submission>.md and .html for every (submission, Report or error) in `results`;
    `fragments_for(report)` gives the hidden-test text to guard against (see hidden_fragments).
    Returns the Markdown paths written."""
    written = []
    for submission, outcome in results:
        fragments = () if isinstance(outcome, (Exception, str)) else fragments_for(outcome)
        md = feedback_path(out_dir, submission, ".md")
        md.parent.mkdir(parents=True, exist_ok=True)
        md.write_text(feedback_markdown(submission, outcome, fragments))
        feedback_path(out_dir, submission, ".html").write_text(feedback_html(submission, outcome, fragments))
        written.append(md)
    return written
