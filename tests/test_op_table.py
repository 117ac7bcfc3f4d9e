"""Every differentiable op, driven by tests/op_table.py: gradient check, PyTorch parity, coverage, and the
map of nnlib/ops/ (its __init__ docstring) naming every op next to its file."""
import re
from pathlib import Path

import numpy as np
import pytest

import nnlib
from op_table import OP_TABLE, sample
from parity import assert_close, run_both

CASES = [pytest.param(spec, shapes, id=f"{spec.id}-{'x'.join(map(str, shapes))}")
         for spec in OP_TABLE for shapes in spec.cases]


def missing_from_table(registered, table):
    """Names of registered ops that no table row exercises."""
    return sorted(set(registered) - {spec.name for spec in table})


def test_every_differentiable_op_has_a_row():
    assert missing_from_table(nnlib.DIFFERENTIABLE_OPS, OP_TABLE) == []


def test_coverage_check_notices_a_new_op():
    registered = dict(nnlib.DIFFERENTIABLE_OPS, softplus=lambda x: x)
    assert missing_from_table(registered, OP_TABLE) == ["softplus"]


def ops_map(doc):
    """{file: the op names its row lists} from the map in nnlib/ops/__init__.py's docstring: a row is a
    line that starts with a file name (then the idea the file holds), and its ops are on the indented
    lines below it."""
    rows, current = {}, None
    for line in doc.splitlines():
        start = re.match(r"(\w+\.py)\b", line)
        if start:
            current = rows.setdefault(start.group(1), set())
        elif current is not None and line.startswith(" ") and line.strip():
            current.update(re.findall(r"[A-Za-z_]\w*", line))
        else:
            current = None
    return rows


def misplaced_in_map(functions, rows):
    """'name (file)' for each function the map does not name in the row of the file that defines it."""
    return sorted(f"{name} ({fn.__module__.rsplit('.', 1)[-1]}.py)" for name, fn in functions.items()
                  if name not in rows.get(fn.__module__.rsplit(".", 1)[-1] + ".py", ()))


def listed_ops():
    """Every op: the registered differentiable ones, the non-differentiable ones, and every function that
    nnlib.ops exports (some are composed of other ops, so they need no backward and no registration)."""
    ops = dict(nnlib.DIFFERENTIABLE_OPS)
    ops.update({name: getattr(nnlib.ops, name) for name in nnlib.ops.NOT_DIFFERENTIABLE})
    ops.update({name: fn for name, fn in vars(nnlib.ops).items()
                if callable(fn) and not name.startswith("_") and getattr(fn, "__module__", "").startswith("nnlib.ops.")})
    return ops


def test_every_op_lives_in_nnlib_ops():
    outside = {name: fn.__module__ for name, fn in nnlib.DIFFERENTIABLE_OPS.items()
               if not fn.__module__.startswith("nnlib.ops.")}
    assert outside == {}, "every differentiable op belongs in a file of nnlib/ops/"


def test_the_ops_map_names_every_op_next_to_its_file():
    assert misplaced_in_map(listed_ops(), ops_map(nnlib.ops.__doc__)) == [], (
        "nnlib/ops/__init__.py's docstring must name each op in the row of the file that defines it")


def test_the_ops_map_has_a_row_for_every_file_and_no_other():
    files = {p.name for p in Path(nnlib.ops.__file__).parent.glob("*.py") if not p.name.startswith("_")}
    assert set(ops_map(nnlib.ops.__doc__)) == files


def test_the_ops_maps_marks_are_true():
    doc = nnlib.ops.__doc__
    assert set(re.findall(r"(\w+)\*", doc)) == set(nnlib.ops.NOT_DIFFERENTIABLE)  # * = not differentiable
    composed = set(re.findall(r"(\w+)\+", doc))  # + = composed of other ops: no backward of its own
    assert composed and not composed & set(nnlib.DIFFERENTIABLE_OPS) and all(hasattr(nnlib.ops, n) for n in composed)
    unmarked = {n for n in listed_ops() if n not in nnlib.DIFFERENTIABLE_OPS} - composed - set(nnlib.ops.NOT_DIFFERENTIABLE)
    assert unmarked == set(), "an op that is not registered must be marked * or +"


def test_the_map_check_notices_a_missing_or_misplaced_op():
    doc = "Ops.\n\nconv.py  windows\n    conv2d max_pool2d\nshape.py  shapes\n    reshape\n\nNot a row: sum\n"
    rows = ops_map(doc)
    assert rows == {"conv.py": {"conv2d", "max_pool2d"}, "shape.py": {"reshape"}}
    functions = {"conv2d": nnlib.nn.functional.conv2d, "sum": nnlib.ops.sum, "avg_pool2d": nnlib.nn.functional.avg_pool2d}
    assert misplaced_in_map(functions, rows) == ["avg_pool2d (conv.py)", "sum (reductions.py)"]
    assert misplaced_in_map({"reshape": nnlib.ops.max}, rows) == ["reshape (reductions.py)"]


def test_every_exported_function_that_builds_a_graph_is_registered():
    # an op that calls make_result but forgot @differentiable would escape the table
    for spec in OP_TABLE:
        for shapes in spec.cases:
            inputs = [nnlib.tensor(sample(s, spec.domain, np.random.default_rng(0)), requires_grad=True) for s in shapes]
            out = spec.fn(nnlib, *inputs)
            assert out.op in nnlib.DIFFERENTIABLE_OPS, f"{spec.id}: result made by unregistered op {out.op!r}"


@pytest.mark.parametrize("spec, shapes", CASES)
def test_gradcheck_float64(spec, shapes):
    rng = np.random.default_rng(1)
    grad_inputs = range(len(shapes)) if spec.grad_inputs is None else spec.grad_inputs
    inputs = [nnlib.tensor(sample(s, spec.domain, rng), requires_grad=k in grad_inputs) for k, s in enumerate(shapes)]
    assert nnlib.gradcheck(lambda *xs: spec.fn(nnlib, *xs), inputs)


@pytest.mark.parametrize("spec, shapes", CASES)
def test_parity_with_torch_float64(spec, shapes):
    rng = np.random.default_rng(2)
    arrays = [sample(s, spec.domain, rng) for s in shapes]
    out, expected, grads, expected_grads = run_both(spec.fn, arrays, spec.grad_inputs)
    assert_close(f"{spec.id} forward", out, expected, rtol=1e-10, atol=1e-12)
    for k, (g, eg) in enumerate(zip(grads, expected_grads)):
        assert_close(f"{spec.id} grad of input {k}", g, eg, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("spec, shapes", CASES)
def test_parity_with_torch_float32_keeps_dtype(spec, shapes):
    rng = np.random.default_rng(3)
    arrays = [sample(s, spec.domain, rng).astype(np.float32) for s in shapes]
    out, expected, grads, expected_grads = run_both(spec.fn, arrays, spec.grad_inputs)
    assert out.dtype == expected.dtype, f"{spec.id}: dtype {out.dtype}, torch gives {expected.dtype}"
    assert_close(f"{spec.id} forward", out, expected, rtol=1e-5, atol=1e-6)
    for k, (g, eg) in enumerate(zip(grads, expected_grads)):
        assert g.dtype == np.float32, f"{spec.id}: grad of input {k} has dtype {g.dtype}"
        assert_close(f"{spec.id} grad of input {k}", g, eg, rtol=1e-4, atol=1e-5)
