"""Issue 7, items 1 and 3: what a test cell reports, how the grader compares it, how it splits a test cell."""
import numpy as np
import pytest

import nnlib
from coursetools import grading
from coursetools.grade import split_test_cell
from coursetools.grading import check, compare, decode, encode, report


def _cmp(got, want, **kw):
    return compare("v", encode(got), encode(want), **kw)


@pytest.mark.parametrize("got, want, message", [
    (np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3), ""),
    (np.full((2, 3), 0.5), np.full((2, 3), 0.25), "v: 6 of 6 elements differ; first at index (0, 0): got 0.5, expected 0.25"),
    (np.zeros(3, np.float32), np.zeros(3), "v: dtype float32, expected float64"),
    (np.zeros((3,)), np.zeros((4, 1)), "v: shape (3,), expected (4, 1)"),
    (nnlib.tensor([1.0]), np.array([1.0]), "v: got an nnlib Tensor, expected a NumPy array"),
    ([np.zeros(2)], (np.zeros(2),), "v: got a list, expected a tuple"),
    ((np.zeros(2), np.ones(2)), (np.zeros(2), np.zeros(2)), "v[1]: 2 of 2 elements differ; first at index (0,): got 1.0, expected 0.0"),
    ((1, 2), (1, 2, 3), "v: a tuple of length 2, expected length 3"),
    (7, 7.0, ""), (6, 7, "v: got 6, expected 7"), (True, 1, "v: got a bool, expected an integer"),
    (np.float64(0.5), np.array(0.5), ""), (0.5, np.array(0.25), "v: got 0.5, expected 0.25"),
    (float("nan"), float("nan"), ""), ("abc", "abd", "v: got 'abc', expected 'abd'"),
    ({"a": 1}, {"a": 1, "b": 2}, "v: the dict's keys differ; missing ['b']"),
    (None, np.zeros(2), "v: got None, expected a NumPy array"),
    (object(), np.zeros(2), "v: got an object, expected a NumPy array"),
    (np.array([1, 2]), np.array([1, 3]), "v: 1 of 2 elements differ; first at index (1,): got 2, expected 3"),
])
def test_compare_says_type_then_dtype_then_shape_then_values(got, want, message):
    assert _cmp(got, want) == message


def test_tolerances_come_with_the_report():
    assert _cmp(1.0 + 1e-6, 1.0) == ""
    assert _cmp(1.0 + 1e-6, 1.0, rtol=0, atol=0) == "v: got 1.000001, expected 1.0"
    assert _cmp(np.zeros(2, np.float32), np.zeros(2), check_dtype=False) == ""


class Sneaky(float):
    def __float__(self):
        return 99.0


class FrameReader:
    def __array__(self, dtype=None, copy=None):
        raise AssertionError("report() must never ask an unknown object for its array")


def test_encode_never_runs_a_values_own_methods():
    assert decode(encode(Sneaky(1.5))) == ("float", 1.5)
    assert encode(FrameReader()) == {"type": f"{__name__}.FrameReader"}
    assert decode(encode(FrameReader()))[1] is grading.OPAQUE
    sub = np.arange(3).view(type("MyArray", (np.ndarray,), {}))
    kind, value = decode(encode(sub))
    assert kind == "numpy.ndarray" and type(value) is np.ndarray and value.tolist() == [0, 1, 2]
    assert encode(np.array([object()]))["type"] == "numpy.ndarray of dtype object"


@pytest.mark.parametrize("bad", [
    {"type": "numpy.ndarray", "dtype": "<f8", "shape": [3], "data": "AAAA"},     # data does not fit the shape
    {"type": "numpy.ndarray", "dtype": "|O", "shape": [1], "data": "AAAAAAAAAAA="},  # object dtype
    {"type": "float", "value": "not hex"}, {"type": "list", "items": "x"}, {"no": "type"}, "text",
])
def test_a_malformed_report_is_not_plain_data(bad):
    assert compare("v", bad, encode(np.zeros(3))).startswith("v: the value reported is not plain data")


def test_report_sends_nothing_outside_the_grader(monkeypatch, capsys):
    monkeypatch.delenv(grading.GRADING_ENV, raising=False)
    assert report("x", np.zeros(2)) is None
    assert capsys.readouterr().out == ""
    with pytest.raises(TypeError):
        report("", 1)


def test_check_is_the_learners_hint_with_the_same_message():
    check("x.grad", nnlib.tensor([1.0, 2.0]), np.array([1.0, 2.0]))
    with pytest.raises(AssertionError, match=r"^x.grad: 1 of 2 elements differ; first at index \(1,\): got 2.0, expected 3.0$"):
        check("x.grad", nnlib.tensor([1.0, 2.0]), [1.0, 3.0])
    with pytest.raises(AssertionError, match="shape"):
        check("x", np.zeros(3), np.zeros((3, 1)))


def test_a_test_cell_runs_in_steps_that_end_after_each_report():
    source = ("# a comment\nrng = np.random.default_rng(1)\ny = f(rng.standard_normal(3))\nreport('y', y)\n"
              "for k in range(2):\n    report(f'y{k}', f(k))\n\nexpected = g(3)\ncheck('y', y, expected)\n"
              "### BEGIN HIDDEN TESTS\nz = f(5)\nreport('z', z)\ncheck('z', z, g(5))\n### END HIDDEN TESTS\n")
    steps = split_test_cell(source)
    assert [hidden for _, hidden in steps] == [False, False, False, True, True]
    assert steps[0][0].endswith("report('y', y)\n") and steps[0][0].startswith("# a comment")
    assert steps[1][0].startswith("for k in range(2)")
    assert "expected = g(3)" in steps[2][0] and "report" not in steps[2][0]
    assert steps[3][0].strip().endswith("report('z', z)") and "### BEGIN HIDDEN TESTS" in steps[3][0]
    assert "".join(code for code, _ in steps) == source
    assert split_test_cell("%time x = 1\nreport('x', x)") == [("%time x = 1\nreport('x', x)", False)]  # not Python: one step
