"""Standardisation: rescale each feature to zero mean and unit variance, using training statistics only."""
import numpy as np

from ..tensor import Tensor


class StandardScaler:
    """z = (x - mean_) / scale_, per feature, with the statistics of the data given to fit().

    mean_ = (1/N) sum_n x_n and var_ = (1/N) sum_n (x_n - mean_)^2 (the biased variance, as
    scikit-learn), scale_ = sqrt(var_), computed in float64. A feature that is constant in the
    training data gets scale_ = 1, so it maps to 0 instead of dividing by zero (scikit-learn's
    rule: var_ <= N eps var_ + (N mean_ eps)^2 counts as constant, since rounding leaves a constant
    column a tiny nonzero variance). Fit on the training split only: validation and test data must be
    transformed with the training statistics, or information about them leaks into training.

    Inputs are (N, features...) NumPy arrays or nnlib Tensors; outputs have the same type and keep
    a float input's dtype (integers become float64).
    """

    def __init__(self, with_mean=True, with_std=True):
        self.with_mean, self.with_std = with_mean, with_std
        self.mean_ = self.var_ = self.scale_ = None
        self.n_samples_seen_ = 0

    @staticmethod
    def _array(X, where):
        data = X.data if isinstance(X, Tensor) else np.asarray(X)
        if data.ndim < 2 or data.dtype.kind not in "biuf":
            raise ValueError(f"StandardScaler.{where}: expected a numeric array of shape (n_samples, n_features), "
                             f"got shape {data.shape} and dtype {data.dtype}")
        return data

    def fit(self, X):
        data = self._array(X, "fit")
        self.n_samples_seen_ = n = data.shape[0]
        self.mean_ = data.mean(axis=0, dtype=np.float64)
        centred = data - self.mean_
        # corrected two-pass variance (Chan, Golub & LeVeque, as scikit-learn): the second term removes
        # the rounding error left in mean_, so a constant column gets exactly 0
        self.var_ = ((centred ** 2).sum(axis=0) - centred.sum(axis=0) ** 2 / n) / n
        eps = np.finfo(np.float64).eps
        constant = self.var_ <= n * eps * self.var_ + (n * self.mean_ * eps) ** 2
        self.scale_ = np.where(constant, 1.0, np.sqrt(self.var_))
        return self

    def _check_fitted(self, data, where):
        if self.mean_ is None:
            raise RuntimeError(f"StandardScaler.{where}: this scaler is not fitted yet; call fit(X_train) first")
        if data.shape[1:] != self.mean_.shape:
            raise ValueError(f"StandardScaler.{where}: fitted on samples of shape {self.mean_.shape}, "
                             f"got X of shape {data.shape}")

    @staticmethod
    def _like(X, data, out):
        out = out.astype(data.dtype if data.dtype.kind == "f" else np.float64, copy=False)
        return Tensor(out) if isinstance(X, Tensor) else out

    def transform(self, X):
        data = self._array(X, "transform")
        self._check_fitted(data, "transform")
        out = data - self.mean_ if self.with_mean else data.astype(np.float64)
        return self._like(X, data, out / self.scale_ if self.with_std else out)

    def fit_transform(self, X):
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        """x = z * scale_ + mean_: back to the original units."""
        data = self._array(Z, "inverse_transform")
        self._check_fitted(data, "inverse_transform")
        out = data * self.scale_ if self.with_std else data.astype(np.float64)
        return self._like(Z, data, out + self.mean_ if self.with_mean else out)

    def __repr__(self):
        return f"StandardScaler(with_mean={self.with_mean}, with_std={self.with_std})"
