"""The autograd engine: grad mode, topological order, the backward pass, and custom Functions.

Every differentiable op builds its result with `make_result(data, parents, backward_fn, name)`
(in nnlib/tensor.py, beside the Tensor class). `backward_fn(grad_out)` returns one gradient per
parent (or None where a parent needs none).
"""
import contextlib
import itertools
import threading

import numpy as np

# name -> function, for every differentiable op; the op table in tests/ must cover all of them.
DIFFERENTIABLE_OPS = {}


def differentiable(fn):
    """Register `fn` as a differentiable op (so the test op table can prove it covers every op)."""
    DIFFERENTIABLE_OPS[fn.__name__] = fn
    return fn


class _GradMode(threading.local):
    enabled = True  # per thread, like PyTorch's grad mode


_state = _GradMode()


def is_grad_enabled():
    return _state.enabled


@contextlib.contextmanager
def _grad_mode(enabled):
    previous = is_grad_enabled()
    _state.enabled = enabled
    try:
        yield
    finally:
        _state.enabled = previous


def no_grad():
    """Context manager: ops inside it record no graph (for evaluation and parameter updates)."""
    return _grad_mode(False)


def inference_mode(mode=True):
    """As torch.inference_mode: in nnlib the same as no_grad (no graph is recorded)."""
    return _grad_mode(not mode)


def set_grad_enabled(mode):
    """As torch.set_grad_enabled(mode), used as a context manager: record a graph or not."""
    return _grad_mode(bool(mode))


def enable_grad():
    """Context manager: turn graph recording back on inside a `no_grad` block."""
    return _grad_mode(True)


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape`: the backward of NumPy broadcasting.

    A broadcast copies an input along new leading dimensions and along dimensions of size 1,
    so each copy's gradient flows back to the one original value: the copies' gradients add up.
    """
    grad = np.asarray(grad)
    if grad.shape == shape:
        return grad  # nothing was broadcast
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


sequence = itertools.count(1)  # numbers graph nodes in the order they were made
inplace_change_seen = False  # becomes True once a tensor has been changed in place with grad mode on


def note_inplace_change():
    global inplace_change_seen
    inplace_change_seen = True


def parents_as_recorded(node):
    """node's parents as they were when node was made: a tensor changed in place since then (in grad mode)
    took on a new history, and `_rebase` = (when, the tensor holding the old history) leads back to it."""
    parents = []
    for parent in node._parents:
        rebase = getattr(parent, "_rebase", None)
        while rebase is not None and getattr(node, "_seq", 0) < rebase[0]:
            parent = rebase[1]
            rebase = getattr(parent, "_rebase", None)
        parents.append(parent)
    return tuple(parents)


def topological_order(root):
    """Every tensor that `root` depends on (and that needs a gradient), parents before children.

    A depth-first search with an explicit stack instead of recursion, so that a chain of
    100,000 ops does not hit Python's recursion limit.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        if inplace_change_seen and node._parents:
            node._parents = parents_as_recorded(node)
        for parent in node._parents:
            if parent.requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    return order


def backward(root, gradient=None, retain_graph=False):
    """Reverse-mode differentiation from `root`, accumulating into the `.grad` of leaf tensors.

    Visits nodes in reverse topological order, so a node's gradient is complete (summed over all
    of its uses) before it is passed on to its parents. Without `retain_graph`, a node that saved values
    (mul, matmul, exp, ...) frees them once used, so a second backward through it is an error; a node that
    saved nothing (add, sum, reshape) can be backpropagated through again, as in torch.
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward() called on a tensor that does not require grad: no input of the "
            "computation was created with requires_grad=True (or it ran under nnlib.no_grad())"
        )
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward() without a gradient argument needs a scalar output, but the output has "
                f"shape {root.shape}; reduce it first (e.g. .sum()) or pass gradient= of that shape"
            )
        seed = np.ones_like(root.data)
    else:
        seed = np.array(getattr(gradient, "data", gradient), dtype=root.data.dtype)  # a copy: never alias the caller's array
        if seed.shape != root.data.shape:
            raise ValueError(
                f"backward(): gradient has shape {seed.shape} but the output has shape {root.shape}"
            )

    grads, handed = {id(root): seed}, set()
    for node in reversed(topological_order(root)):
        grad = grads.pop(id(node), None)
        if grad is None:
            continue
        if type(grad) is not np.ndarray:
            grad = np.asarray(grad, dtype=node.data.dtype)  # adding two 0-d arrays gives a NumPy scalar
        if node._op is None or node._retains_grad:
            # Leaves accumulate: the same parameter may be used by several backward calls.
            # A fresh array becomes .grad as it is; a view, or one another tensor already holds, is copied.
            fresh = grad.base is None and grad.flags.writeable and id(grad) not in handed
            handed.add(id(node._accumulate_grad(grad, fresh)))
            if node._op is None:
                continue
        if node._backward is None:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (at a '{node._op}' node): "
                "its saved intermediate values were freed by the first backward(). "
                "Pass retain_graph=True to the first backward() if you need to call it twice."
            )
        if node._saved:
            check_saved_versions(node)
        parent_grads = node._backward(grad)
        for parent, parent_grad in zip(node._parents, parent_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            if type(parent_grad) is not np.ndarray or parent_grad.dtype != parent.data.dtype:
                parent_grad = np.asarray(parent_grad, dtype=parent.data.dtype)
            if parent_grad.shape != parent.data.shape:
                raise RuntimeError(f"the backward of '{node._op}' returned a gradient of shape {parent_grad.shape} "
                                   f"for an input of shape {parent.data.shape}")
            key = id(parent)
            grads[key] = grads[key] + parent_grad if key in grads else parent_grad
        if not retain_graph and node._saved:
            # as torch: the values a node saved are freed, so a second backward through it fails;
            # a node that saved nothing (add, sum, reshape) can be backpropagated through again
            node._backward = None
            node._saved = ()


def check_saved_versions(node):
    """Refuse to backpropagate through `node` if a value its backward reads was changed in place since."""
    for tensor, version in node._saved:
        if tensor._version[0] != version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: a tensor of shape {tuple(tensor.shape)} and dtype {tensor.dtype}, which the "
                f"'{node._op}' node saved, is at version {tensor._version[0]}; expected version {version} "
                "instead. Change it out of place (y = y + 1, not y += 1), or clone() it before the change.")


class BackwardNode:
    """What `tensor.grad_fn` shows: the op that made a tensor, as torch's grad_fn (e.g. <MulBackward0>)."""

    def __init__(self, tensor):
        self._tensor = tensor

    def name(self):
        op = self._tensor._op
        if op[:1].isupper():  # a custom Function: torch names its node <ClassNameBackward>
            return op + "Backward"
        return "".join(part.capitalize() for part in op.split("_")) + "Backward0"

    @property
    def next_functions(self):
        """(node, 0) per parent: a parent's own grad_fn, AccumulateGrad for a leaf that needs a gradient, else None."""
        nodes = []
        for parent in self._tensor._parents:
            if parent._op is not None:
                nodes.append((BackwardNode(parent), 0))
            else:
                nodes.append((AccumulateGrad(parent) if parent.requires_grad else None, 0))
        return tuple(nodes)

    def __repr__(self):
        return f"<{self.name()} object>"


class AccumulateGrad:
    """The grad_fn-graph node of a leaf: backward adds into `variable.grad`."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad object>"


class FunctionCtx:
    """The `ctx` a custom Function's forward and backward share, as in torch.autograd.Function."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.saved_tensors = ()

    def save_for_backward(self, *tensors):
        """Keep tensors for backward; changing one in place before backward is then an error."""
        self.saved_tensors = tensors


class Function:
    """A differentiable op written by the user: subclass it with two static methods, as in PyTorch.

        class Square(nnlib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x
            @staticmethod
            def backward(ctx, grad_output):
                (x,) = ctx.saved_tensors
                return 2 * x * grad_output

        y = Square.apply(x)

    forward runs without recording a graph and returns one tensor; backward gets dL/d(output) and
    returns one gradient (a tensor, or None) per argument of forward.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *args):
        from .tensor import Tensor, make_result
        ctx = FunctionCtx(tuple(isinstance(a, Tensor) and a.requires_grad for a in args))
        with no_grad():
            out = cls.forward(ctx, *args)
        if not isinstance(out, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return one nnlib Tensor, got {type(out).__name__}")
        positions = [k for k, a in enumerate(args) if isinstance(a, Tensor)]

        def backward_fn(grad):
            with no_grad():
                grads = cls.backward(ctx, Tensor._wrap(grad))
            grads = grads if isinstance(grads, tuple) else (grads,)
            if len(grads) != len(args):
                raise RuntimeError(f"function {cls.__name__}.backward returned an incorrect number of gradients "
                                   f"(expected {len(args)}, one per argument of forward, got {len(grads)})")
            return tuple(None if grads[k] is None else _function_grad(cls, k, grads[k], args[k]) for k in positions)

        saved = [t for t in ctx.saved_tensors if t is not out]
        result = make_result(out.data, [args[k] for k in positions], backward_fn, cls.__name__, saved=saved,
                             saves_output=any(t is out for t in ctx.saved_tensors))
        return result


def _function_grad(cls, index, grad, arg):
    """A custom Function's gradient for argument `index` as an array of the argument's shape; one that
    broadcast up to a larger shape is summed back (as torch does), any other shape is an error."""
    grad = np.asarray(getattr(grad, "data", grad))
    if grad.shape != arg.shape:
        try:
            fits = np.broadcast_shapes(grad.shape, arg.shape) == grad.shape
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(f"function {cls.__name__}.backward returned an invalid gradient at index {index}: "
                               f"got shape {grad.shape} but expected shape {arg.shape} (the shape of that argument)")
        grad = unbroadcast(grad, arg.shape)
    return grad
