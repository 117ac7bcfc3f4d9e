"""Image augmentation for a batch of images, (N, C, H, W) or (N, H, W), each sample drawn independently.

Each transform is a small callable class holding its own NumPy Generator, seeded once, so a seeded
pipeline produces the same augmented batches every run. Inputs are NumPy arrays or nnlib Tensors;
the output has the input's type, shape and dtype.
"""
import numpy as np

from ..tensor import Tensor


def _images(x, name):
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if data.ndim not in (3, 4):
        raise ValueError(f"{name}: expected a batch of images of shape (N, C, H, W) or (N, H, W), "
                         f"got shape {data.shape}")
    return data


def _like(x, out):
    return Tensor(out) if isinstance(x, Tensor) else out


class RandomShift:
    """Move each image by (dy, dx), both drawn uniformly from {-max_shift, ..., max_shift}, filling with 0.

    out[..., i, j] = x[..., i - dy, j - dx] where that pixel exists, else 0.
    """

    def __init__(self, max_shift, seed=None):
        if not isinstance(max_shift, (int, np.integer)) or max_shift < 0:
            raise ValueError(f"RandomShift: max_shift must be a non-negative integer, got {max_shift!r}")
        self.max_shift, self.rng = int(max_shift), np.random.default_rng(seed)

    def __call__(self, x):
        data = _images(x, "RandomShift")
        n, h, w = data.shape[0], data.shape[-2], data.shape[-1]
        k = self.max_shift
        dy, dx = self.rng.integers(-k, k + 1, size=(2, n))
        images = data.reshape(n, -1, h, w)  # (N, H, W) is one channel
        padded = np.pad(images, ((0, 0), (0, 0), (k, k), (k, k)))  # zeros around, so shifted-in pixels are 0
        rows = np.arange(h)[None, :] - dy[:, None] + k  # (N, H): row of padded that lands on output row i
        cols = np.arange(w)[None, :] - dx[:, None] + k  # (N, W)
        out = padded[np.arange(n)[:, None, None, None], np.arange(images.shape[1])[None, :, None, None],
                     rows[:, None, :, None], cols[:, None, None, :]]
        return _like(x, out.reshape(data.shape))

    def __repr__(self):
        return f"RandomShift(max_shift={self.max_shift})"


class RandomHorizontalFlip:
    """Mirror each image left-right (reverse the last axis, W) with probability p, as torchvision's."""

    def __init__(self, p=0.5, seed=None):
        if not 0 <= p <= 1:
            raise ValueError(f"RandomHorizontalFlip: p must be a probability in [0, 1], got {p}")
        self.p, self.rng = p, np.random.default_rng(seed)

    def __call__(self, x):
        data = _images(x, "RandomHorizontalFlip")
        flip = self.rng.random(data.shape[0]) < self.p
        out = data.copy()
        out[flip] = data[flip][..., ::-1]
        return _like(x, out)

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"


class GaussianNoise:
    """x + e with e ~ N(mean, sigma^2) independently per pixel (torchvision.transforms.v2 names).

    clip=True clamps the result to [0, 1], for images in that range; torchvision clips by default,
    here it is off because the course often adds noise to standardised data.
    """

    def __init__(self, mean=0.0, sigma=0.1, clip=False, seed=None):
        if sigma < 0:
            raise ValueError(f"GaussianNoise: sigma must be non-negative, got {sigma}")
        self.mean, self.sigma, self.clip, self.rng = mean, sigma, clip, np.random.default_rng(seed)

    def __call__(self, x):
        data = _images(x, "GaussianNoise")
        if data.dtype.kind != "f":
            raise TypeError(f"GaussianNoise: expected floating-point images, got dtype {data.dtype}; "
                            "convert them first, e.g. x.astype(np.float32) / 255")
        out = data + self.rng.normal(self.mean, self.sigma, size=data.shape).astype(data.dtype)
        return _like(x, np.clip(out, 0, 1) if self.clip else out)

    def __repr__(self):
        return f"GaussianNoise(mean={self.mean}, sigma={self.sigma}, clip={self.clip})"


class Compose:
    """Apply transforms one after the other: Compose([RandomShift(1), GaussianNoise()])(x)."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, x):
        for transform in self.transforms:
            x = transform(x)
        return x

    def __repr__(self):
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"
