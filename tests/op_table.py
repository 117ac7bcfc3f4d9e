"""The op table: one row per differentiable nnlib op, driving every op test.

Each row's `fn(m, *xs)` is written once and run twice: with m = nnlib and with m = torch (and
nnlib / torch tensors as xs). That the same lambda runs on both is itself the API check:
moving from nnlib to PyTorch is a change of import. Adding an op to nnlib means adding a row here;
tests/test_op_table.py fails while a registered op has no row.

The rows come in one section per file of nnlib/ops/ (a `# ---- nnlib/ops/<file>.py` header), in the
order of the map in nnlib/ops/__init__.py's docstring; an op's rows go in the section of its file.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass
class OpSpec:
    name: str                 # the op's name in nnlib.DIFFERENTIABLE_OPS
    fn: Callable              # fn(m, *inputs), m is the nnlib or the torch module
    cases: list               # each case: a tuple of input shapes (broadcast pairs included)
    domain: str = "real"      # how to sample inputs: real, positive, nonzero
    label: str = ""           # tells rows of the same op apart in test ids
    grad_inputs: tuple = None  # which inputs get gradients (default: all)

    @property
    def id(self):
        return f"{self.name}-{self.label}" if self.label else self.name


def sample(shape, domain, rng):
    """Inputs in float64, away from the points where an op is not differentiable."""
    if domain == "positive":
        return rng.uniform(0.5, 2.0, size=shape)
    if domain == "nonzero":
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.3, 2.0, size=shape)
    return rng.standard_normal(size=shape)


def assigned(x, index, values):
    """`x[index] = values` on a copy of x (x itself is a leaf, which torch and nnlib refuse to change in place)."""
    y = x.clone()
    y[index] = values
    return y


UNARY_SHAPES = [((),), ((5,),), ((3, 4),), ((2, 3, 4),)]
BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((4, 1), (1, 5))]
REDUCE_SHAPES = [((5,),), ((3, 4),), ((2, 3, 4),), ((),)]  # not UNARY_SHAPES: test_op_properties expects those to keep shape

# ---- nnlib/ops/elementwise.py
OP_TABLE = [
    OpSpec("add", lambda m, a, b: a + b, BINARY_SHAPES),
    OpSpec("add", lambda m, a: 2.5 + a, UNARY_SHAPES, label="python-scalar"),
    OpSpec("sub", lambda m, a, b: a - b, BINARY_SHAPES),
    OpSpec("sub", lambda m, a: 1.0 - a, UNARY_SHAPES, label="rsub"),
    OpSpec("add", lambda m, a, b: a.add(b, alpha=2.5), BINARY_SHAPES, label="method-alpha"),
    OpSpec("add", lambda m, a, b: m.add(a, b), [((3, 4), (4,))], label="function"),
    OpSpec("sub", lambda m, a, b: a.sub(b), BINARY_SHAPES, label="method"),
    OpSpec("sub", lambda m, a, b: a.sub(b, alpha=-0.5), [((3, 4), (4,))], label="method-alpha"),
    OpSpec("mul", lambda m, a, b: a * b, BINARY_SHAPES),
    OpSpec("mul", lambda m, a, b: a.mul(b), BINARY_SHAPES, label="method"),
    OpSpec("div", lambda m, a, b: a / b, BINARY_SHAPES, domain="nonzero"),
    OpSpec("div", lambda m, a: 1.0 / a, UNARY_SHAPES, domain="nonzero", label="rdiv"),
    OpSpec("div", lambda m, a, b: a.div(b), BINARY_SHAPES, domain="nonzero", label="method"),
    OpSpec("pow", lambda m, a: a ** 3, UNARY_SHAPES, label="scalar-exponent"),
    OpSpec("pow", lambda m, a, b: a ** b, BINARY_SHAPES, domain="positive", label="tensor-exponent"),
    OpSpec("pow", lambda m, a: 2.0 ** a, UNARY_SHAPES, label="scalar-base"),
    OpSpec("pow", lambda m, a: m.pow(a, 2), UNARY_SHAPES, label="function"),
    OpSpec("pow", lambda m, a: a.pow(2.5), UNARY_SHAPES, domain="positive", label="method"),
    OpSpec("pow", lambda m, a, b: a.pow(b), [((3, 4), (4,))], domain="positive", label="method-tensor"),
    OpSpec("neg", lambda m, a: -a, UNARY_SHAPES),
    OpSpec("maximum", lambda m, a, b: m.maximum(a, b), BINARY_SHAPES),
    OpSpec("maximum", lambda m, a, b: m.max(a, b), [((3, 4), (4,))], label="max-of-two"),
    OpSpec("minimum", lambda m, a, b: m.minimum(a, b), BINARY_SHAPES),
    OpSpec("minimum", lambda m, a, b: a.min(b), [((3, 4), (4,))], label="min-of-two"),
    OpSpec("exp", lambda m, a: m.exp(a), UNARY_SHAPES),
    OpSpec("expm1", lambda m, a: m.expm1(a), UNARY_SHAPES),
    OpSpec("expm1", lambda m, a: (a * 1e-9).expm1(), [((5,),)], label="tiny-method"),
    OpSpec("log", lambda m, a: m.log(a), UNARY_SHAPES, domain="positive"),
    OpSpec("log1p", lambda m, a: m.log1p(a), UNARY_SHAPES, domain="positive"),
    OpSpec("log1p", lambda m, a: (a.sigmoid() - 0.99).log1p(), [((3, 4),)], label="near-minus-one-method"),
    OpSpec("sin", lambda m, a: m.sin(a), UNARY_SHAPES),
    OpSpec("sin", lambda m, a: (3 * a).sin(), [((3, 4),)], label="method"),
    OpSpec("cos", lambda m, a: m.cos(a), UNARY_SHAPES),
    OpSpec("cos", lambda m, a: (3 * a).cos(), [((3, 4),)], label="method"),
    OpSpec("sqrt", lambda m, a: m.sqrt(a), UNARY_SHAPES, domain="positive"),
    OpSpec("abs", lambda m, a: m.abs(a), UNARY_SHAPES, domain="nonzero"),
    OpSpec("sign", lambda m, a: m.sign(a), UNARY_SHAPES, domain="nonzero"),
    OpSpec("sign", lambda m, a: a.sign() * a, [((3, 4),)], domain="nonzero", label="times-x-method"),
    OpSpec("square", lambda m, a: m.square(a), UNARY_SHAPES),
    OpSpec("square", lambda m, a: a.square(), [((3, 4),)], label="method"),
    OpSpec("clamp", lambda m, a: m.clamp(a, min=-0.2, max=0.2), UNARY_SHAPES, domain="nonzero"),
    OpSpec("clamp", lambda m, a: a.clamp(min=0.5), UNARY_SHAPES, domain="nonzero", label="min-only"),
    OpSpec("clamp", lambda m, a: m.clip(a, -1.0, 1.0), UNARY_SHAPES, domain="nonzero", label="clip"),
    OpSpec("clamp", lambda m, a: a.clip(max=1.0), [((3, 4),)], domain="nonzero", label="clip-method"),
    OpSpec("to_dtype", lambda m, a: (a * 1).double(), UNARY_SHAPES),  # float64 input: .double() returns self, as torch
]

# ---- nnlib/ops/activations.py
OP_TABLE += [
    OpSpec("relu", lambda m, a: m.relu(a), UNARY_SHAPES, domain="nonzero"),
    OpSpec("sigmoid", lambda m, a: m.sigmoid(a), UNARY_SHAPES),
    OpSpec("tanh", lambda m, a: m.tanh(a), UNARY_SHAPES),
    OpSpec("gelu", lambda m, a: m.nn.functional.gelu(a), UNARY_SHAPES),
    OpSpec("gelu", lambda m, a: m.nn.functional.gelu(3 * a, approximate="tanh"), UNARY_SHAPES, label="tanh"),
    OpSpec("leaky_relu", lambda m, a: m.nn.functional.leaky_relu(a), UNARY_SHAPES, domain="nonzero"),
    OpSpec("leaky_relu", lambda m, a: m.nn.functional.leaky_relu(a, 0.2), [((3, 4),)], domain="nonzero", label="slope"),
    OpSpec("silu", lambda m, a: m.nn.functional.silu(a), UNARY_SHAPES),
    OpSpec("silu", lambda m, a: m.nn.functional.silu(4 * a), [((3, 4),)], label="wide"),
    OpSpec("softmax", lambda m, a: m.softmax(a, dim=-1), [((5,),), ((3, 4),), ((2, 3, 4),)]),
    OpSpec("softmax", lambda m, a: a.softmax(dim=0), [((3, 4),)], label="dim0"),
    OpSpec("softmax", lambda m, a: m.softmax(a, axis=1), [((3, 4),)], label="axis"),
    OpSpec("log_softmax", lambda m, a: m.log_softmax(a, dim=1), [((3, 4),), ((2, 3, 4),)]),
    OpSpec("logsumexp", lambda m, a: m.logsumexp(a, dim=1), [((3, 4),), ((2, 3, 4),)]),
    OpSpec("logsumexp", lambda m, a: a.logsumexp(dim=-1, keepdim=True), [((3, 4),)], label="keepdim"),
]

# ---- nnlib/ops/reductions.py
OP_TABLE += [
    OpSpec("sum", lambda m, a: a.sum(), UNARY_SHAPES, label="all"),
    OpSpec("sum", lambda m, a: a.sum(dim=1), [((3, 4),), ((2, 3, 4),)], label="dim"),
    OpSpec("sum", lambda m, a: a.sum(dim=(0, 2), keepdim=True), [((2, 3, 4),)], label="dims-keepdim"),
    OpSpec("sum", lambda m, a: a.sum(axis=1), [((3, 4),)], label="axis"),
    OpSpec("mean", lambda m, a: a.mean(), UNARY_SHAPES, label="all"),
    OpSpec("mean", lambda m, a: a.mean(dim=-1, keepdim=True), [((3, 4),), ((2, 3, 4),)], label="dim"),
    OpSpec("var", lambda m, a: a.var(), [((5,),), ((3, 4),)], label="all"),
    OpSpec("var", lambda m, a: a.var(dim=0), [((3, 4),), ((2, 3, 4),)], label="dim"),
    OpSpec("var", lambda m, a: a.var(dim=1, keepdim=True, correction=0), [((3, 4),)], label="biased"),
    OpSpec("var", lambda m, a: a.var(1, False), [((3, 4),)], label="positional-unbiased"),
    OpSpec("std", lambda m, a: a.std(), [((5,),), ((3, 4),)], label="all"),
    OpSpec("std", lambda m, a: a.std(dim=0), [((3, 4),), ((2, 3, 4),)], label="dim"),
    OpSpec("std", lambda m, a: m.std(a, dim=(0, 2), keepdim=True, correction=0), [((2, 3, 4),)], label="dims-keepdim-biased"),
    OpSpec("std", lambda m, a: a.std(1, unbiased=False), [((3, 4),)], label="unbiased-false"),
    OpSpec("std", lambda m, a: m.std(a, axis=-1), [((3, 4),)], label="axis"),
    OpSpec("max", lambda m, a: a.max(), UNARY_SHAPES, label="all"),
    OpSpec("max", lambda m, a: a.max(dim=1).values, [((3, 4),), ((2, 3, 4),)], label="dim"),
    OpSpec("max", lambda m, a: m.max(a, dim=0, keepdim=True).values, [((3, 4),)], label="keepdim"),
    OpSpec("min", lambda m, a: a.min(), REDUCE_SHAPES, label="all"),
    OpSpec("min", lambda m, a: a.min(dim=1).values, [((3, 4),), ((2, 3, 4),)], label="dim"),
    OpSpec("min", lambda m, a: m.min(a, dim=0, keepdim=True)[0], [((3, 4),)], label="keepdim"),
    OpSpec("min", lambda m, a: a.min(axis=-1).values, [((3, 4),)], label="axis"),
    OpSpec("norm", lambda m, a: a.norm(), REDUCE_SHAPES, label="fro"),
    OpSpec("norm", lambda m, a: m.norm(a, p=1), [((5,),), ((3, 4),)], domain="nonzero", label="p1"),
    OpSpec("norm", lambda m, a: a.norm(p=float("inf"), dim=1), [((3, 4),), ((2, 3, 4),)], label="inf-dim"),
    OpSpec("norm", lambda m, a: a.norm(p=-float("inf"), dim=0), [((3, 4),)], domain="nonzero", label="minus-inf"),
    OpSpec("norm", lambda m, a: a.norm(dim=-1, keepdim=True), [((3, 4),)], label="dim-keepdim"),
    OpSpec("norm", lambda m, a: a.norm(p="fro", dim=(1, 2)), [((2, 3, 4),)], label="fro-two-dims"),
    OpSpec("norm", lambda m, a: m.norm(a, p=3, dim=1), [((3, 4),)], label="p3"),
    OpSpec("norm", lambda m, a: a.norm(p=0.5, dim=0), [((3, 4),)], domain="nonzero", label="p-half"),
    OpSpec("cumsum", lambda m, a: a.cumsum(dim=0), [((5,),), ((3, 4),), ((2, 3, 4),)]),
    OpSpec("cumsum", lambda m, a: m.cumsum(a, -1), [((3, 4),), ((2, 3, 4),)], label="last-dim"),
    OpSpec("cumsum", lambda m, a: a.cumsum(1, dtype=m.float64), [((3, 4),)], label="dtype"),
    OpSpec("prod", lambda m, a: a.prod(), REDUCE_SHAPES, domain="nonzero", label="all"),
    OpSpec("prod", lambda m, a: m.prod(a, 1), [((3, 4),), ((2, 3, 4),)], label="dim"),
    OpSpec("prod", lambda m, a: a.prod(dim=0, keepdim=True), [((3, 4),)], label="keepdim"),
    OpSpec("prod", lambda m, a: (a * m.tensor([1.0, 0.0, 1.0, 1.0])).prod(dim=1), [((3, 4),)], label="one-zero"),
    OpSpec("prod", lambda m, a: (a * m.tensor([0.0, 1.0, 0.0, 1.0])).prod(dim=1), [((3, 4),)], label="two-zeros"),
    OpSpec("prod", lambda m, a: (a * m.tensor([1.0, 0.0, 1.0])).prod(), [((3,),)], label="all-one-zero"),
]

# ---- nnlib/ops/shape.py
OP_TABLE += [
    OpSpec("reshape", lambda m, a: a.reshape(4, 3), [((3, 4),), ((2, 6),)]),
    OpSpec("reshape", lambda m, a: a.view(-1), [((3, 4),), ((2, 3, 4),)], label="view"),
    OpSpec("transpose", lambda m, a: a.transpose(0, -1), [((3, 4),), ((2, 3, 4),)]),
    OpSpec("transpose", lambda m, a: a.T, [((3, 4),)], label="T"),
    OpSpec("permute", lambda m, a: a.permute(2, 0, 1), [((2, 3, 4),)]),
    OpSpec("squeeze", lambda m, a: a.squeeze(), [((1, 3, 1, 4),)]),
    OpSpec("squeeze", lambda m, a: a.squeeze(2), [((1, 3, 1, 4),)], label="dim"),
    OpSpec("unsqueeze", lambda m, a: a.unsqueeze(1), [((3, 4),), ((5,),)]),
    OpSpec("unsqueeze", lambda m, a: a.unsqueeze(-1), [((3, 4),)], label="negative"),
    OpSpec("flatten", lambda m, a: a.flatten(), [((2, 3, 4),)]),
    OpSpec("flatten", lambda m, a: a.flatten(1), [((2, 3, 4),)], label="start-dim"),
    OpSpec("expand", lambda m, a: a.expand(3, 4), [((4,),), ((3, 1),), ((1, 4),), ((),)]),
    OpSpec("expand", lambda m, a: a.expand(2, -1, 4) * 2, [((3, 1),)], label="minus-one-new-dim"),
    OpSpec("expand", lambda m, a, b: a.expand_as(b), [((3, 1), (2, 3, 4))], grad_inputs=(0,), label="expand-as"),
    OpSpec("repeat", lambda m, a: a.repeat(2, 3), [((3, 4),), ((),)]),
    OpSpec("repeat", lambda m, a: a.repeat(2, 1, 2), [((3, 4),)], label="new-dim"),
    OpSpec("repeat", lambda m, a: a.repeat(3), [((5,),)], label="1d"),
    OpSpec("clone", lambda m, a: a.clone() * a, UNARY_SHAPES),
]

# ---- nnlib/ops/indexing.py
OP_TABLE += [
    OpSpec("getitem", lambda m, a: a[1:, ::2], [((4, 5),)], label="slices"),
    OpSpec("getitem", lambda m, a: a[1], [((4, 5),), ((3, 4, 2),)], label="int"),
    OpSpec("getitem", lambda m, a: a[[0, 2, 2, 1]], [((4, 5),)], label="int-array-with-repeats"),
    OpSpec("getitem", lambda m, a: a[[0, 1, 1], [2, 0, 0]], [((3, 4),)], label="two-int-arrays"),
    OpSpec("getitem", lambda m, a: a[:, None, ..., -1], [((3, 4, 2),)], label="none-ellipsis"),
    OpSpec("getitem", lambda m, a: a[a > 0], [((3, 4),)], label="bool-mask"),
    OpSpec("index_put", lambda m, a, v: assigned(a, (slice(None), 1), v), [((3, 4), (3,)), ((3, 4), ())], label="column"),
    OpSpec("index_put", lambda m, a, v: assigned(a, m.tensor([2, 0]), v), [((4, 3), (2, 3)), ((4, 3), (3,))], label="rows"),
    OpSpec("index_put", lambda m, a: assigned(a, a > 0, 0.0), [((3, 4),)], label="mask-scalar", domain="nonzero"),
]

# ---- nnlib/ops/selection.py
OP_TABLE += [
    OpSpec("gather", lambda m, a: a.gather(1, m.tensor([[0, 2], [1, 1], [3, 0]])), [((3, 4),)]),
    OpSpec("gather", lambda m, a: m.gather(a, 0, m.tensor([[2, 0, 1, 1], [2, 2, 0, 1]])), [((3, 4),)], label="dim0-repeats"),
    OpSpec("gather", lambda m, a: a.gather(2, m.tensor([[[1], [0], [3]], [[0], [0], [1]]])), [((2, 3, 4),)], label="3d"),
    # src as large as index: torch's backward fails for a larger src (nnlib's handles it: test_torch_api_ops.py)
    OpSpec("scatter", lambda m, a, b: a.scatter(1, m.tensor([[0, 2], [1, 3], [3, 0]]), b), [((3, 4), (3, 2))]),
    OpSpec("scatter", lambda m, a: a.scatter(1, m.tensor([[0], [2], [1]]), 0.5), [((3, 4),)], label="value"),
    OpSpec("scatter", lambda m, a, b: m.scatter(a, 0, m.tensor([[2, 0, 1, 0], [1, 2, 0, 2]]), b), [((3, 4), (2, 4))],
           label="function-dim0"),
    OpSpec("scatter_add", lambda m, a, b: a.scatter_add(1, m.tensor([[0, 0], [1, 3], [2, 2]]), b), [((3, 4), (3, 2))]),
    OpSpec("scatter_add", lambda m, a, b: m.scatter_add(a, 0, m.tensor([[0, 1, 0, 2], [0, 0, 1, 2]]), b), [((3, 4), (2, 4))],
           label="function-dim0"),
    OpSpec("masked_fill", lambda m, a: a.masked_fill(m.tensor([True, False, True, False]), -1.5), [((3, 4),), ((2, 3, 4),)]),
    OpSpec("masked_fill", lambda m, a, v: m.masked_fill(a, m.tensor([[True, False, False, True]]), v), [((3, 4), ())],
           label="tensor-value"),
    OpSpec("masked_fill", lambda m, a: a.masked_fill(m.tensor([[True, False, False], [False, True, False]]), 2.0), [((3,),)],
           label="mask-broadcasts-x"),
    OpSpec("masked_fill", lambda m, a: a.masked_fill(m.tensor([False, True, True, False]), float("-inf")).softmax(dim=-1),
           [((3, 4),)], label="attention-mask"),
    OpSpec("tril", lambda m, a: a.tril(), [((4, 4),), ((3, 5),), ((2, 3, 4),)]),
    OpSpec("tril", lambda m, a: m.tril(a, -1), [((4, 4),)], label="below"),
    OpSpec("tril", lambda m, a: a.tril(diagonal=2), [((3, 5),)], label="above"),
    OpSpec("triu", lambda m, a: a.triu(), [((4, 4),), ((3, 5),), ((2, 3, 4),)]),
    OpSpec("triu", lambda m, a: m.triu(a, 1), [((4, 4),)], label="above"),
    OpSpec("triu", lambda m, a: a.triu(diagonal=-1), [((5, 3),)], label="below"),
]

# ---- nnlib/ops/sorting.py
OP_TABLE += [
    OpSpec("sort", lambda m, a: a.sort().values, [((5,),), ((3, 4),), ((2, 3, 4),), ((),)]),
    OpSpec("sort", lambda m, a: a.sort(dim=0, descending=True).values, [((3, 4),)], label="descending-dim0"),
    OpSpec("sort", lambda m, a: m.sort(a, 1)[0], [((2, 3, 4),)], label="function"),
    OpSpec("topk", lambda m, a: a.topk(2).values, [((5,),), ((3, 4),)]),
    OpSpec("topk", lambda m, a: a.topk(2, dim=0, largest=False).values, [((3, 4),)], label="smallest-dim0"),
    OpSpec("topk", lambda m, a: m.topk(a, 3, 1)[0], [((2, 4, 5),)], label="function"),
]

# ---- nnlib/ops/join.py
OP_TABLE += [
    OpSpec("cat", lambda m, a, b: m.cat([a, b], dim=1), [((3, 4), (3, 2)), ((2, 1, 3), (2, 5, 3))]),
    OpSpec("cat", lambda m, a, b: m.cat([a, b, a]), [((2, 3), (4, 3))], label="reused-input"),
    OpSpec("cat", lambda m, a, b: m.cat([a, b], axis=1), [((3, 4), (3, 2))], label="axis"),
    OpSpec("stack", lambda m, a, b: m.stack([a, b], dim=1), [((3, 4), (3, 4)), ((5,), (5,))]),
    OpSpec("pad", lambda m, a: m.nn.functional.pad(a, (1, 2)), [((3, 4),)], label="last-dim"),
    OpSpec("pad", lambda m, a: m.nn.functional.pad(a, (1, 0, 2, 1), value=0.5), [((2, 3, 4),)], label="two-dims"),
    OpSpec("where", lambda m, a, b: m.where(a > 0, a, b), BINARY_SHAPES),
]

# ---- nnlib/ops/linalg.py
OP_TABLE += [
    OpSpec("matmul", lambda m, a, b: a @ b,
           [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (3, 4, 2)), ((4,), (4, 5)),
            ((3, 4), (4,)), ((4,), (4,)), ((4,), (2, 4, 3))]),
    OpSpec("matmul", lambda m, a, b: m.matmul(a, b), [((2, 3), (3, 2))], label="function"),
    OpSpec("outer", lambda m, a, b: m.outer(a, b), [((4,), (3,)), ((1,), (5,))]),
    OpSpec("outer", lambda m, a, b: a.outer(b), [((2,), (3,))], label="method"),
    OpSpec("einsum", lambda m, a, b: m.einsum("ij,jk->ik", a, b), [((3, 4), (4, 5))], label="matmul"),
    OpSpec("einsum", lambda m, a, b: m.einsum("ij,jk", a, b), [((3, 4), (4, 5))], label="implicit"),
    OpSpec("einsum", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), [((2, 3, 4), (2, 4, 5))], label="batched"),
    OpSpec("einsum", lambda m, a, b: m.einsum("i,i->", a, b), [((4,), (4,))], label="dot"),
    OpSpec("einsum", lambda m, a, b: m.einsum("i,j->ij", a, b), [((4,), (3,))], label="outer"),
    OpSpec("einsum", lambda m, a, b: m.einsum("bi,bj->bij", a, b), [((2, 4), (2, 3))], label="batched-outer"),
    OpSpec("einsum", lambda m, a: m.einsum("ij->ji", a), [((3, 4),)], label="transpose"),
    OpSpec("einsum", lambda m, a: m.einsum("ijk->", a), [((2, 3, 4),)], label="sum-all"),
    OpSpec("einsum", lambda m, a: m.einsum("ii->i", a), [((3, 3),)], label="diagonal"),
    OpSpec("einsum", lambda m, a: m.einsum("ii", a), [((3, 3),)], label="trace"),
    OpSpec("einsum", lambda m, a: m.einsum("iij->ji", a), [((3, 3, 2),)], label="diagonal-of-3d"),
    OpSpec("einsum", lambda m, a, b: m.einsum("ii,i->i", a, b), [((3, 3), (3,))], label="diagonal-times-vector"),
    OpSpec("einsum", lambda m, a, b: m.einsum("ij,kj->", a, b), [((3, 4), (2, 4))], label="summed-letter-in-both"),
    OpSpec("einsum", lambda m, a, b: m.einsum("ij,k->i", a, b), [((3, 4), (2,))], label="letters-only-in-one"),
    OpSpec("einsum", lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b), [((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2))],
           label="ellipsis-broadcast"),
    OpSpec("einsum", lambda m, a: m.einsum("b...->...b", a), [((2, 3, 4),)], label="ellipsis-move"),
    OpSpec("einsum", lambda m, a, b: m.einsum("ij,ij->ij", a, b), [((1, 3), (2, 3)), ((2, 1), (2, 3))], label="size-1-broadcast"),
    OpSpec("einsum", lambda m, a, b, c: m.einsum("ij,jk,kl->il", a, b, c), [((2, 3), (3, 4), (4, 5))], label="three-operands"),
    OpSpec("einsum", lambda m, a, b: m.einsum("i j , j k -> i k", a, b), [((2, 3), (3, 4))], label="spaces"),
    OpSpec("einsum", lambda m, a, b: m.einsum("ij,jk", [a, b]), [((2, 3), (3, 4))], label="list-of-operands"),
    OpSpec("linear", lambda m, x, w, b: m.nn.functional.linear(x, w, b), [((5, 4), (3, 4), (3,)), ((2, 5, 4), (3, 4), (3,)), ((4,), (3, 4), (3,))]),
    OpSpec("linear", lambda m, x, w: m.nn.functional.linear(x, w), [((5, 4), (3, 4))], label="no-bias"),
]

# ---- nnlib/ops/conv.py
# Convolution and pooling (nnlib/ops/conv.py): stride 1 and 2, padding 0 and 1, square and non-square
# kernels, batch 1 and > 1, 1 and 3 channels, unbatched (C, H, W) input; weight (C_out, C_in / groups, kH, kW).
OP_TABLE += [
    OpSpec("conv2d", lambda m, x, w, b: m.nn.functional.conv2d(x, w, b),
           [((2, 3, 5, 5), (4, 3, 3, 3), (4,)), ((1, 1, 4, 4), (2, 1, 3, 3), (2,))]),
    OpSpec("conv2d", lambda m, x, w, b: m.nn.functional.conv2d(x, w, b, stride=2, padding=1),
           [((2, 3, 6, 5), (2, 3, 3, 3), (2,)), ((1, 1, 5, 5), (3, 1, 3, 3), (3,))], label="stride2-pad1"),
    OpSpec("conv2d", lambda m, x, w: m.nn.functional.conv2d(x, w, stride=(2, 1), padding=(1, 0)),
           [((2, 3, 5, 6), (2, 3, 2, 3)), ((1, 1, 4, 5), (3, 1, 3, 2))], label="non-square-no-bias"),
    OpSpec("conv2d", lambda m, x, w, b: m.nn.functional.conv2d(x, w, b, padding=1),
           [((3, 4, 4), (2, 3, 3, 3), (2,))], label="unbatched"),
    # dilation and groups: weight (C_out, C_in / groups, kH, kW); groups = C_in is depthwise
    OpSpec("conv2d", lambda m, x, w, b: m.nn.functional.conv2d(x, w, b, dilation=2),
           [((2, 2, 6, 7), (3, 2, 3, 3), (3,)), ((1, 1, 5, 6), (2, 1, 2, 3), (2,))], label="dilation2"),
    OpSpec("conv2d", lambda m, x, w: m.nn.functional.conv2d(x, w, stride=2, padding=(2, 1), dilation=(2, 1)),
           [((2, 2, 7, 6), (3, 2, 3, 3))], label="dilation-stride2-pad"),
    OpSpec("conv2d", lambda m, x, w, b: m.nn.functional.conv2d(x, w, b, groups=2),
           [((2, 4, 5, 5), (6, 2, 3, 3), (6,)), ((1, 2, 4, 4), (2, 1, 2, 2), (2,))], label="groups2"),
    OpSpec("conv2d", lambda m, x, w, b: m.nn.functional.conv2d(x, w, b, stride=(1, 2), padding=1, groups=2),
           [((2, 4, 5, 6), (4, 2, 3, 3), (4,))], label="groups2-stride-pad"),
    OpSpec("conv2d", lambda m, x, w, b: m.nn.functional.conv2d(x, w, b, padding=1, groups=3),
           [((2, 3, 5, 5), (3, 1, 3, 3), (3,)), ((2, 3, 4, 5), (6, 1, 3, 2), (6,))], label="depthwise"),
    OpSpec("conv2d", lambda m, x, w: m.nn.functional.conv2d(x, w, stride=2, padding=2, dilation=2, groups=3),
           [((2, 3, 7, 6), (6, 1, 3, 3)), ((3, 7, 7), (3, 1, 2, 3))], label="depthwise-dilation-stride-pad"),
    OpSpec("conv2d", lambda m, x, w, b: m.nn.functional.conv2d(x, w, b, padding="same", dilation=(1, 2), groups=2),
           [((2, 4, 5, 6), (2, 2, 3, 3), (2,)), ((1, 2, 5, 6), (2, 1, 2, 4), (2,))], label="padding-same"),
    OpSpec("conv2d", lambda m, x, w: m.nn.functional.conv2d(x, w, padding="valid"), [((1, 2, 4, 5), (3, 2, 3, 2))],
           label="padding-valid"),
    OpSpec("max_pool2d", lambda m, x: m.nn.functional.max_pool2d(x, 2), [((2, 3, 4, 4),), ((1, 1, 5, 5),)]),
    OpSpec("max_pool2d", lambda m, x: m.nn.functional.max_pool2d(x, 3, stride=1), [((1, 3, 5, 4),)], label="overlapping"),
    OpSpec("max_pool2d", lambda m, x: m.nn.functional.max_pool2d(x, (3, 2), stride=(2, 1), padding=1),
           [((2, 1, 5, 4),)], label="non-square-pad1"),
    OpSpec("max_pool2d", lambda m, x: m.nn.functional.max_pool2d(x, 2, padding=1), [((3, 4, 5),)], label="unbatched"),
    OpSpec("max_pool2d", lambda m, x: m.nn.functional.max_pool2d(x, 3, stride=1, padding=1, dilation=2),
           [((2, 2, 6, 7),)], label="dilation2"),
    OpSpec("max_pool2d", lambda m, x: m.nn.functional.max_pool2d(x, (2, 3), stride=2, dilation=(3, 1)),
           [((1, 2, 7, 7),)], label="dilation-non-square"),
    OpSpec("avg_pool2d", lambda m, x: m.nn.functional.avg_pool2d(x, 2), [((2, 3, 4, 4),), ((1, 1, 5, 5),)]),
    OpSpec("avg_pool2d", lambda m, x: m.nn.functional.avg_pool2d(x, 3, stride=1), [((1, 3, 5, 4),)], label="overlapping"),
    OpSpec("avg_pool2d", lambda m, x: m.nn.functional.avg_pool2d(x, (3, 2), stride=(2, 1), padding=1),
           [((2, 1, 5, 4),)], label="non-square-pad1"),
    OpSpec("avg_pool2d", lambda m, x: m.nn.functional.avg_pool2d(x, 2, padding=1), [((3, 4, 5),)], label="unbatched"),
    # adaptive: bins [floor(i H / OH), ceil((i + 1) H / OH)) overlap when OH does not divide H
    OpSpec("adaptive_avg_pool2d", lambda m, x: m.nn.functional.adaptive_avg_pool2d(x, (3, 2)),
           [((2, 3, 5, 7),), ((1, 2, 6, 4),)], label="non-divisible"),
    OpSpec("adaptive_avg_pool2d", lambda m, x: m.nn.functional.adaptive_avg_pool2d(x, 1), [((2, 3, 5, 4),)], label="global"),
    OpSpec("adaptive_avg_pool2d", lambda m, x: m.nn.functional.adaptive_avg_pool2d(x, (None, 3)), [((3, 4, 7),)],
           label="unbatched-none-keeps-height"),
    OpSpec("adaptive_avg_pool2d", lambda m, x: m.nn.functional.adaptive_avg_pool2d(x, (4, 5)), [((1, 2, 3, 2),)],
           label="larger-than-input"),
]  # conv and pooling

# ---- nnlib/ops/embedding.py
# Embedding lookup: the ids are made inside the lambda, so the same code builds an nnlib or a torch tensor.
OP_TABLE += [
    OpSpec("embedding", lambda m, w: m.nn.functional.embedding(m.tensor([[0, 2, 2], [4, 0, 1]]), w), [((5, 3),)]),
    # padding_idx hides row 3's effect from the gradient on purpose, so finite differences must not see it either:
    # the padded positions' outputs are multiplied by 0 here (torch parity of the unmasked form: test_norm_attention.py)
    OpSpec("embedding", lambda m, w: m.nn.functional.embedding(m.tensor([3, 1, 3, 0]), w, padding_idx=3)
           * (m.tensor([3, 1, 3, 0]) != 3).unsqueeze(-1), [((4, 2),)], label="padding-idx"),
]

# ---- nnlib/ops/normalization.py
# Normalisation: affine and not, one and two normalised dimensions, batch_norm on (N, C), (N, C, L),
# (N, C, H, W) in training and eval mode.
OP_TABLE += [
    OpSpec("layer_norm", lambda m, x, w, b: m.nn.functional.layer_norm(x, (4,), w, b), [((3, 4), (4,), (4,)), ((2, 3, 4), (4,), (4,))]),
    OpSpec("layer_norm", lambda m, x, w, b: m.nn.functional.layer_norm(x, (3, 4), w, b, eps=1e-3), [((2, 3, 4), (3, 4), (3, 4))], label="two-dims"),
    OpSpec("layer_norm", lambda m, x: m.nn.functional.layer_norm(x, (5,)), [((5,),), ((3, 5),)], label="no-affine"),
    OpSpec("batch_norm", lambda m, x, w, b: m.nn.functional.batch_norm(x, None, None, w, b, training=True),
           [((5, 3), (3,), (3,)), ((4, 3, 5), (3,), (3,)), ((2, 3, 2, 2), (3,), (3,))], label="training"),
    OpSpec("batch_norm", lambda m, x: m.nn.functional.batch_norm(x, m.zeros(3, dtype=x.dtype), m.ones(3, dtype=x.dtype), training=True, momentum=0.2),
           [((4, 3),)], label="training-running-stats-no-affine"),
    OpSpec("batch_norm", lambda m, x, w, b: m.nn.functional.batch_norm(x, m.linspace(-0.5, 0.5, 3).to(x.dtype), m.linspace(0.5, 2.0, 3).to(x.dtype), w, b),
           [((5, 3), (3,), (3,)), ((2, 3, 2, 2), (3,), (3,))], label="eval"),
]

# ---- nnlib/ops/recurrent.py
# Recurrent cells (nnlib/ops/recurrent.py), torch.lstm_cell / torch.gru_cell's signature; torch keeps them at
# its top level, nnlib in nn.functional. LSTM's (h', c') are joined with cat so both outputs are checked.
OP_TABLE += [
    OpSpec("lstm_cell", lambda m, x, h, c, w_ih, w_hh, b_ih, b_hh: m.cat(
        (m if m.__name__ == "torch" else m.nn.functional).lstm_cell(x, (h, c), w_ih, w_hh, b_ih, b_hh), dim=1),
        [((3, 4), (3, 5), (3, 5), (20, 4), (20, 5), (20,), (20,)), ((1, 2), (1, 3), (1, 3), (12, 2), (12, 3), (12,), (12,))]),
    OpSpec("lstm_cell", lambda m, x, h, c, w_ih, w_hh: m.cat(
        (m if m.__name__ == "torch" else m.nn.functional).lstm_cell(x, (h, c), w_ih, w_hh), dim=1),
        [((3, 4), (3, 5), (3, 5), (20, 4), (20, 5))], label="no-bias"),
    OpSpec("gru_cell", lambda m, x, h, w_ih, w_hh, b_ih, b_hh: (m if m.__name__ == "torch" else m.nn.functional).gru_cell(
        x, h, w_ih, w_hh, b_ih, b_hh), [((3, 4), (3, 5), (15, 4), (15, 5), (15,), (15,)), ((1, 2), (1, 3), (9, 2), (9, 3), (9,), (9,))]),
    OpSpec("gru_cell", lambda m, x, h, w_ih, w_hh: (m if m.__name__ == "torch" else m.nn.functional).gru_cell(x, h, w_ih, w_hh),
           [((3, 4), (3, 5), (15, 4), (15, 5))], label="no-bias"),
    OpSpec("gru_cell", lambda m, x, h, w_ih, w_hh, b_ih, b_hh: (m if m.__name__ == "torch" else m.nn.functional).gru_cell(
        x, h, w_ih, w_hh, b_ih, b_hh), [((3, 4), (3, 5), (15, 4), (15, 5), (15,), (15,))], label="state-only-grad", grad_inputs=(1,)),
]  # recurrent cells

# ---- nnlib/ops/losses.py
# Losses. Targets that are not differentiated (class indices) are made inside the lambda, so the
# same code builds an nnlib or a torch tensor.
OP_TABLE += [
    OpSpec("mse_loss", lambda m, x, y: m.nn.functional.mse_loss(x, y), [((4, 3), (4, 3)), ((5,), (5,))]),
    OpSpec("mse_loss", lambda m, x, y: m.nn.functional.mse_loss(x, y, reduction="none"), [((4, 3), (4, 3))], label="none"),
    OpSpec("l1_loss", lambda m, x, y: m.nn.functional.l1_loss(x, y, reduction="sum"), [((4, 3), (4, 3))]),
    OpSpec("binary_cross_entropy", lambda m, p: m.nn.functional.binary_cross_entropy(p.sigmoid(), (p > 0).to(p.dtype)),
           [((6,),), ((3, 4),)], domain="nonzero"),
    OpSpec("binary_cross_entropy", lambda m, p, y: m.nn.functional.binary_cross_entropy(p.sigmoid(), y.sigmoid(), reduction="none"),
           [((3, 4), (3, 4))], label="soft-targets", grad_inputs=(0,)),
    OpSpec("binary_cross_entropy_with_logits",
           lambda m, z, y: m.nn.functional.binary_cross_entropy_with_logits(z, y.sigmoid()), [((6,), (6,)), ((3, 4), (3, 4))]),
    OpSpec("cross_entropy", lambda m, z: m.nn.functional.cross_entropy(z, m.tensor([0, 3, 1, 3, 2])), [((5, 4),)]),
    OpSpec("cross_entropy", lambda m, z: m.nn.functional.cross_entropy(z, m.tensor([2, 0, 2]), reduction="none"), [((3, 3),)], label="none"),
    OpSpec("cross_entropy", lambda m, z: m.nn.functional.cross_entropy(z, m.tensor([1, 0]), reduction="sum"), [((2, 6),)], label="sum"),
    OpSpec("nll_loss", lambda m, z: m.nn.functional.nll_loss(z.log_softmax(dim=1), m.tensor([0, 3, 1, 3, 2])), [((5, 4),)]),
]
