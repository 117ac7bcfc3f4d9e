"""Containers: ModuleList holds modules for a custom forward; Sequential also runs them in order."""
from .module import Module


class ModuleList(Module):
    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module):
        setattr(self, str(len(self._modules)), module)  # keys "0", "1", ... as in PyTorch's state_dict
        return self

    def __getitem__(self, index):
        """One module, or for a slice a new ModuleList of those modules (numbered from 0, as in PyTorch)."""
        modules = list(self._modules.values())
        return ModuleList(modules[index]) if isinstance(index, slice) else modules[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class Sequential(ModuleList):
    """Sequential(a, b, c)(x) = c(b(a(x)))."""

    def __init__(self, *modules):
        super().__init__(modules)

    def __getitem__(self, index):
        """One module, or for a slice a Sequential of those modules that keeps their names, as in PyTorch:
        model[:2] runs the first two layers, and its state_dict keys are the full model's ("0.weight", ...)."""
        if not isinstance(index, slice):
            return super().__getitem__(index)
        part = Sequential()
        for name in list(self._modules)[index]:
            setattr(part, name, self._modules[name])
        return part

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x
