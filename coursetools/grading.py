"""The test cells' side of grading: `report(name, value)` hands a value to the grader, `check(...)` asserts.

A graded test cell of an exercise makes its own inputs from a seed written in the cell, calls the
learner's code, and reports what that code gave:

    from coursetools.grading import report, check
    rng = np.random.default_rng(1)
    x = nnlib.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    y = softplus(x)
    report("softplus(x)", y)                  # 1. what the learner's code gave, before any expected value exists
    expected = np.logaddexp(0, x.data)        # 2. the expected value, computed after the report
    check("softplus(x)", y, expected)         # 3. an in-notebook assertion: the learner's readable hint

The grader runs the same test cells twice: in the learner's kernel (with the learner's answers) and in a
trusted kernel (with the reference solutions). It gives the question's points only when the test cell ran
to the end without an error in the learner's kernel and every value the trusted kernel reported was
reported by the learner's kernel too, under the same name, in the same order, and equal to it: compared
in the grading process, with its own NumPy, type first, then dtype, then shape, then values. So
patching NumPy, `check`, IPython's hooks or this module in the learner's kernel gains nothing.

`report` turns the value at once into plain data: a NumPy array (dtype and shape kept; an nnlib or
torch tensor is recorded as its type and its array), a Python number, bool, string or None, or a
tuple, list or dict (string keys) of those. Anything else is recorded as its type name only, so it can
never equal a reference value. Outside the grader (a learner running the notebook, nbgrader) `report`
converts the value and sends nothing; `check` always asserts.

This module is also the grader's decoder and comparator of reports (`decode`, `compare`): the grading
process imports it, and never the learner's kernel's copy of anything.
"""
import base64
import math
import os
import sys

import numpy as np

MIME = "application/vnd.coursetools.report+json"  # the display_data type the grader collects
GRADING_ENV = "COURSETOOLS_GRADING"  # set (to "1") in the kernels the grader starts
RTOL, ATOL = 1e-5, 1e-8  # default tolerances for floating-point values (integers, bools, strings: exact,
# and an expected integer or bool, or an array of them, wants one of the same kind: never a float)
MAX_REPORT_BYTES = 8 * 2**20  # a larger value is recorded as too large (and so never passes)
MAX_DEPTH = 8
ARRAY_KINDS = "biufcU"  # bool, int, unsigned, float, complex, unicode; object arrays are not plain data


def _type_name(value):
    cls = type(value)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def _is_tensor(value, module):
    """An nnlib.Tensor or a torch.Tensor (or a subclass), without importing either library."""
    lib = sys.modules.get(module)
    tensor_type = getattr(lib, "Tensor", None) if lib is not None else None
    return isinstance(tensor_type, type) and isinstance(value, tensor_type)


def _encode_array(array, kind):
    array = np.array(array, copy=True, subok=False, order="C")  # a plain ndarray of its own, never a view
    if array.dtype.kind not in ARRAY_KINDS:
        return {"type": f"{kind} of dtype {array.dtype}"}
    if array.nbytes > MAX_REPORT_BYTES:
        return {"type": f"{kind} too large to report ({array.nbytes} bytes)"}
    return {"type": kind, "dtype": array.dtype.str, "shape": list(array.shape),
            "data": base64.b64encode(array.tobytes()).decode("ascii")}


def encode(value, _depth=0):
    """`value` as plain JSON-able data (see the module docstring for what is kept)."""
    if _depth > MAX_DEPTH:
        return {"type": "nested too deeply"}
    # exact types first: a subclass of a builtin never gets to run its own methods here
    if value is None:
        return {"type": "None"}
    if isinstance(value, np.generic):  # a NumPy scalar (np.float64(0.5), np.bool_): a 0-d array, dtype kept
        return _encode_array(value, "numpy.ndarray")
    if isinstance(value, bool):
        return {"type": "bool", "value": value is True}
    if isinstance(value, int):
        return {"type": "int", "value": str(int.__index__(value))}
    if isinstance(value, float):
        return {"type": "float", "value": float.hex(float.__float__(value))}
    if isinstance(value, complex):
        c = complex.__complex__(value)
        return {"type": "complex", "value": [float.hex(c.real), float.hex(c.imag)]}
    if isinstance(value, str):
        text = str.__str__(value)
        return {"type": "str", "value": text} if len(text) <= MAX_REPORT_BYTES else {"type": "str too large to report"}
    if isinstance(value, np.ndarray):
        return _encode_array(value, "numpy.ndarray")
    if _is_tensor(value, "nnlib"):
        slot = getattr(sys.modules["nnlib"], "Tensor").__dict__.get("data")  # the slot itself, not a subclass's property
        data = slot.__get__(value) if hasattr(slot, "__get__") else value.data
        if not isinstance(data, np.ndarray):
            return {"type": f"nnlib.Tensor holding {_type_name(data)}"}
        return _encode_array(data, "nnlib.Tensor")
    if _is_tensor(value, "torch"):
        return _encode_array(value.detach().cpu().numpy(), "torch.Tensor")
    if isinstance(value, (tuple, list)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        items = tuple.__iter__(value) if kind == "tuple" else list.__iter__(value)
        return {"type": kind, "items": [encode(v, _depth + 1) for v in items]}
    if isinstance(value, dict):
        items = list(dict.items(value))
        if not all(isinstance(k, str) for k, _ in items):
            return {"type": "dict with keys that are not strings"}
        return {"type": "dict", "items": {str.__str__(k): encode(v, _depth + 1) for k, v in items}}
    return {"type": _type_name(value)}


def report(name, value, *, rtol=RTOL, atol=ATOL, check_dtype=True):
    """Hand `value` (what the learner's code gave) to the grader under `name`.

    Call it BEFORE the cell computes the expected value. `name` says what the value is, in words the
    learner understands ("grad of x", "softplus([-1000, 0, 1000])"); it must be unique within the cell,
    and it is shown in the failure message (for a hidden test the grader says only "hidden test failed").
    rtol/atol: the tolerance for floating-point values (|got - expected| <= atol + rtol |expected|);
    integers, bools and strings are compared exactly. check_dtype=False compares an array's values
    without its dtype (then float32 where float64 was expected passes).
    """
    if not isinstance(name, str) or not name:
        raise TypeError("report(name, value): name must be a non-empty string saying what the value is")
    payload = {"name": name, "value": encode(value), "rtol": float(rtol), "atol": float(atol),
               "check_dtype": bool(check_dtype)}
    if os.environ.get(GRADING_ENV) != "1":
        return None  # a learner's own run, or nbgrader: the in-notebook checks do the work there
    from IPython.display import display
    display({MIME: payload}, raw=True)
    return None


# ---- the grader's side: decoding and comparing reports (run in the grading process) ----

class BadReport(ValueError):
    """A report that is not well-formed plain data (a learner's kernel can send anything)."""


TENSOR_KINDS = ("numpy.ndarray", "nnlib.Tensor", "torch.Tensor")


def decode(encoded, _depth=0):
    """encode()'s output as a (kind, value) pair: value is a NumPy array for arrays and tensors, a Python
    number/bool/str/None, a list of pairs for a tuple or list, a dict of pairs for a dict, and None for a
    value the kernel could only name (its kind is then its type name). Raises BadReport on anything else."""
    if not isinstance(encoded, dict) or not isinstance(encoded.get("type"), str) or _depth > MAX_DEPTH + 1:
        raise BadReport("not a report value")
    kind = encoded["type"]
    try:
        if kind == "None":
            return kind, None
        if kind == "bool":
            if not isinstance(encoded["value"], bool):
                raise BadReport("a bool that is not true or false")
            return kind, encoded["value"]
        if kind == "int":
            return kind, int(str(encoded["value"]))
        if kind == "float":
            return kind, float.fromhex(str(encoded["value"]))
        if kind == "complex":
            re, im = encoded["value"]
            return kind, complex(float.fromhex(str(re)), float.fromhex(str(im)))
        if kind == "str":
            return kind, str(encoded["value"])
        if kind in TENSOR_KINDS and "data" in encoded:
            dtype = np.dtype(str(encoded["dtype"]))
            shape = tuple(int(n) for n in encoded["shape"])
            if dtype.kind not in ARRAY_KINDS or any(n < 0 for n in shape) or dtype.itemsize == 0 or len(shape) > 64:
                raise BadReport("an array with an unusable dtype or shape")
            raw = base64.b64decode(str(encoded["data"]), validate=True)
            if len(raw) != math.prod(shape) * dtype.itemsize:
                raise BadReport("an array whose data does not fit its shape")
            return kind, np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        if kind in ("tuple", "list"):
            return kind, [decode(v, _depth + 1) for v in list(encoded["items"])]
        if kind == "dict":
            return kind, {str(k): decode(v, _depth + 1) for k, v in dict(encoded["items"]).items()}
    except BadReport:
        raise
    except Exception as err:
        raise BadReport(f"a malformed {kind} ({type(err).__name__})") from None
    return kind, OPAQUE


OPAQUE = object()  # the value of something report() could only name by its type


FRIENDLY = {"None": "None", "int": "a number", "float": "a number", "numpy.ndarray": "a NumPy array",
            "nnlib.Tensor": "an nnlib Tensor", "torch.Tensor": "a torch Tensor"}


def _article(kind):
    return FRIENDLY.get(kind) or ("an " if kind[:1].lower() in "aeiou" else "a ") + kind


def compare(name, got, expected, rtol=RTOL, atol=ATOL, check_dtype=True):
    """Why the reported value `got` differs from the reference value `expected` (both as encode() gives
    them), in cmp() style, or "" when they agree: type first, then dtype, then shape, then values."""
    try:
        got = decode(got)
    except BadReport as err:
        return f"{name}: the value reported is not plain data ({err})"
    return _compare(name, got, decode(expected), rtol, atol, check_dtype)


def _exact_kind(kind, value):
    """'bool' or 'integer' for a bool or integer value (a Python one, or an array of that dtype), else None:
    what an expected value of that kind wants the reported value to be too, exactly."""
    if kind == "bool":
        return "bool"
    if kind == "int":
        return "integer"
    if kind in TENSOR_KINDS and isinstance(value, np.ndarray):
        return {"b": "bool", "i": "integer", "u": "integer"}.get(value.dtype.kind)
    return None


def _compare(name, got, want, rtol, atol, check_dtype):
    (got_kind, got_value), (want_kind, want_value) = got, want
    numbers = ("int", "float")
    scalars = ("bool", "int", "float", "complex")
    if got_value is not OPAQUE and want_value is not OPAQUE:
        # an integer or a bool is counted or decided, never approximated: 109387.0 is not 109386, nor 1.0 True
        want_exact, got_exact = _exact_kind(want_kind, want_value), _exact_kind(got_kind, got_value)
        if want_exact and got_exact != want_exact:
            what = {"bool": "a bool", "integer": "an integer", None: "a float" if got_kind == "float" else _article(got_kind)}
            shown = ((f"an array of dtype {got_value.dtype}" if got_value.ndim else f"a {got_value.dtype} number")
                     if isinstance(got_value, np.ndarray) else what[got_exact])
            wanted = what[want_exact] + (" array" if isinstance(want_value, np.ndarray) and want_value.ndim else "")
            return f"{name}: got {shown}, expected {wanted}"
    if ((want_kind in TENSOR_KINDS and got_kind in scalars) or (got_kind in TENSOR_KINDS and want_kind in scalars)) \
            and np.ndim(got_value) == np.ndim(want_value) == 0 and OPAQUE not in (got_value, want_value):
        # a number where a 0-d array was expected, or the other way round: compare the values only
        return compare_arrays(name, np.asarray(got_value), np.asarray(want_value), rtol, atol, False)
    if want_value is OPAQUE or got_value is OPAQUE or (
            got_kind != want_kind and not (got_kind in numbers and want_kind in numbers)):
        return f"{name}: got {_article(got_kind)}, expected {_article(want_kind)}"
    if want_kind in TENSOR_KINDS:
        return compare_arrays(name, got_value, want_value, rtol, atol, check_dtype)
    if want_kind == got_kind == "int":
        return "" if got_value == want_value else f"{name}: got {got_value!r}, expected {want_value!r}"
    if want_kind in numbers or want_kind == "complex":
        return compare_arrays(name, np.asarray(got_value), np.asarray(want_value), rtol, atol, False)
    if want_kind in ("tuple", "list"):
        if len(got_value) != len(want_value):
            return f"{name}: a {want_kind} of length {len(got_value)}, expected length {len(want_value)}"
        for k, (g, w) in enumerate(zip(got_value, want_value)):
            problem = _compare(f"{name}[{k}]", g, w, rtol, atol, check_dtype)
            if problem:
                return problem
        return ""
    if want_kind == "dict":
        missing, extra = sorted(set(want_value) - set(got_value)), sorted(set(got_value) - set(want_value))
        if missing or extra:
            return (f"{name}: the dict's keys differ" + (f"; missing {missing}" if missing else "")
                    + (f"; not expected {extra}" if extra else ""))
        for key in want_value:
            problem = _compare(f"{name}[{key!r}]", got_value[key], want_value[key], rtol, atol, check_dtype)
            if problem:
                return problem
        return ""
    return "" if got_value == want_value else f"{name}: got {got_value!r}, expected {want_value!r}"


def compare_arrays(name, got, want, rtol=RTOL, atol=ATOL, check_dtype=True):
    """cmp()-style difference of two arrays: dtype (with check_dtype), shape, then values; "" when they
    agree. Floats within |got - want| <= atol + rtol |want| (NaN equals NaN); integers, bools and strings
    exactly."""
    got, want = np.asarray(got), np.asarray(want)
    if check_dtype and got.dtype != want.dtype:
        return f"{name}: dtype {got.dtype}, expected {want.dtype}"
    if got.shape != want.shape:
        return f"{name}: shape {got.shape}, expected {want.shape}"
    kinds = got.dtype.kind + want.dtype.kind
    if "U" in kinds:
        bad = np.asarray(got != want) if got.dtype.kind == want.dtype.kind else np.ones(got.shape, bool)
    elif set(kinds) <= set("biu"):
        bad = got != want
    else:
        common = np.complex128 if "c" in kinds else np.float64
        with np.errstate(invalid="ignore", over="ignore"):
            bad = ~np.isclose(got.astype(common), want.astype(common), rtol=rtol, atol=atol, equal_nan=True)
    bad = np.asarray(bad)
    if not bad.any():
        return ""
    if bad.ndim == 0:
        return f"{name}: got {_show(got[()])}, expected {_show(want[()])}"
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return (f"{name}: {int(bad.sum())} of {bad.size} elements differ; first at index {index}: "
            f"got {_show(got[index])}, expected {_show(want[index])}")


def _show(x):
    x = x.item() if hasattr(x, "item") else x
    text = repr(x)
    return f"{x:.6g}" if isinstance(x, float) and len(text) > 12 else text


# ---- the in-notebook assertion ----

def check(name, actual, expected, *, rtol=RTOL, atol=ATOL):
    """Assert in the notebook that `actual` (the learner's value) is close to `expected`: the same shape
    and |actual - expected| <= atol + rtol |expected| elementwise (NaN equals NaN), else raise an
    AssertionError that says which value, which index, got and expected (cmp() style). Tensors of nnlib or
    torch, arrays, numbers and nested lists all compare by their values; dtypes are not compared here
    (report() has the grader compare them). This is the learner's hint and nbgrader's test; the grader's
    verdict comes from report()."""
    from nnlib.testing import _as_array
    got, want = _as_array(actual), _as_array(expected)
    if got.dtype.kind not in ARRAY_KINDS:
        raise AssertionError(f"{name}: got {_article(_type_name(actual))}, expected numbers")
    problem = compare_arrays(name, got, want, rtol, atol, check_dtype=False)
    if problem:
        raise AssertionError(problem)
