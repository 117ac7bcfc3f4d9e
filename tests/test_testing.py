"""nnlib.testing.assert_close (torch.testing.assert_close's call, with a message that names what differs),
and the rule that the library's tests do not depend on the course's tooling (coursetools)."""
import ast
from pathlib import Path

import numpy as np
import pytest
import torch

import nnlib
from nnlib.testing import assert_close

TESTS = Path(__file__).resolve().parent

# The tests of the course's tooling, which may import coursetools; every other test file is a library test.
COURSE_TOOLING_TESTS = {
    "test_exercises.py": "the exercise notebooks and their grader (coursetools.exercises, coursetools.grade)",
    "test_envcheck.py": "the environment check (coursetools.envcheck)",
    "test_readme.py": "the README's commands, run through coursetools",
    "test_lab_settings.py": "the JupyterLab settings the set-up installs (coursetools.labsettings)",
    "test_notebook_outputs.py": "the stored notebook outputs (coursetools' notebook helpers)",
    "test_gpucheck.py": "make test-gpu (coursetools.gpucheck) and pick_device's device log",
}


# ---- assert_close -------------------------------------------------------------------------------------
def test_close_values_pass_for_every_kind_of_input():
    x = nnlib.tensor([1.0, 2.0, 3.0])
    assert_close(x, torch.tensor([1.0, 2.0, 3.0]))
    assert_close(x, np.array([1.0, 2.0, 3.0], dtype=np.float32))
    assert_close(x, [1.0, 2.0, 3.0])  # a list takes the other side's dtype
    assert_close(nnlib.tensor(2.5), 2.5)
    assert_close(torch.ones(2, requires_grad=True) * 2, nnlib.full((2,), 2.0))  # a torch tensor that needs grad
    assert_close(nnlib.tensor([1, 2]), np.array([1, 2]))
    assert_close(nnlib.tensor([True, False]), [True, False])


def test_the_message_says_which_tensor_which_index_and_both_values():
    got = nnlib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]])
    with pytest.raises(AssertionError, match=r"^grad of x: 1 of 6 elements differ; first at index \(1, 2\): "
                                             r"got np.float32\(6.5\), expected np.float32\(6.0\) "
                                             r"\(max abs difference 0.5\)$"):
        assert_close(got, nnlib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), name="grad of x")
    with pytest.raises(AssertionError, match=r"^Tensor-likes are not close: 2 of 3 elements differ; first at index \(0,\)"):
        assert_close(nnlib.tensor([1.0, 2.0, 3.0]), nnlib.tensor([0.0, 2.0, 4.0]))
    with pytest.raises(AssertionError, match=r"^out: shape \(2, 3\), expected \(3, 2\)$"):
        assert_close(nnlib.zeros(2, 3), np.zeros((3, 2)), name="out")
    with pytest.raises(AssertionError, match=r"^out: dtype float64, expected float32 \(pass check_dtype=False"):
        assert_close(nnlib.zeros(2, dtype=nnlib.float64), torch.zeros(2), name="out")
    assert_close(nnlib.zeros(2, dtype=nnlib.float64), torch.zeros(2), check_dtype=False)
    with pytest.raises(AssertionError, match=r"^my own words$"):
        assert_close(nnlib.zeros(2), nnlib.ones(2), msg="my own words")


def test_default_tolerances_follow_the_dtype_as_torchs():
    for dtype in (np.float32, np.float64):
        one = np.ones(1, dtype=dtype)
        for step in (1e-6, 1e-5, 2e-5, 1e-7, 3e-7):
            ours_pass = True
            try:
                assert_close(nnlib.tensor(one + step), nnlib.tensor(one))
            except AssertionError:
                ours_pass = False
            try:
                torch.testing.assert_close(torch.tensor(one + step), torch.tensor(one))
                torch_pass = True
            except AssertionError:
                torch_pass = False
            assert ours_pass == torch_pass, (dtype, step)
    with pytest.raises(AssertionError):
        assert_close(nnlib.tensor([3]), nnlib.tensor([4]))  # integers compare exactly
    with pytest.raises(ValueError, match=r"both 'rtol' and 'atol' must be either specified or omitted"):
        assert_close(nnlib.zeros(1), nnlib.zeros(1), rtol=1e-3)


def test_nan_equals_nan_only_when_asked():
    with pytest.raises(AssertionError, match=r"1 of 2 elements differ; first at index \(1,\)"):
        assert_close(nnlib.tensor([1.0, float("nan")]), [1.0, float("nan")])
    assert_close(nnlib.tensor([1.0, float("nan")]), [1.0, float("nan")], equal_nan=True)


# ---- library tests import nothing from coursetools ----------------------------------------------------
def imported_modules(source):
    """Every module an `import` or `from ... import` in `source` names, anywhere in it (functions too)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def imports_of_coursetools(source):
    return [name for name in imported_modules(source) if name.split(".")[0] == "coursetools"]


# Families of course-tooling tests, by name: the graders' (test_grading_*.py), each chapter exercise's
# wrong answers (test_exercise_NN.py), the instructor's release, feedback files and nbgrader's own tools.
COURSE_TOOLING_PATTERNS = ("test_grading*.py", "grading_*.py", "test_exercise_*.py", "test_release*.py", "test_feedback*.py",
                           "test_nbgrader*.py", "test_gradebook*.py")


def is_course_tooling_test(path):
    return path.name in COURSE_TOOLING_TESTS or any(path.match(pattern) for pattern in COURSE_TOOLING_PATTERNS)


def library_test_files():
    return sorted(p for p in TESTS.glob("*.py") if not is_course_tooling_test(p))


# A learners' release (python -m coursetools release: grading/ instead of solutions/) leaves out the
# tests that need the solutions.
IN_A_RELEASE = (TESTS.parent / "grading").is_dir() and not (TESTS.parent / "solutions").is_dir()
NEED_THE_SOLUTIONS = {"test_exercises.py"}


def test_library_tests_import_nothing_from_coursetools():
    exempt = set(COURSE_TOOLING_TESTS) - (NEED_THE_SOLUTIONS if IN_A_RELEASE else set())
    assert exempt <= {p.name for p in TESTS.glob("*.py")}, "an exempt file was renamed"
    offenders = {p.name: imports_of_coursetools(p.read_text()) for p in library_test_files()}
    offenders = {name: found for name, found in offenders.items() if found}
    assert offenders == {}, (f"library tests import course tooling: {offenders}; use tests/parity.py or "
                             "nnlib.testing instead (only the tests of the course tooling may import coursetools)")


def test_the_import_scan_finds_every_form_of_import():
    source = ("import os\nimport coursetools\nfrom coursetools.grading import check\n"
              "def f():\n    import coursetools.grade as g\n# from coursetools import REPO (a comment)\n"
              "text = 'from coursetools import REPO'\n")
    assert imports_of_coursetools(source) == ["coursetools", "coursetools.grading", "coursetools.grade"]
    assert "parity.py" in {p.name for p in library_test_files()}  # the helpers are scanned too
