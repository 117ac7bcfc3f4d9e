"""Devices, as torch.device: nnlib computes with NumPy, so its one device is the CPU.

PyTorch code names devices everywhere (`device=`, `.to(device)`, `torch.cuda.is_available()`);
nnlib accepts the same vocabulary so that such code runs unchanged on the CPU, and refuses a GPU
with an error that says where to go next.
"""


class device:
    """A device name with an optional index, as torch.device("cpu") or torch.device("cuda", 0)."""

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        name = str(type)
        if ":" in name:
            name, _, number = name.partition(":")
            index = int(number)
        if name != "cpu":
            raise RuntimeError(
                f"nnlib runs on the CPU only (it is NumPy), so device {str(type)!r} is not available. "
                "To run on a GPU, use PyTorch itself: change `import nnlib` to `import torch`.")
        self.type, self.index = name, index

    def __eq__(self, other):
        if isinstance(other, str):  # x.device == "cuda" is False (not an error), as in torch
            name, _, number = other.partition(":")
            return (self.type, self.index) == (name, int(number) if number else None)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"


cpu_device = device("cpu")
_default = cpu_device


def check_device(requested):
    """The device `requested` names (None means the default), or the CPU-only error for a GPU."""
    if requested is None:
        return _default
    return requested if isinstance(requested, device) else device(requested)


def set_default_device(requested):
    """As torch.set_default_device: only "cpu" (or None) is possible in nnlib."""
    global _default
    _default = cpu_device if requested is None else check_device(requested)


def get_default_device():
    return _default
