"""Optimizer: the base class of every update rule, as torch.optim.Optimizer.

An optimiser holds `param_groups` (a list of dicts: 'params' plus options such as 'lr') and `state`
(a dict per parameter: momentum buffers, moment estimates). `step()` walks every parameter that has a
gradient and hands it to the subclass's `_update`, which changes `param.data` in place: an update is
not part of any graph. `state_dict()` has torch's layout, with parameters replaced by their index:

    {'state': {0: {'momentum_buffer': array}, ...},
     'param_groups': [{'lr': 0.1, 'momentum': 0.9, ..., 'params': [0, 1]}, ...]}
"""
import copy
from collections import defaultdict

import numpy as np

from ..autograd import enable_grad
from ..nn.module import state_value_to_numpy
from ..tensor import Tensor


class Optimizer:
    """Base class: subclasses pass their defaults and define `_update(param, grad, group)`."""

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {type(params).__name__}; wrap it in a list: [param]")
        if isinstance(params, set):
            raise TypeError("optimizer parameters need an order that is the same on every run: pass a list, not a set")
        self.defaults = defaults
        self.state = defaultdict(dict)  # parameter -> its buffers, created on its first update
        self.param_groups = []
        param_groups = list(params)  # model.parameters() is a generator: read it once
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group of parameters with its own options; options it leaves out take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)  # the caller's dict stays as it was
        params = group["params"]
        if isinstance(params, set):
            raise TypeError("optimizer parameters need an order that is the same on every run: pass a list, not a set")
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor: optimise the leaves it was computed from")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_options(group)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def _check_options(self, group):
        """Raise ValueError naming a bad option (checked for every group, not only the defaults)."""
        if group["lr"] < 0:
            raise ValueError(f"Invalid learning rate: {group['lr']} (expected lr >= 0)")

    def zero_grad(self, set_to_none=True):
        """Forget the gradients: set them to None (the default, as torch) or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.data[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient; `closure` (optional) recomputes and returns the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:  # as torch: no gradient means no update and no state
                    self._update(p, p.grad.data, group)
        return loss

    def _update(self, param, grad, group):
        """Apply this optimiser's rule to one parameter, in place on param.data."""
        raise NotImplementedError(f"{type(self).__name__} must define _update(param, grad, group)")

    # ---- saving and loading ----------------------------------------------------------------------------
    def state_dict(self):
        """The options and buffers, with each parameter replaced by its index (torch's layout); NumPy copies."""
        index = {}
        param_groups = []
        for group in self.param_groups:
            packed = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            param_groups.append(packed)
        state = {index[id(p)]: {key: np.array(value) for key, value in buffers.items()}
                 for p, buffers in self.state.items()}
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Take options and buffers from state_dict() of an optimiser of the same kind over the same
        parameters (nnlib's or torch's): the groups must have the same number of parameters."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, "
                             f"but this optimizer has {len(self.param_groups)}")
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(f"loaded state dict's parameter group {i} has {len(saved['params'])} parameters, "
                                 f"but this optimizer's group {i} has {len(group['params'])}")
        param_of_index = {index: p for group, saved in zip(self.param_groups, saved_groups)
                          for index, p in zip(saved["params"], group["params"])}
        state = defaultdict(dict)
        for index, buffers in state_dict["state"].items():
            if index not in param_of_index:
                raise ValueError(f"loaded state dict has state for parameter {index}, "
                                 f"but its param_groups list only {sorted(param_of_index)}")
            p = param_of_index[index]
            for key, value in buffers.items():
                value = state_value_to_numpy(value)
                if value.ndim > 0 and value.shape != p.data.shape:
                    raise ValueError(f"loaded state '{key}' of parameter {index} has shape {value.shape}, "
                                     f"but the parameter has shape {p.data.shape}")
                if key != "step" and value.dtype.kind == "f":
                    value = value.astype(p.data.dtype)  # buffers follow the parameter's dtype, as in torch
                state[p][key] = value
        self.state = state
        self.param_groups = [{**copy.deepcopy({k: v for k, v in saved.items() if k != "params"}),
                              "params": group["params"]}
                             for group, saved in zip(self.param_groups, saved_groups)]

    def __repr__(self):
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"
