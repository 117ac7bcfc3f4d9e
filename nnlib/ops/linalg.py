"""Matrix multiplication, including batched and 1-D operands (numpy.matmul's rules); outer products; einsum."""
import collections
import string

import numpy as np

from ..autograd import differentiable, unbroadcast
from ..tensor import make_result
from ._common import as_operand, as_operand_pair, broadcast_shape, cast, check_same_dtype, result_type


def _check_matmul_shapes(a_shape, b_shape):
    if len(a_shape) == 0 or len(b_shape) == 0:
        raise ValueError(f"matmul: both operands need at least 1 dimension, got shapes {a_shape} and {b_shape}")
    inner_a = a_shape[-1]
    inner_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if inner_a != inner_b:
        raise ValueError(
            f"matmul: shapes {a_shape} and {b_shape} are not aligned: the last dimension of the first "
            f"({inner_a}) must equal the {'only' if len(b_shape) == 1 else 'second-to-last'} dimension "
            f"of the second ({inner_b})"
        )
    broadcast_shape("matmul (batch dimensions)", a_shape[:-2], b_shape[:-2])


@differentiable
def matmul(a, b):
    """Y = A B;  dL/dA = dL/dY B^T,  dL/dB = A^T dL/dY  (summed over broadcast batch dimensions).

    A 1-D A is treated as a row (1, n) and a 1-D B as a column (n, 1), and that extra
    dimension is removed from the result, exactly as numpy.matmul and torch.matmul do.
    """
    a, b = as_operand_pair(a, b)
    _check_matmul_shapes(a.shape, b.shape)
    check_same_dtype("matmul", a, b)
    out = np.matmul(a.data, b.data)

    def backward(g):
        a2 = a.data[None, :] if a.ndim == 1 else a.data
        b2 = b.data[:, None] if b.ndim == 1 else b.data
        if b.ndim == 1:
            g = g[..., None]
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        grad_a = unbroadcast(g @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape) if a.requires_grad else None
        grad_b = unbroadcast(np.swapaxes(a2, -1, -2) @ g, b2.shape).reshape(b.shape) if b.requires_grad else None
        return grad_a, grad_b
    return make_result(out, (a, b), backward, "matmul")


@differentiable
def linear(input, weight, bias=None):
    """y = x W^T + b, with W of shape (out_features, in_features) as in PyTorch, and x of shape (..., in_features).

    dL/dx = dL/dy W,   dL/dW = (dL/dy)^T x,   dL/db = sum over rows of dL/dy
    (the rows of every leading dimension of x count as one batch). One node instead of
    transpose + matmul + add: fewer temporaries, and dL/dW comes out in W's own layout.
    """
    x, weight = as_operand_pair(input, weight)
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} needs {weight.shape[1] if weight.ndim == 2 else '?'} "
                         f"features in its last dimension to match weight of shape {weight.shape} (out, in)")
    check_same_dtype("linear (input and weight)", x, weight)
    parents = (x, weight) if bias is None else (x, weight, as_operand(bias, like=weight))
    if bias is not None and parents[2].shape != (weight.shape[0],):
        raise ValueError(f"linear: bias has shape {parents[2].shape}, expected ({weight.shape[0]},)")
    if bias is not None:
        check_same_dtype("linear (weight and bias)", weight, parents[2])
    out = x.data @ weight.data.T
    if bias is not None:
        out += parents[2].data

    def backward(g):
        rows_g, rows_x = g.reshape(-1, g.shape[-1]), x.data.reshape(-1, x.shape[-1])
        grad_x = g @ weight.data if x.requires_grad else None
        grad_w = rows_g.T @ rows_x if weight.requires_grad else None
        if bias is None:
            return grad_x, grad_w
        return grad_x, grad_w, rows_g.sum(axis=0) if parents[2].requires_grad else None
    return make_result(out, parents, backward, "linear", saved=(x, weight))  # backward never reads the bias


def mm(a, b):
    """torch.mm: the product of two 2-D tensors (matmul, refusing other shapes as torch does)."""
    a, b = as_operand_pair(a, b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"mm: both operands must be 2-D, got shapes {a.shape} and {b.shape} (matmul takes any)")
    return matmul(a, b)


def bmm(a, b):
    """torch.bmm: batched products of two 3-D tensors with the same batch size (no broadcasting)."""
    a, b = as_operand_pair(a, b)
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: expected two 3-D tensors with the same batch size, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def dot(a, b):
    """torch.dot: the inner product of two 1-D tensors of the same length."""
    a, b = as_operand_pair(a, b)
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"dot: expected two 1-D tensors of the same length, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


@differentiable
def outer(a, b):
    """Y = a b^T for 1-D a and b, i.e. Y[i, j] = a[i] b[j];  dL/da = dL/dY b,  dL/db = (dL/dY)^T a."""
    a, b = as_operand_pair(a, b)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: expected two 1-D tensors, got shapes {a.shape} and {b.shape}")
    dtype = result_type(a, b)  # torch.outer promotes, as a[:, None] * b does
    a_data, b_data = cast(a.data, dtype), cast(b.data, dtype)

    def backward(g):
        return (g @ b_data if a.requires_grad else None, g.T @ a_data if b.requires_grad else None)
    return make_result(np.multiply.outer(a_data, b_data), (a, b), backward, "outer")


_SUBSCRIPTS = string.ascii_uppercase + string.ascii_lowercase


def _parse_einsum(equation, shapes):
    """One list of subscript letters per operand, and the output's, with '...' spelled out as spare letters.

    The dimensions under '...' line up from the right across operands (broadcasting); an implicit output
    (no '->') is '...' followed by the letters that appear exactly once, in alphabetical order, as torch.
    """
    spec = equation.replace(" ", "")
    if spec.count("->") > 1:
        raise ValueError(f"einsum: equation {equation!r} has more than one '->'")
    lhs, arrow, rhs = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: equation {equation!r} has {len(terms)} operand term(s) but {len(shapes)} operand(s) "
                         f"were given (shapes {', '.join(map(str, shapes))})")
    for term in terms + ([rhs] if arrow else []):
        named = term.replace("...", "", 1)
        bad = sorted({c for c in named if c not in _SUBSCRIPTS})
        if bad:
            raise ValueError(f"einsum: invalid subscript(s) {bad} in {term!r} of equation {equation!r}; use letters "
                             "a-z, A-Z and at most one '...' per term")
    widths = []
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        named = len(term.replace("...", ""))
        if named > len(shape) or "..." not in term and named != len(shape):
            raise ValueError(f"einsum: subscripts {term!r} name {named} dimension(s) but operand {k} has shape {shape} "
                             f"({len(shape)} dimension(s)){'' if '...' in term else ' and no ... to take the rest'}")
        widths.append(len(shape) - named)
    spare = [c for c in _SUBSCRIPTS if c not in spec]
    ellipsis = spare[:max(widths, default=0)]

    def spelled(term, width):
        before, dots, after = term.partition("...")
        return list(before) + (ellipsis[len(ellipsis) - width:] if dots else []) + list(after)
    inputs = [spelled(term, width) for term, width in zip(terms, widths)]
    if not arrow:
        counts = collections.Counter("".join(terms).replace("...", ""))
        dots = ellipsis if any("..." in term for term in terms) else []
        return inputs, dots + sorted(c for c, n in counts.items() if n == 1)
    output = spelled(rhs, len(ellipsis))
    known = set().union(*inputs) if inputs else set()
    for c in output:
        if output.count(c) > 1:
            raise ValueError(f"einsum: output subscript {c!r} appears more than once in {equation!r}")
        if c not in known:
            raise ValueError(f"einsum: output subscript {c!r} of {equation!r} appears in no operand")
    return inputs, output


def _einsum_sizes(equation, inputs, operands):
    """The size of every letter; a size-1 dimension broadcasts against a larger one, as in torch."""
    sizes = {}
    for k, (letters, t) in enumerate(zip(inputs, operands)):
        own = {}
        for c, n in zip(letters, t.shape):
            if own.setdefault(c, n) != n:
                raise ValueError(f"einsum: subscript {c!r} is repeated in operand {k} of {equation!r} but its sizes "
                                 f"differ ({own[c]} and {n}, shape {t.shape})")
            if sizes.get(c, 1) not in (1, n) and n != 1:
                raise ValueError(f"einsum: a subscript of {equation!r} ({c!r}, or one under '...') has size {n} in "
                                 f"operand {k} (shape {t.shape}) but size {sizes[c]} in an earlier operand; sizes "
                                 "must match or be 1")
            sizes[c] = max(sizes.get(c, 1), n)
    return sizes


def _join(letters_lists, output):
    return ",".join("".join(letters) for letters in letters_lists) + "->" + "".join(output)


@differentiable
def einsum(equation, *operands):
    """y = the sum over the repeated subscripts of the products of the operands (numpy.einsum's rules, with
    '...', implicit outputs, repeated subscripts in one operand such as 'ii->i', and size-1 broadcasting).

    dL/d(operand k) is itself an einsum: of dL/dy and the other operands, to operand k's subscripts.
    Subscripts only operand k has were summed away, so their gradient is dL/dy copied along them; a
    dimension operand k had at size 1 was broadcast, so its gradient is summed; and a repeated subscript
    ('ii') gets the gradient on its diagonal only.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])  # torch.einsum('ij,jk', [a, b]) is allowed too
    operands = [as_operand(t) for t in operands]
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the first argument must be the equation string, got {type(equation).__name__}")
    for k, t in enumerate(operands[1:], start=1):
        check_same_dtype(f"einsum (operands 0 and {k})", operands[0], t)
    inputs, output = _parse_einsum(equation, [t.shape for t in operands])
    sizes = _einsum_sizes(equation, inputs, operands)
    full = [np.broadcast_to(t.data, [sizes[c] for c in letters]) for t, letters in zip(operands, inputs)]
    out = np.einsum(_join(inputs, output), *full, optimize=len(full) > 2)
    if isinstance(out, np.ndarray) and out.base is not None:
        out = out.copy()  # 'ii->i' on one operand returns a view of it: y must have its own memory

    def grad_of(k, g):
        letters, t = inputs[k], operands[k]
        others = [(output, g)] + [(inputs[j], full[j]) for j in range(len(full)) if j != k]
        present = set().union(*[set(s) for s, _ in others])
        unique = list(dict.fromkeys(letters))  # 'ii' -> ['i']
        target = [c for c in unique if c in present]
        part = np.einsum(_join([s for s, _ in others], target), *[a for _, a in others], optimize=len(others) > 2)
        # subscripts only this operand has were summed in the forward: each element gets the same gradient
        part = np.broadcast_to(np.reshape(part, [sizes[c] if c in present else 1 for c in unique]),
                               [sizes[c] for c in unique])
        own = dict(zip(letters, t.shape))
        stretched = tuple(i for i, c in enumerate(unique) if own[c] == 1 and sizes[c] != 1)
        if stretched:
            part = part.sum(axis=stretched, keepdims=True)  # broadcast from size 1: the copies' gradients add up
        if len(unique) == len(letters):
            return part
        grad = np.zeros(t.shape, dtype=part.dtype)
        np.einsum(_join([letters], unique), grad)[...] = part  # einsum('ii->i', grad) is a writable view of the diagonal
        return grad

    def backward(g):
        return tuple(grad_of(k, g) if t.requires_grad else None for k, t in enumerate(operands))
    return make_result(out, operands, backward, "einsum")
