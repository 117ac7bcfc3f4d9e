"""The autograd engine: graph nodes, grad mode, topological order and the backward pass.

Every differentiable op builds its result with `make_result(data, parents, backward_fn, name)`.
`backward_fn(grad_out)` returns one gradient per parent (or None where a parent needs none).
"""
import contextlib
import threading

import numpy as np

# name -> function, for every differentiable op; the op table in tests/ must cover all of them.
DIFFERENTIABLE_OPS = {}


def differentiable(fn):
    """Register `fn` as a differentiable op (so the test op table can prove it covers every op)."""
    DIFFERENTIABLE_OPS[fn.__name__] = fn
    return fn


Tensor = None  # set by nnlib/tensor.py once the class exists (tensor.py imports this module first)


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


def enable_grad():
    """Context manager: turn graph recording back on inside a `no_grad` block."""
    return _grad_mode(True)


def make_result(data, parents, backward_fn, name):
    """Wrap `data` in a Tensor that remembers how it was made, if any parent needs a gradient."""
    out = Tensor._wrap(data)
    if _state.enabled and any([p.requires_grad for p in parents]):
        out.requires_grad = True
        out._parents = tuple(parents)
        out._backward = backward_fn
        out._op = name
    return out


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
        for parent in node._parents:
            if parent.requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    return order


def backward(root, gradient=None, retain_graph=False):
    """Reverse-mode differentiation from `root`, accumulating into the `.grad` of leaf tensors.

    Visits nodes in reverse topological order, so a node's gradient is complete (summed over all
    of its uses) before it is passed on to its parents. Without `retain_graph`, each node drops its
    backward function as soon as it has been used: a second backward through it is an error.
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
        if node._op is None or node._retains_grad:
            # Leaves accumulate: the same parameter may be used by several backward calls.
            if node.grad is None:
                # keep a fresh array as it is; copy a view or an array another tensor already holds
                owned = grad.base is None and grad.flags.writeable and id(grad) not in handed
                node.grad = grad if owned else grad.copy()
                handed.add(id(node.grad))
            else:
                node.grad = node.grad + grad
            if node._op is None:
                continue
        if node._backward is None:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (at a '{node._op}' node): "
                "its intermediate results were freed by the first backward(). "
                "Pass retain_graph=True to the first backward() if you need to call it twice."
            )
        parent_grads = node._backward(grad)
        for parent, parent_grad in zip(node._parents, parent_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            if type(parent_grad) is not np.ndarray or parent_grad.dtype != parent.data.dtype:
                parent_grad = np.asarray(parent_grad, dtype=parent.data.dtype)
            assert parent_grad.shape == parent.data.shape, (node._op, parent_grad.shape, parent.data.shape)
            key = id(parent)
            grads[key] = grads[key] + parent_grad if key in grads else parent_grad
        if not retain_graph:
            node._backward = None
            node._parents = ()
