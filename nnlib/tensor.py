"""nnlib.Tensor: a NumPy array that remembers how it was computed, so it can be differentiated.

The arithmetic lives in nnlib/ops/ (each op's forward and backward side by side); this file holds
the class itself, its PyTorch-style methods, and the functions that create tensors.
"""
import numbers

import numpy as np

from . import autograd

float32, float64, int64, bool_ = np.float32, np.float64, np.int64, np.bool_
DEFAULT_FLOAT = np.float32  # like PyTorch: Python floats become float32 tensors


def _to_array(data, dtype=None):
    """Turn Python data, a NumPy array or a Tensor into an ndarray, with the dtype rules of PyTorch."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = np.dtype(dtype)
    try:
        array = np.asarray(data, dtype=dtype)
    except ValueError as err:
        raise ValueError(f"nnlib.tensor: cannot build a rectangular array from this data ({err})") from None
    if array.dtype == object or array.dtype.kind in "USV":
        raise TypeError(
            f"nnlib.tensor: data of dtype {array.dtype} is not numeric; a tensor holds floats, "
            "integers or booleans (ragged nested lists also end up as dtype object)"
        )
    if dtype is None and array.dtype == np.float64 and not isinstance(data, (np.ndarray, np.generic)):
        array = array.astype(DEFAULT_FLOAT)  # Python floats -> float32; NumPy arrays keep their dtype
    if array.dtype.kind == "f" and array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float32)  # float16 and longdouble are outside this course's scope
    return array


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    `data` is the NumPy array; `grad` receives dL/d(self) after `loss.backward()` (for leaf tensors
    created with requires_grad=True). Non-leaf tensors keep their parents and a backward function.
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_op", "_retains_grad", "__weakref__")
    __array_ufunc__ = None  # make `ndarray + Tensor` call Tensor.__radd__ instead of NumPy's loop
    __hash__ = object.__hash__  # __eq__ is elementwise, so restore identity hashing

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = _to_array(data, dtype)
        self.grad = None
        self._parents = ()
        self._backward = None
        self._op = None  # name of the op that made this tensor; None for a leaf
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array):
        """A leaf around an array an op just computed: skips the checks of __init__ (a hot path)."""
        if type(array) is not np.ndarray:
            array = np.asarray(array)  # reductions over every dimension return NumPy scalars
        t = cls.__new__(cls)
        t.data, t.grad, t.requires_grad = array, None, False
        t._parents, t._backward, t._op, t._retains_grad = (), None, None, False
        return t

    # ---- autograd -----------------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, but this tensor has dtype "
                f"{self.data.dtype}; create it with dtype=nnlib.float32 (or float64)"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def backward(self, gradient=None, retain_graph=False):
        """Compute d(self)/d(leaf) for every leaf with requires_grad, adding it into `leaf.grad`."""
        autograd.backward(self, gradient, retain_graph)

    def retain_grad(self):
        """Keep `.grad` on this non-leaf tensor too (PyTorch discards intermediate gradients)."""
        self._retains_grad = True
        return self

    def detach(self):
        """The same values, cut off from the graph (shares memory with self, like PyTorch)."""
        return Tensor(self.data)

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

    def zero_(self):
        self.data[...] = 0
        return self

    # ---- conversions and properties ------------------------------------------------------------
    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, but this one has shape {self.shape}")
        return self.data.item()

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a tensor that requires grad: use tensor.detach().numpy()")
        return self.data

    def tolist(self):
        return self.data.tolist()

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    def dim(self):
        return self.data.ndim

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self):
        return self.data.size

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

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extras = ""
        if self.data.dtype not in (np.float32, np.int64, np.bool_):
            extras += f", dtype={self.data.dtype}"
        if self._op is not None and self.requires_grad:
            extras += f", grad_fn=<{self._op}>"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({body}{extras})"

    def any(self):
        return Tensor(self.data.any())

    def all(self):
        return Tensor(self.data.all())

    def argmax(self, dim=None, keepdim=False):
        return Tensor(np.argmax(self.data, axis=dim, keepdims=keepdim if dim is not None else False))

    def argmin(self, dim=None, keepdim=False):
        return Tensor(np.argmin(self.data, axis=dim, keepdims=keepdim if dim is not None else False))

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
    def __matmul__(self, other): return _ops.matmul(self, other)
    def __rmatmul__(self, other): return _ops.matmul(other, self)
    def __getitem__(self, index): return _ops.getitem(self, index)

    def __eq__(self, other): return _ops.eq(self, other)
    def __ne__(self, other): return _ops.ne(self, other)
    def __lt__(self, other): return _ops.lt(self, other)
    def __le__(self, other): return _ops.le(self, other)
    def __gt__(self, other): return _ops.gt(self, other)
    def __ge__(self, other): return _ops.ge(self, other)

    def exp(self): return _ops.exp(self)
    def log(self): return _ops.log(self)
    def sqrt(self): return _ops.sqrt(self)
    def abs(self): return _ops.abs(self)
    def clamp(self, min=None, max=None): return _ops.clamp(self, min, max)
    def maximum(self, other): return _ops.maximum(self, other)
    def relu(self): return _ops.relu(self)
    def sigmoid(self): return _ops.sigmoid(self)
    def tanh(self): return _ops.tanh(self)
    def softmax(self, dim): return _ops.softmax(self, dim)
    def log_softmax(self, dim): return _ops.log_softmax(self, dim)
    def logsumexp(self, dim, keepdim=False): return _ops.logsumexp(self, dim, keepdim)
    def sum(self, dim=None, keepdim=False): return _ops.sum(self, dim, keepdim)
    def mean(self, dim=None, keepdim=False): return _ops.mean(self, dim, keepdim)
    def var(self, dim=None, keepdim=False, correction=1): return _ops.var(self, dim, keepdim=keepdim, correction=correction)
    def max(self, dim=None, keepdim=False): return _ops.max(self, dim, keepdim)
    def matmul(self, other): return _ops.matmul(self, other)
    def reshape(self, *shape): return _ops.reshape(self, *shape)
    def view(self, *shape): return _ops.reshape(self, *shape)
    def transpose(self, dim0, dim1): return _ops.transpose(self, dim0, dim1)
    def permute(self, *dims): return _ops.permute(self, *dims)
    def squeeze(self, dim=None): return _ops.squeeze(self, dim)
    def unsqueeze(self, dim): return _ops.unsqueeze(self, dim)
    def flatten(self, start_dim=0, end_dim=-1): return _ops.flatten(self, start_dim, end_dim)
    def to(self, dtype): return _ops.to_dtype(self, dtype)
    def float(self): return _ops.to_dtype(self, float32)
    def double(self): return _ops.to_dtype(self, float64)

    @property
    def T(self):
        if self.ndim != 2:
            raise ValueError(f".T is for 2-D tensors; this one has shape {self.shape} (use permute or mT)")
        return _ops.transpose(self, 0, 1)

    @property
    def mT(self):
        return _ops.transpose(self, -2, -1)


# ---- creating tensors -------------------------------------------------------------------------
def tensor(data, dtype=None, requires_grad=False):
    """A new leaf tensor holding a copy of `data` (like torch.tensor)."""
    return Tensor(np.array(_to_array(data, dtype)), requires_grad=requires_grad)


def _shape_arg(shape):
    return tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], numbers.Integral) else tuple(shape)


def zeros(*shape, dtype=float32, requires_grad=False):
    return Tensor(np.zeros(_shape_arg(shape), dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=float32, requires_grad=False):
    return Tensor(np.ones(_shape_arg(shape), dtype=dtype), requires_grad=requires_grad)


def full(shape, fill_value, dtype=float32, requires_grad=False):
    return Tensor(np.full(shape, fill_value, dtype=dtype), requires_grad=requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return Tensor(np.zeros_like(_to_array(t), dtype=dtype), requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return Tensor(np.ones_like(_to_array(t), dtype=dtype), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None):
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = np.int64 if all(isinstance(v, numbers.Integral) for v in (start, end, step)) else float32
    return Tensor(np.arange(start, end, step, dtype=dtype))


def linspace(start, end, steps, dtype=float32):
    return Tensor(np.linspace(start, end, steps, dtype=dtype))


def eye(n, m=None, dtype=float32):
    return Tensor(np.eye(n, m, dtype=dtype))


_generator = np.random.default_rng(0)


def manual_seed(seed):
    """Seed nnlib's random number generator (randn, rand, randint, and later layer initialisation)."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_generator():
    return _generator


def randn(*shape, dtype=float32, requires_grad=False):
    return Tensor(_generator.standard_normal(_shape_arg(shape)).astype(dtype), requires_grad=requires_grad)


def rand(*shape, dtype=float32, requires_grad=False):
    return Tensor(_generator.random(_shape_arg(shape)).astype(dtype), requires_grad=requires_grad)


def randint(low, high, size, dtype=int64):
    return Tensor(_generator.integers(low, high, size=size, dtype=dtype))


autograd.Tensor = Tensor  # make_result builds its results with this class
from . import ops as _ops  # noqa: E402  (ops need the Tensor class defined above)
