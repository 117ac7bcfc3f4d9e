"""nnlib.cuda, as torch.cuda: there is no GPU in nnlib, so every question has the CPU's answer."""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Accepted (and ignored) so that seeding code written for PyTorch runs unchanged."""


def manual_seed_all(seed):
    """Accepted (and ignored), as manual_seed."""


def synchronize(device=None):
    """Nothing to wait for: NumPy computes synchronously."""
