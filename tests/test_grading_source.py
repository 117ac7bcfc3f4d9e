"""Issue 7, item 2: the submission never chooses its tests; the source is named by the instructor and checked."""
import shutil

import nbformat
import pytest

from coursetools import REPO
from coursetools.__main__ import main
from coursetools.authoring import write_submission
from coursetools.exercises import MANIFEST_NAME, check_exercises, manifest_text, read_manifest, write_exercises
from coursetools.grade import CannotGrade, default_manifest, find_assignment, format_report, grade_notebook, load_source
from grading_drill import DRILL, DRILL_SOURCE, FULL, drill


def test_the_assignment_comes_from_the_file_name_or_the_command_never_the_metadata(tmp_path):
    source, _ = drill(tmp_path)
    path = write_submission(DRILL, tmp_path / "my copy.ipynb", source=source)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["coursetools"] = {"assignment": DRILL}  # what the exercise carries; ignored
    nbformat.write(nb, path)
    with pytest.raises(CannotGrade) as err:
        find_assignment(path, source=source)
    message = str(err.value)
    assert message.startswith("no assignment 'my copy' in ") and "pass --assignment NAME" in message
    assert message.endswith(f"the known assignments are: {DRILL}")
    assert find_assignment(path, DRILL, source) == (DRILL, source / f"{DRILL}.ipynb")
    for bad in (f"../exercises/{DRILL}", "/etc/passwd", str(path.with_suffix(""))):
        with pytest.raises(CannotGrade):
            find_assignment(path, assignment=bad, source=source)


def test_the_source_is_checked_against_its_checksum_before_anything_runs(tmp_path):
    source, options = drill(tmp_path)
    assert default_manifest(source) == options["manifest"]
    nb, digest = load_source(DRILL, source)
    assert read_manifest(options["manifest"])[f"{DRILL}.ipynb"] == digest
    # the tests made to pass, as a submission that could write to the source folder would do
    tampered = nbformat.read(source / f"{DRILL}.ipynb", as_version=4)
    for cell in tampered.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = "pass"
    nbformat.write(tampered, source / f"{DRILL}.ipynb")
    submission = write_submission(DRILL, tmp_path / "s" / f"{DRILL}.ipynb", {"q1_softplus": None}, source=DRILL_SOURCE)
    with pytest.raises(CannotGrade) as err:
        grade_notebook(submission, **options)
    assert "does not match its checksum" in str(err.value) and "regenerate" in str(err.value)
    assert f"--source {source}" in str(err.value)
    (options["manifest"]).unlink()
    with pytest.raises(CannotGrade, match=f"has no checksum for {DRILL}.ipynb"):
        grade_notebook(submission, source=source)


def test_an_instructors_private_source_folder_with_its_own_hidden_test(tmp_path):
    public, public_options = drill(tmp_path / "public")
    private, exercises = tmp_path / "private" / "solutions", tmp_path / "private" / "exercises"
    private.mkdir(parents=True)
    nb = nbformat.read(public / f"{DRILL}.ipynb", as_version=4)
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_softplus_test")
    test.source += ("\n### BEGIN HIDDEN TESTS\nz = nnlib.tensor(np.array([-800.0, 800.0]))\n"
                    "report(\"softplus of other large inputs (the instructor's hidden test)\", softplus(z))\n### END HIDDEN TESTS\n")
    nbformat.write(nb, private / f"{DRILL}.ipynb")
    write_exercises(private, exercises)
    assert (exercises / MANIFEST_NAME).read_text() == manifest_text(private)
    assert "hidden test" not in (exercises / f"{DRILL}.ipynb").read_text()
    # an answer that hard-codes the public extreme values and overflows elsewhere: only the private test sees it
    hard_coded = ("def softplus(x):\n    if x.data.shape == (3,) and x.data[0] == -1000:\n"
                  "        out = np.array([0.0, np.log(2.0), 1000.0])\n    else:\n        out = np.log(1 + np.exp(x.data))\n"
                  "    return make_result(out, (x,), lambda g: (g * 0.5 * (1.0 + np.tanh(x.data / 2)),), 'softplus')")
    path = write_submission(DRILL, tmp_path / "s" / f"{DRILL}.ipynb", {"q1_softplus": hard_coded}, source=private)
    assert grade_notebook(path, 20, **public_options).score == FULL
    graded = grade_notebook(path, 20, source=private)
    assert graded.source == private / f"{DRILL}.ipynb"
    assert graded.by_id["q1_softplus_test"].points == 0 and graded.by_id["q1_softplus_test"].message == "hidden test failed"
    assert graded.score == FULL - 3, format_report(graded)


def test_the_manifest_is_part_of_the_staleness_check(monkeypatch, tmp_path):
    exercises = tmp_path / "exercises"
    shutil.copytree(REPO / "exercises", exercises)
    name = sorted((REPO / "solutions").glob("*.ipynb"))[0].name
    (exercises / MANIFEST_NAME).write_text("0" * 64 + f"  {name}\n")
    monkeypatch.setattr("coursetools.exercises.EXERCISES", exercises)
    assert f"{MANIFEST_NAME}: the checksum of solutions/{name} is out of date" in check_exercises()


def test_grading_the_solution_notebook_itself(tmp_path, capsys):
    source, _ = drill(tmp_path)  # what AUTHORING.md tells an author to run, here with --source
    assert main(["grade", str(source / f"{DRILL}.ipynb"), "--source", str(source), "--timeout", "20"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1].split() == ["total", "12", "/", "12", "all", "questions", "pass"]
