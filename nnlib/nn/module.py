"""Module: the base class of every layer, as in torch.nn.Module.

Assigning a Parameter, a Module or (via register_buffer) a buffer to an attribute registers it, in
order; parameters(), state_dict() and friends walk those registries. Names and nesting follow
PyTorch exactly, so state_dict() keys are the same as the PyTorch twin's.
"""
from collections import OrderedDict

import numpy as np

from ..device import check_device
from ..device import device as device_type
from ..tensor import Tensor
from .parameter import Parameter


def state_value_to_numpy(value):
    """A NumPy copy of a state-dict value: a NumPy array, an nnlib Tensor or a torch tensor."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor, without importing torch
        value = value.detach().cpu().numpy()
    return np.array(getattr(value, "data", value) if isinstance(value, Tensor) else value)


class Module:
    """Base class for layers and models: subclasses set attributes in __init__ and define forward()."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"call super().__init__() in {type(self).__name__}.__init__ before assigning attributes")
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        elif name in self.__dict__.get("_buffer_names", ()):
            self._buffers[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name, tensor):
        """State that is saved in state_dict but not trained (BatchNorm's running statistics)."""
        self.__dict__.setdefault("_buffer_names", set()).add(name)
        setattr(self, name, tensor)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ---- walking the tree ------------------------------------------------------------------------
    def named_children(self):
        return iter(self._modules.items())

    def children(self):
        return iter(self._modules.values())

    def named_modules(self, prefix=""):
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        return (m for _, m in self.named_modules())

    def named_parameters(self, prefix="", recurse=True):
        """(name, parameter) pairs, each parameter once even if shared by two layers."""
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, p in module._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{module_prefix}.{name}" if module_prefix else name), p

    def parameters(self, recurse=True):
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix=""):
        for module_prefix, module in self.named_modules(prefix):
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{module_prefix}.{name}" if module_prefix else name), b

    # ---- modes and gradients ------------------------------------------------------------------------
    def train(self, mode=True):
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.data[...] = 0

    def to(self, *args, **kwargs):
        """module.to(dtype), module.to(device) or both, as torch: floating-point parameters and buffers
        change dtype in place; the only device is the CPU (a GPU request is a clear error)."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        for arg in args:
            if isinstance(arg, (str, device_type)):
                device = arg
            else:
                dtype = arg
        check_device(device)
        if dtype is not None:
            for tensor in list(self.parameters()) + [b for _, b in self.named_buffers()]:
                if tensor.data.dtype.kind == "f":
                    tensor.data = tensor.data.astype(dtype)
                    tensor.grad = None
        return self

    def cpu(self):
        return self

    def cuda(self, device=None):
        check_device("cuda" if device is None else device)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def double(self):
        return self.to(np.float64)

    def float(self):
        return self.to(np.float32)

    # ---- saving and loading ---------------------------------------------------------------------------
    def state_dict(self):
        """Parameters and buffers by their PyTorch names, as NumPy copies (torch.from_numpy takes them)."""
        state = OrderedDict()
        for module_prefix, module in self.named_modules():
            for registry in (module._parameters, module._buffers):
                for name, value in registry.items():
                    if value is not None:
                        key = f"{module_prefix}.{name}" if module_prefix else name
                        state[key] = np.array(value.data)
        return state

    def load_state_dict(self, state_dict, strict=True):
        """Copy values in by name: from another nnlib module's state_dict() or a torch module's."""
        own = OrderedDict()
        for module_prefix, module in self.named_modules():
            for registry in (module._parameters, module._buffers):
                for name, value in registry.items():
                    if value is not None:
                        own[f"{module_prefix}.{name}" if module_prefix else name] = value
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict for {type(self).__name__}: missing keys {missing}, unexpected keys {unexpected}")
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_value_to_numpy(state_dict[key])
            if value.shape != target.data.shape:
                raise ValueError(f"load_state_dict: '{key}' has shape {value.shape} here but {target.data.shape} in the model")
            target.data[...] = value.astype(target.data.dtype)
        return missing, unexpected

    # ---- printing ------------------------------------------------------------------------------------
    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = [f"({name}): " + repr(child).replace("\n", "\n  ") for name, child in self._modules.items()]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = [extra] if extra else []
        return f"{type(self).__name__}(\n  " + "\n  ".join(head + lines) + "\n)"
