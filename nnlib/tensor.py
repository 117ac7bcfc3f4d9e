"""nnlib.Tensor: a NumPy array that remembers how it was computed, so it can be differentiated.

The arithmetic lives in nnlib/ops/ (each op's forward and backward side by side); this file holds
the class itself, its PyTorch-style methods, `make_result` (how an op records itself in the graph),
and the functions that create tensors.
"""
import numbers

import numpy as np

from . import autograd
from .device import check_device, cpu_device

float32, float64, int32, int64, bool_ = np.float32, np.float64, np.int32, np.int64, np.bool_
DEFAULT_FLOAT = np.float32  # like PyTorch: Python floats become float32 tensors


# ufuncs behind Python's operators -> the nnlib op that `ndarray <op> Tensor` must become (None: unsupported)
_OPERATOR_UFUNCS = {"add": "add", "subtract": "sub", "multiply": "mul", "divide": "div", "true_divide": "div",
                    "power": "pow", "matmul": "matmul", "equal": "eq", "not_equal": "ne", "less": "lt",
                    "less_equal": "le", "greater": "gt", "greater_equal": "ge", "floor_divide": None,
                    "remainder": None, "bitwise_and": None, "bitwise_or": None, "bitwise_xor": None, "divmod": None}


class Size(tuple):
    """A tensor's shape, as torch.Size: a tuple (so `x.size() == (2, 3)`), printed as nnlib.Size([2, 3])."""

    def __repr__(self):
        return f"nnlib.Size({list(self)})"

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


def to_array(data, dtype=None):
    """Turn Python data, a NumPy array or a Tensor into an ndarray, with the dtype rules of PyTorch."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = np.dtype(dtype)
    try:
        array = np.asarray(data, dtype=dtype)
    except ValueError as err:
        raise ValueError(f"nnlib.tensor: cannot build a rectangular array from this data ({err})") from None
    except TypeError as err:
        raise TypeError(f"nnlib.tensor: cannot build a numeric array from this data ({err})") from None
    if array.dtype == object or array.dtype.kind in "USV":
        raise TypeError(
            f"nnlib.tensor: data of dtype {array.dtype} is not numeric; a tensor holds floats, "
            "integers or booleans (ragged nested lists also end up as dtype object)"
        )
    if dtype is None and array.dtype == np.float64 and not isinstance(data, (np.ndarray, np.generic)):
        array = array.astype(DEFAULT_FLOAT)  # Python floats -> float32; NumPy arrays keep their dtype
    if dtype is None and array.dtype.kind in "iu" and array.dtype != np.int64 and not isinstance(data, (np.ndarray, np.generic)):
        array = array.astype(np.int64)  # Python ints -> int64 on every platform, as torch
    if array.dtype.kind == "f" and array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float32)  # float16 and longdouble are outside this course's scope
    return array


def make_result(data, parents, backward_fn, name, saved=None, saves_output=False):
    """Wrap `data` (an op's output) in a Tensor that remembers how it was made, if any parent needs a gradient.

    `backward_fn(grad_out)` returns one NumPy gradient per parent (None where a parent needs none).
    `saved` lists the parents whose values backward reads (default: all of them) and `saves_output`
    says whether it reads `data`: their versions are recorded, so that changing one of them in place
    before backward is an error instead of a silently wrong gradient (PyTorch's saved-tensor check).
    """
    out = Tensor._wrap(data)
    if autograd._state.enabled and any([p.requires_grad for p in parents]):
        out.requires_grad = True
        out._parents = tuple(parents)
        out._backward = backward_fn
        out._op = name
        if autograd.inplace_change_seen:  # creation order, so that a later in-place change can't rewire this node
            out._seq = next(autograd.sequence)  # (nodes made before any such change count as 0: the oldest)
        if saved is None:
            saved = parents
        if saved or saves_output:  # add, sum and reshape save nothing: skip the bookkeeping
            out._saved = tuple([(t, t._version[0]) for t in saved]) + (((out, 0),) if saves_output else ())
    return out


def share_version(view, base):
    """Make `view` (an op's result that shares memory with `base`) count base's in-place changes as its own."""
    view._version = base._version
    return view


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    `data` is the NumPy array; `grad` receives dL/d(self), as a Tensor, after `loss.backward()` (for
    leaf tensors created with requires_grad=True). Non-leaf tensors keep their parents and a backward
    function. `_version` counts in-place changes (a list, shared by views of the same memory).
    """

    __slots__ = ("data", "_grad", "requires_grad", "_parents", "_backward", "_op", "_retains_grad", "_version",
                 "_saved", "_seq", "_rebase", "__weakref__")  # _seq, _rebase: set only on graph nodes (see _inplace)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy functions on tensors (np.isfinite(t), np.exp(t)) work on the arrays and return arrays;
        `ndarray + Tensor` is handed back to Tensor.__radd__, so it stays a Tensor in the graph."""
        if method != "__call__":
            return NotImplemented
        arrays = lambda: [x.numpy() if isinstance(x, Tensor) else x for x in inputs]  # noqa: E731
        if "out" in kwargs:  # `array -= lr * p.grad`: plain NumPy arithmetic into the caller's array
            if any(isinstance(o, Tensor) for o in kwargs["out"]):
                return NotImplemented
            return ufunc(*arrays(), **kwargs)
        if ufunc.__name__ in _OPERATOR_UFUNCS:
            op = getattr(_ops, _OPERATOR_UFUNCS[ufunc.__name__], None)
            return op(*inputs) if op is not None and not kwargs else NotImplemented
        return ufunc(*arrays(), **kwargs)

    __hash__ = object.__hash__  # __eq__ is elementwise, so restore identity hashing

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = to_array(data, dtype)
        self._grad = None
        self._parents = ()
        self._backward = None
        self._op = None  # name of the op that made this tensor; None for a leaf
        self._retains_grad = False
        self._version = [0]
        self._saved = ()
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array):
        """A leaf around an array an op just computed: skips the checks of __init__ (a hot path)."""
        if type(array) is not np.ndarray:
            array = np.asarray(array)  # reductions over every dimension return NumPy scalars
        t = cls.__new__(cls)
        t.data, t._grad, t.requires_grad = array, None, False
        t._parents, t._backward, t._op, t._retains_grad = (), None, None, False
        t._version, t._saved = [0], ()
        return t

    # ---- autograd -----------------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, but this tensor has dtype "
                f"{self.data.dtype}; create it with dtype=nnlib.float32 (or float64)"
            )
        if not requires_grad and self._op is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables; use detach() to cut a "
                               "non-leaf tensor from the graph")
        self.requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self):
        """dL/d(self) as a Tensor of self's shape and dtype, after backward(); None before."""
        grad = self._grad
        if type(grad) is np.ndarray:  # backward stores the bare array; it becomes a Tensor when first read
            grad = self._grad = Tensor._wrap(grad)
        return grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be an nnlib Tensor or None, but got {type(value).__name__}; "
                                "wrap an array with nnlib.tensor(...)")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: grad has shape {value.shape}, "
                                   f"the tensor has shape {self.shape}")
            if value.dtype != self.dtype:
                raise TypeError(f"assigned grad has data of a different type: grad is {value.dtype}, the tensor is {self.dtype}")
        self._grad = value

    def _accumulate_grad(self, grad, may_keep):
        """Add the array `grad` into self.grad (the engine calls this for leaves and retain_grad() tensors).

        `may_keep`: grad is a fresh array nobody else holds, so it can become .grad without a copy.
        Returns the array now held. A first gradient is kept as a bare array (wrapped when read:
        backward stays cheap); a later one is added into a new array, so a .grad someone kept as a
        Tensor is the same object afterwards, as in torch.
        """
        held = self._grad
        if held is None:
            held = self._grad = grad if may_keep else grad.copy()
        elif type(held) is np.ndarray:
            held = self._grad = held + grad
        else:
            held.data = held.data + grad
            held._version[0] += 1
            held = held.data
        return held

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute d(self)/d(leaf) for every leaf with requires_grad, adding it into `leaf.grad`."""
        if create_graph:
            raise ValueError("nnlib computes gradients as plain arrays: create_graph=True (higher-order "
                             "gradients) is a PyTorch feature nnlib does not have")
        if inputs is not None:
            raise ValueError("backward(inputs=...) is not supported by nnlib; call backward() and read .grad")
        autograd.backward(self, gradient, bool(retain_graph))

    def retain_grad(self):
        """Keep `.grad` on this non-leaf tensor too (PyTorch discards intermediate gradients)."""
        self._retains_grad = True
        return self

    def detach(self):
        """The same values, cut off from the graph (shares memory and the version counter with self, like PyTorch)."""
        return share_version(Tensor._wrap(self.data), self)

    def detach_(self):
        if self._op is not None:
            self._parents, self._backward, self._op, self._saved = (), None, None, ()
        self.requires_grad = False
        return self

    def clone(self):
        """A copy with its own memory; in the graph, so gradients flow back to self (as torch.clone)."""
        return _ops.clone(self)

    @property
    def is_leaf(self):
        return self._op is None

    @property
    def parents(self):
        """The tensors this one was computed from (empty for a leaf)."""
        return self._parents

    @property
    def op(self):
        """Name of the op that produced this tensor, or None for a leaf."""
        return self._op

    @property
    def grad_fn(self):
        """The node that will backpropagate through this tensor (None for a leaf), as torch's grad_fn."""
        return autograd.BackwardNode(self) if self._op is not None else None

    @property
    def _version_count(self):
        return self._version[0]

    # ---- in-place updates ---------------------------------------------------------------------------
    def _inplace(self, name, compute):
        """Replace self's values by `compute(self)` (an out-of-place nnlib expression), with PyTorch's rules.

        Under no_grad (an optimiser step) only the values change. With grad mode on, a leaf that
        requires grad refuses (its .grad would no longer mean anything); any other tensor becomes
        the result's node, with its old values kept in a copy for the ops that still need them.
        Every in-place change bumps the version counter, which backward checks.

        Ops recorded before the change keep the old history: after `y = x * 2; z = y + 1; y.mul_(3)`,
        y is a mul node whose parent holds y's old values and history (`_rebase` = (when, that tensor)),
        and z, numbered before the change (`_seq`), still backpropagates through the old y, as in torch.
        """
        recording = autograd._state.enabled
        if recording and self.requires_grad and self._op is None:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation ({name}). "
                "Update parameters inside `with nnlib.no_grad():` (as an optimiser does)")
        source = self
        if recording:
            source = Tensor._wrap(self.data.copy())  # the old values, with self's history
            source.requires_grad, source._parents, source._backward = self.requires_grad, self._parents, self._backward
            source._op, source._saved = self._op, self._saved
            if self._op is not None:
                source._seq = getattr(self, "_seq", 0)
            source._rebase = getattr(self, "_rebase", None)
        result = compute(source)
        if recording and any(p is self for p in result._parents):
            # `y += y`: the other operand is self's old value too, or self would become its own parent
            result._parents = tuple(source if p is self else p for p in result._parents)
        if result.shape != self.shape:
            raise RuntimeError(f"{name}: the result has shape {result.shape}, which doesn't match the shape "
                               f"{self.shape} of the tensor changed in place (an in-place op cannot broadcast self)")
        if result.dtype != self.dtype and not np.can_cast(result.dtype, self.dtype, "same_kind"):
            raise RuntimeError(f"{name}: result type {result.dtype} can't be cast to the desired output type {self.dtype}")
        if not self.data.flags.writeable:
            raise RuntimeError(f"{name}: this tensor's memory is read-only (made by expand or a broadcast); clone() it first")
        if recording and result.requires_grad and self.data.base is not None:
            self.data = result.data.astype(self.dtype, copy=False)  # a view in a graph: never write through to a leaf
        else:
            self.data[...] = result.data
        self._version[0] += 1
        if recording:
            # ops recorded before this change keep using self's old history (now `source`), as in torch
            autograd.note_inplace_change()
            when = next(autograd.sequence)
            self._rebase = (when, source)
            if result.requires_grad:
                self.requires_grad, self._parents, self._backward = True, result._parents, result._backward
                self._op, self._saved, self._seq = result._op, result._saved, when
        return self

    def add_(self, other, alpha=1):
        return self._inplace("add_", lambda t: _ops.add(t, other if alpha == 1 else _ops.mul(other, alpha)))

    def sub_(self, other, alpha=1):
        return self._inplace("sub_", lambda t: _ops.sub(t, other if alpha == 1 else _ops.mul(other, alpha)))

    def mul_(self, other):
        return self._inplace("mul_", lambda t: _ops.mul(t, other))

    def div_(self, other):
        return self._inplace("div_", lambda t: _ops.div(t, other))

    def clamp_(self, min=None, max=None):
        return self._inplace("clamp_", lambda t: _ops.clamp(t, min, max))

    def copy_(self, src):
        return self._inplace("copy_", lambda t: _ops.index_put(t, Ellipsis, src))

    def fill_(self, value):
        return self._inplace("fill_", lambda t: _ops.index_put(t, Ellipsis, value))

    def zero_(self):
        return self._inplace("zero_", lambda t: _ops.index_put(t, Ellipsis, 0))

    def normal_(self, mean=0.0, std=1.0):
        values = _generator.normal(mean, std, size=self.shape).astype(self.dtype)
        return self._inplace("normal_", lambda t: _ops.index_put(t, Ellipsis, Tensor._wrap(values)))

    def uniform_(self, a=0.0, b=1.0):
        values = _generator.uniform(a, b, size=self.shape).astype(self.dtype)
        return self._inplace("uniform_", lambda t: _ops.index_put(t, Ellipsis, Tensor._wrap(values)))

    def __iadd__(self, other): return self.add_(other)
    def __isub__(self, other): return self.sub_(other)
    def __imul__(self, other): return self.mul_(other)
    def __itruediv__(self, other): return self.div_(other)

    def __setitem__(self, index, value):
        self._inplace("__setitem__", lambda t: _ops.index_put(t, index, value))

    # ---- conversions and properties ------------------------------------------------------------
    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, but this one has shape {self.shape}")
        return self.data.item()

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a tensor that requires grad: use tensor.detach().numpy()")
        return self.data

    def __array__(self, dtype=None, copy=None):
        """NumPy's view of the tensor (np.asarray(t), np.allclose(t, ...)), refused while it requires grad, as torch."""
        array = self.numpy()
        if dtype is not None and array.dtype != dtype:
            return array.astype(dtype)
        return array.copy() if copy else array

    def tolist(self):
        return self.data.tolist()

    @property
    def shape(self):
        return self.data.shape  # a plain tuple (a hot path in every op); size() gives an nnlib.Size

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self):
        return cpu_device

    @property
    def is_cuda(self):
        return False

    @property
    def ndim(self):
        return self.data.ndim

    def dim(self):
        return self.data.ndim

    def size(self, dim=None):
        return Size(self.data.shape) if dim is None else self.data.shape[dim]

    def numel(self):
        return self.data.size

    def element_size(self):
        return self.data.itemsize

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all()")
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError(f"only integer tensors of a single element can be used as an index (got {self.dtype}, shape {self.shape})")
        return int(self.item())

    def __format__(self, spec):
        return format(self.item(), spec) if self.data.ndim == 0 and spec else format(repr(self), spec)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extras = ""
        if self.data.dtype not in (np.float32, np.int64, np.bool_):
            extras += f", dtype=nnlib.{self.data.dtype}"
        if self._op is not None and self.requires_grad:
            extras += f", grad_fn=<{self.grad_fn.name()}>"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({body}{extras})"

    def any(self, dim=None, keepdim=False):
        return Tensor(self.data.any(axis=dim, keepdims=keepdim))

    def all(self, dim=None, keepdim=False):
        return Tensor(self.data.all(axis=dim, keepdims=keepdim))

    # ---- dtype and device ----------------------------------------------------------------------------
    def to(self, *args, **kwargs):
        """to(dtype), to(device), to(device, dtype), to(other_tensor), with dtype=/device= keywords, as torch."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("copy", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, str) or hasattr(arg, "type") and not isinstance(arg, (type, np.dtype)):
                device = arg
            else:
                dtype = arg
        if device is not None:
            check_device(device)
        if dtype is None or np.dtype(dtype) == self.dtype:
            return self
        return _ops.to_dtype(self, dtype)

    def type(self, dtype=None):
        if dtype is None:
            return f"nnlib.{self.dtype}"
        return self.to(dtype)

    def cpu(self):
        return self

    def cuda(self, device=None):
        check_device("cuda" if device is None else device)

    def float(self): return self.to(float32)
    def double(self): return self.to(float64)
    def long(self): return self.to(int64)
    def int(self): return self.to(int32)
    def bool(self): return self.to(np.bool_)

    def is_floating_point(self):
        return self.data.dtype.kind == "f"

    # ---- operators and methods: thin wrappers over nnlib.ops ----------------------------------
    def __add__(self, other): return _ops.add(self, other)
    def __radd__(self, other): return _ops.add(other, self)
    def __sub__(self, other): return _ops.sub(self, other)
    def __rsub__(self, other): return _ops.sub(other, self)
    def __mul__(self, other): return _ops.mul(self, other)
    def __rmul__(self, other): return _ops.mul(other, self)
    def __truediv__(self, other): return _ops.div(self, other)
    def __rtruediv__(self, other): return _ops.div(other, self)
    def __pow__(self, other): return _ops.pow(self, other)
    def __rpow__(self, other): return _ops.pow(other, self)
    def __neg__(self): return _ops.neg(self)
    def __abs__(self): return _ops.abs(self)
    def __matmul__(self, other): return _ops.matmul(self, other)
    def __rmatmul__(self, other): return _ops.matmul(other, self)
    def __getitem__(self, index): return _ops.getitem(self, index)

    def __eq__(self, other):
        try:
            return _ops.eq(self, other)
        except TypeError:
            return NotImplemented  # as torch: let the other object decide (e.g. pytest.approx)

    def __ne__(self, other):
        try:
            return _ops.ne(self, other)
        except TypeError:
            return NotImplemented

    def __lt__(self, other): return _ops.lt(self, other)
    def __le__(self, other): return _ops.le(self, other)
    def __gt__(self, other): return _ops.gt(self, other)
    def __ge__(self, other): return _ops.ge(self, other)

    def add(self, other, alpha=1): return _ops.add(self, other if alpha == 1 else _ops.mul(other, alpha))
    def sub(self, other, alpha=1): return _ops.sub(self, other if alpha == 1 else _ops.mul(other, alpha))
    def mul(self, other): return _ops.mul(self, other)
    def div(self, other): return _ops.div(self, other)
    def pow(self, exponent): return _ops.pow(self, exponent)
    def neg(self): return _ops.neg(self)
    def exp(self): return _ops.exp(self)
    def log(self): return _ops.log(self)
    def sqrt(self): return _ops.sqrt(self)
    def abs(self): return _ops.abs(self)
    def clamp(self, min=None, max=None): return _ops.clamp(self, min, max)
    def clip(self, min=None, max=None): return _ops.clamp(self, min, max)
    def maximum(self, other): return _ops.maximum(self, other)
    def relu(self): return _ops.relu(self)
    def sigmoid(self): return _ops.sigmoid(self)
    def tanh(self): return _ops.tanh(self)
    def softmax(self, dim=None, *, axis=None): return _ops.softmax(self, dim, axis=axis)
    def log_softmax(self, dim=None, *, axis=None): return _ops.log_softmax(self, dim, axis=axis)
    def logsumexp(self, dim=None, keepdim=False, *, axis=None): return _ops.logsumexp(self, dim, keepdim, axis=axis)
    def sum(self, dim=None, keepdim=False, *, axis=None): return _ops.sum(self, dim, keepdim, axis=axis)
    def mean(self, dim=None, keepdim=False, *, axis=None): return _ops.mean(self, dim, keepdim, axis=axis)
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
        return _ops.var(self, dim, unbiased, keepdim, correction=correction, axis=axis)
    def max(self, dim=None, keepdim=False, *, axis=None): return _ops.max(self, dim, keepdim, axis=axis)
    def argmax(self, dim=None, keepdim=False, *, axis=None): return _ops.argmax(self, dim, keepdim, axis=axis)
    def argmin(self, dim=None, keepdim=False, *, axis=None): return _ops.argmin(self, dim, keepdim, axis=axis)
    def matmul(self, other): return _ops.matmul(self, other)
    def reshape(self, *shape): return _ops.reshape(self, *shape)
    def view(self, *shape): return _ops.reshape(self, *shape)
    def transpose(self, dim0, dim1): return _ops.transpose(self, dim0, dim1)
    def permute(self, *dims): return _ops.permute(self, *dims)
    def squeeze(self, dim=None, *, axis=None): return _ops.squeeze(self, dim, axis=axis)
    def unsqueeze(self, dim=None, *, axis=None): return _ops.unsqueeze(self, dim, axis=axis)
    def flatten(self, start_dim=0, end_dim=-1): return _ops.flatten(self, start_dim, end_dim)
    def t(self): return self.T
    def view_as(self, other): return _ops.reshape(self, other.shape)
    def reshape_as(self, other): return _ops.reshape(self, other.shape)
    def type_as(self, other): return self.to(other.dtype)
    def chunk(self, chunks, dim=0): return _ops.chunk(self, chunks, dim)
    def split(self, split_size_or_sections, dim=0): return _ops.split(self, split_size_or_sections, dim)
    def unbind(self, dim=0): return _ops.unbind(self, dim)
    def nelement(self): return self.data.size

    def contiguous(self):
        """Returns self: nnlib has no strides to make contiguous (kept so PyTorch code runs unchanged)."""
        return self

    def new_zeros(self, *size, dtype=None): return zeros(*size, dtype=dtype or self.dtype)
    def new_ones(self, *size, dtype=None): return ones(*size, dtype=dtype or self.dtype)
    def new_tensor(self, data, dtype=None): return tensor(data, dtype=dtype or self.dtype)

    # ---- methods for more of torch's ops: trigonometry, selection, sorting, splitting, ... --------------
    def sin(self): return _ops.sin(self)
    def cos(self): return _ops.cos(self)
    def log1p(self): return _ops.log1p(self)
    def expm1(self): return _ops.expm1(self)
    def sign(self): return _ops.sign(self)
    def square(self): return _ops.square(self)
    def minimum(self, other): return _ops.minimum(self, other)
    def min(self, dim=None, keepdim=False, *, axis=None): return _ops.min(self, dim, keepdim, axis=axis)
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
        return _ops.std(self, dim, unbiased, keepdim, correction=correction, axis=axis)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None, *, axis=None):
        return _ops.norm(self, p, dim, keepdim, dtype, axis=axis)
    def cumsum(self, dim=None, *, dtype=None, axis=None): return _ops.cumsum(self, dim, dtype=dtype, axis=axis)
    def prod(self, dim=None, keepdim=False, *, dtype=None, axis=None):
        return _ops.prod(self, dim, keepdim, dtype=dtype, axis=axis)
    def sort(self, dim=-1, descending=False, stable=False, *, axis=None):
        return _ops.sort(self, dim, descending, stable, axis=axis)
    def topk(self, k, dim=-1, largest=True, sorted=True, *, axis=None):
        return _ops.topk(self, k, dim, largest, sorted, axis=axis)
    def expand(self, *sizes): return _ops.expand(self, *sizes)
    def expand_as(self, other): return _ops.expand(self, other.shape)
    def repeat(self, *sizes): return _ops.repeat(self, *sizes)
    def masked_fill(self, mask, value): return _ops.masked_fill(self, mask, value)
    def tril(self, diagonal=0): return _ops.tril(self, diagonal)
    def triu(self, diagonal=0): return _ops.triu(self, diagonal)
    def gather(self, dim, index, *, sparse_grad=False): return _ops.gather(self, dim, index)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return _ops.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add(self, dim, index, src): return _ops.scatter_add(self, dim, index, src)
    def outer(self, vec2): return _ops.outer(self, vec2)

    def masked_fill_(self, mask, value):
        return self._inplace("masked_fill_", lambda t: _ops.masked_fill(t, mask, value))

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return self._inplace("scatter_", lambda t: _ops.scatter(t, dim, index, src, value=value, reduce=reduce))

    def scatter_add_(self, dim, index, src):
        return self._inplace("scatter_add_", lambda t: _ops.scatter_add(t, dim, index, src))

    @property
    def T(self):
        if self.ndim != 2:
            raise ValueError(f".T is for 2-D tensors; this one has shape {self.shape} (use permute or mT)")
        return _ops.transpose(self, 0, 1)

    @property
    def mT(self):
        return _ops.transpose(self, -2, -1)


# ---- creating tensors -------------------------------------------------------------------------
def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new leaf tensor holding a copy of `data` (like torch.tensor)."""
    check_device(device)
    return Tensor(np.array(to_array(data, dtype)), requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None):
    """`data` as a tensor, sharing memory with it where it can (like torch.as_tensor)."""
    check_device(device)
    if isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    return Tensor(to_array(data, dtype))


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (like torch.from_numpy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a NumPy array, got {type(array).__name__}")
    return Tensor(array)


def _shape_arg(shape):
    return tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], numbers.Integral) else tuple(shape)


def _float_dtype(dtype):
    return float32 if dtype is None else dtype


def zeros(*shape, dtype=None, device=None, requires_grad=False):
    check_device(device)
    return Tensor(np.zeros(_shape_arg(shape), dtype=_float_dtype(dtype)), requires_grad=requires_grad)


def ones(*shape, dtype=None, device=None, requires_grad=False):
    check_device(device)
    return Tensor(np.ones(_shape_arg(shape), dtype=_float_dtype(dtype)), requires_grad=requires_grad)


def empty(*shape, dtype=None, device=None, requires_grad=False):
    return zeros(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def full(shape, fill_value, dtype=None, device=None, requires_grad=False):
    check_device(device)
    if dtype is None:  # torch infers the dtype from the fill value
        dtype = np.bool_ if isinstance(fill_value, bool) else int64 if isinstance(fill_value, numbers.Integral) else float32
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    return Tensor(np.full(shape, fill_value, dtype=dtype), requires_grad=requires_grad)


def zeros_like(t, dtype=None, device=None, requires_grad=False):
    check_device(device)
    return Tensor(np.zeros_like(to_array(t), dtype=dtype), requires_grad=requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False):
    check_device(device)
    return Tensor(np.ones_like(to_array(t), dtype=dtype), requires_grad=requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False):
    check_device(device)
    return Tensor(np.full_like(to_array(t), fill_value, dtype=dtype), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    check_device(device)
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = np.int64 if all(isinstance(v, numbers.Integral) for v in (start, end, step)) else float32
    return Tensor(np.arange(start, end, step, dtype=dtype), requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    check_device(device)
    return Tensor(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad=requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    check_device(device)
    return Tensor(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad=requires_grad)


_generator = np.random.default_rng(0)


def manual_seed(seed):
    """Seed nnlib's random number generator (randn, rand, randint, and later layer initialisation)."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_generator():
    return _generator


def randn(*shape, dtype=None, device=None, requires_grad=False):
    check_device(device)
    return Tensor(_generator.standard_normal(_shape_arg(shape)).astype(_float_dtype(dtype)), requires_grad=requires_grad)


def rand(*shape, dtype=None, device=None, requires_grad=False):
    check_device(device)
    return Tensor(_generator.random(_shape_arg(shape)).astype(_float_dtype(dtype)), requires_grad=requires_grad)


def randint(low, high=None, size=None, dtype=int64, device=None):
    check_device(device)
    if high is None or size is None and not isinstance(high, numbers.Integral):
        low, high, size = 0, low, high  # randint(high, size), as torch
    return Tensor(_generator.integers(low, high, size=_shape_arg((size,)) if size is not None else (), dtype=dtype))


def randn_like(t, dtype=None, device=None, requires_grad=False):
    return randn(*to_array(t).shape, dtype=dtype or to_array(t).dtype, device=device, requires_grad=requires_grad)


def rand_like(t, dtype=None, device=None, requires_grad=False):
    return rand(*to_array(t).shape, dtype=dtype or to_array(t).dtype, device=device, requires_grad=requires_grad)


def randperm(n, dtype=int64, device=None):
    check_device(device)
    return Tensor(_generator.permutation(n).astype(dtype))


from . import ops as _ops  # noqa: E402  (ops need the Tensor class defined above)
