"""Classification metrics: accuracy, confusion matrix, precision / recall / F1.

Inputs are integer class labels (NumPy arrays or nnlib Tensors), not scores: pass
`logits.argmax(dim=1)`. Results equal scikit-learn's (sklearn.metrics with zero_division=0).
"""
import numpy as np

from .tensor import Tensor


def _labels(y, name, where):
    data = y.data if isinstance(y, Tensor) else np.asarray(y)
    if data.size and data.dtype.kind not in "biu":  # an empty list becomes float64: the size check catches it
        raise TypeError(f"{where}: {name} must hold integer class labels, got dtype {data.dtype}"
                        + ("; for scores or logits pass their argmax(dim=1)" if data.dtype.kind == "f" else ""))
    return data


def _pair(y_true, y_pred, where, one_d=True):
    y_true, y_pred = _labels(y_true, "y_true", where), _labels(y_pred, "y_pred", where)
    if y_true.shape != y_pred.shape or (one_d and y_true.ndim != 1) or y_true.size == 0:
        raise ValueError(f"{where}: y_true and y_pred must be non-empty {'1-D ' if one_d else ''}arrays of the same "
                         f"shape, got {y_true.shape} and {y_pred.shape}")
    return y_true.astype(np.int64), y_pred.astype(np.int64)


def accuracy(y_true, y_pred):
    """accuracy = (1/N) sum_n 1[y_pred_n = y_true_n], the fraction of correct labels (any equal shapes)."""
    y_true, y_pred = _pair(y_true, y_pred, "accuracy", one_d=False)
    return float(np.mean(y_true == y_pred))


def _check_range(y_true, y_pred, num_classes, where):
    low, high = min(y_true.min(), y_pred.min()), max(y_true.max(), y_pred.max())
    if low < 0 or high >= num_classes:
        raise ValueError(f"{where}: labels must be in [0, {num_classes}) for num_classes={num_classes}, "
                         f"got labels from {low} to {high}")


def confusion_matrix(y_true, y_pred, num_classes=None):
    """C[i, j] = number of samples of true class i predicted as class j (scikit-learn's orientation:
    rows are the truth, columns the prediction), for classes 0..num_classes-1.

    num_classes=None uses max(label) + 1. The diagonal holds the correct predictions, so
    accuracy = trace(C) / sum(C).
    """
    y_true, y_pred = _pair(y_true, y_pred, "confusion_matrix")
    if num_classes is None:
        num_classes = int(max(y_true.max(), y_pred.max())) + 1
    _check_range(y_true, y_pred, num_classes, "confusion_matrix")
    return np.bincount(num_classes * y_true + y_pred, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def _safe_divide(numerator, denominator):
    """numerator / denominator, and 0 where the denominator is 0 (scikit-learn's zero_division=0)."""
    numerator, denominator = np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)


def precision_recall_f1(y_true, y_pred, average="macro", num_classes=None):
    """Precision, recall and F1, per class and averaged. Returns (precision, recall, f1).

    For class c, with TP_c, FP_c, FN_c the true positives, false positives and false negatives:
        P_c = TP_c / (TP_c + FP_c)      R_c = TP_c / (TP_c + FN_c)
        F1_c = 2 P_c R_c / (P_c + R_c) = 2 TP_c / (2 TP_c + FP_c + FN_c)
    and 0 wherever a denominator is 0 (a class never predicted has P_c = 0).
    average=None:       the per-class arrays;
    average='macro':    (1/K) sum_c over the K classes, each class counting equally;
    average='weighted': sum_c (N_c / N) * metric_c, weighted by support N_c = TP_c + FN_c;
    average='micro':    the formulas applied to TP, FP, FN summed over classes; for single-label
                        multiclass data sum_c FP_c = sum_c FN_c = the number of errors, so
                        micro P = R = F1 = accuracy.
    The classes are 0..num_classes-1 when num_classes is given, otherwise (as scikit-learn) the
    sorted labels that occur in y_true or y_pred.
    """
    if average not in (None, "macro", "micro", "weighted"):
        raise ValueError(f"precision_recall_f1: average must be None, 'macro', 'micro' or 'weighted', got {average!r}")
    y_true, y_pred = _pair(y_true, y_pred, "precision_recall_f1")
    if num_classes is None:
        classes = np.union1d(y_true, y_pred)
    else:
        _check_range(y_true, y_pred, num_classes, "precision_recall_f1")
        classes = np.arange(num_classes)
    C = confusion_matrix(np.searchsorted(classes, y_true), np.searchsorted(classes, y_pred), len(classes))
    tp = np.diag(C)
    fp, fn = C.sum(axis=0) - tp, C.sum(axis=1) - tp  # predicted as c but not c; truly c but missed
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    precision, recall, f1 = _safe_divide(tp, tp + fp), _safe_divide(tp, tp + fn), _safe_divide(2 * tp, 2 * tp + fp + fn)
    if average is None:
        return precision, recall, f1
    if average == "micro":
        return float(precision), float(recall), float(f1)
    weights = tp + fn if average == "weighted" else None  # None: the plain mean over classes
    return tuple(float(np.average(m, weights=weights)) for m in (precision, recall, f1))
