"""nnlib.testing: compare results, as torch.testing does, with a message that says what is wrong.

    nnlib.testing.assert_close(x.grad, expected_grad)              # torch.testing.assert_close's call
    nnlib.testing.assert_close(x.grad, xt.grad, name="grad of x")  # the message then names the tensor

A failure says which tensor (`name`), how many elements differ, the first differing index with both
values there, and the largest difference, e.g.

    grad of x: 2 of 6 elements differ; first at index (0, 2): got 0.5, expected 0.25 (max abs difference 0.25)
"""
import numpy as np

# torch.testing.assert_close's default tolerances per dtype: (rtol, atol)
DEFAULT_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
                      np.dtype(np.float64): (1e-7, 1e-7)}


def _as_array(value):
    """An nnlib Tensor, a torch tensor (without importing torch), a NumPy array, a number or a nested list as an ndarray."""
    if hasattr(value, "detach") and hasattr(value, "cpu") and hasattr(value, "numpy"):
        return value.detach().cpu().numpy()  # a torch or nnlib tensor, even one that requires grad
    value = getattr(value, "data", value)  # an nnlib Tensor's array
    return np.asarray(value)


def _is_array_like(value):
    """Whether `value` carries a dtype of its own (a tensor or array), unlike a Python number or list."""
    return hasattr(value, "dtype")


def default_tolerances(*arrays):
    """(rtol, atol) as torch picks them: by dtype, the loosest of the inputs' (0, 0 for integers and booleans)."""
    pairs = [DEFAULT_TOLERANCES.get(a.dtype, (0.0, 0.0)) for a in arrays]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def assert_close(actual, expected, *, rtol=None, atol=None, equal_nan=False, check_dtype=True, msg=None, name=None):
    """Raise AssertionError unless `actual` and `expected` have the same shape (and, with check_dtype, the
    same dtype) and |actual - expected| <= atol + rtol |expected| holds for every element.

    Like torch.testing.assert_close: rtol and atol are given both or neither (then they follow the dtype:
    float32 1.3e-6 and 1e-5, float64 1e-7 and 1e-7, exact for integers); NaNs are equal only with
    equal_nan=True; `msg` replaces the message. The inputs may be nnlib tensors, torch tensors, NumPy
    arrays, numbers or nested lists; the dtype is compared only between inputs that have one (a Python
    list or number takes the other's). `name` (not in torch) starts the message: which tensor this is.
    """
    if (rtol is None) != (atol is None):
        raise ValueError(f"assert_close: both 'rtol' and 'atol' must be either specified or omitted, "
                         f"but got rtol={rtol} and atol={atol} (as torch.testing.assert_close)")
    a, e = _as_array(actual), _as_array(expected)
    label = name or "Tensor-likes are not close"

    def fail(text):
        raise AssertionError(msg if msg is not None else f"{label}: {text}")

    if a.shape != e.shape:
        fail(f"shape {a.shape}, expected {e.shape}")
    if check_dtype and _is_array_like(actual) and _is_array_like(expected) and a.dtype != e.dtype:
        fail(f"dtype {a.dtype}, expected {e.dtype} (pass check_dtype=False to compare the values only)")
    if rtol is None:
        rtol, atol = default_tolerances(a, e)
    if a.dtype.kind == "b" or e.dtype.kind == "b":
        bad = a != e  # booleans have no differences to scale
    else:
        bad = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
        with np.errstate(invalid="ignore"):
            difference = np.max(np.abs(a.astype(np.float64) - e.astype(np.float64))[bad])
        fail(f"{int(bad.sum())} of {bad.size} elements differ; first at index {index}: "
             f"got {a[index]!r}, expected {e[index]!r} (max abs difference {difference:.3g})")
