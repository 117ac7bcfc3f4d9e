"""nnlib.save and nnlib.load, as torch.save and torch.load, for state dicts and checkpoints.

What is saved is a pickle of plain containers (dict, list, tuple), numbers, strings and arrays
(tensors are stored as arrays and come back as tensors). Loading refuses anything else, like
torch.load(weights_only=True): unpickling arbitrary objects would run arbitrary code.
"""
import collections
import io
import pickle

import numpy as np

from .tensor import Tensor

_ALLOWED = {
    ("collections", "OrderedDict"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "slice"),
    ("numpy", "dtype"), ("numpy", "ndarray"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"), ("nnlib.serialization", "_SavedTensor"), ("nnlib.tensor", "Size"),
}


class _SavedTensor:
    """How a tensor is stored: its array and whether it required grad."""

    def __init__(self, array, requires_grad):
        self.array, self.requires_grad = array, requires_grad


def _pack(obj):
    if isinstance(obj, Tensor):
        return _SavedTensor(np.array(obj.data), obj.requires_grad)
    if isinstance(obj, collections.OrderedDict):
        return collections.OrderedDict((k, _pack(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _pack(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_pack(v) for v in obj) if type(obj) in (list, tuple) else obj
    return obj


def _unpack(obj):
    if isinstance(obj, _SavedTensor):
        return Tensor(obj.array, requires_grad=obj.requires_grad)
    if isinstance(obj, collections.OrderedDict):
        return collections.OrderedDict((k, _unpack(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _unpack(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and type(obj) in (list, tuple):
        return type(obj)(_unpack(v) for v in obj)
    return obj


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED or module.startswith("numpy") and name.startswith("dtype"):
            return super().find_class(module, name)
        raise _Refused(f"nnlib.load refuses to load {module}.{name}: only tensors, arrays, numbers, strings and "
                       "plain containers can be loaded (as torch.load(weights_only=True))")


class _Refused(pickle.UnpicklingError):
    """A class the file names but load will not build (its own message, not "not a file written by save")."""


def save(obj, f):
    """Write `obj` (a state dict, an optimiser's state dict, or a dict holding several) to a path or a binary file."""
    data = pickle.dumps(_pack(obj), protocol=4)
    if hasattr(f, "write"):
        f.write(data)
    else:
        with open(f, "wb") as out:
            out.write(data)


def load(f, map_location=None, weights_only=True):
    """Read what `save` wrote. `map_location` may only name the CPU (nnlib's one device).

    `weights_only` is accepted for torch's spelling, but loading is always restricted (as weights_only=True).
    """
    if map_location is not None:
        from .device import check_device
        check_device(map_location)
    if hasattr(f, "read"):
        data = f.read()
    else:
        with open(f, "rb") as source:
            data = source.read()
    try:
        return _unpack(_RestrictedUnpickler(io.BytesIO(data)).load())
    except _Refused as err:
        raise RuntimeError(str(err)) from None
    except (pickle.UnpicklingError, EOFError) as err:
        raise RuntimeError(f"nnlib.load: this is not a file written by nnlib.save ({err})") from None
