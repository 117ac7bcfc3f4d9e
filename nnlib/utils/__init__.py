"""nnlib.utils, as torch.utils: `nnlib.utils.data` is the PyTorch-named home of nnlib's data tools."""
from . import data  # noqa: F401
