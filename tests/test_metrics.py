"""nnlib.metrics equals sklearn.metrics (zero_division=0) on many random cases, and rejects bad labels."""
import numpy as np
import pytest
from sklearn import metrics as skm

import nnlib
from nnlib.metrics import accuracy, confusion_matrix, precision_recall_f1


def random_case(seed):
    """Labels in 0..K-1 where y_pred uses only some classes, and y_true sometimes misses some too."""
    rng = np.random.default_rng(seed)
    K = int(rng.integers(2, 7))
    n = int(rng.integers(1, 40))
    y_true = rng.integers(0, K if seed % 3 else K - 1, size=n)
    predicted_classes = rng.choice(K, size=int(rng.integers(1, K + 1)), replace=False)
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.choice(predicted_classes, size=n))
    if seed % 4 == 0:
        y_pred = rng.choice(predicted_classes, size=n)
    return y_true, y_pred, K


SEEDS = range(60)


@pytest.mark.parametrize("seed", SEEDS)
def test_accuracy_and_confusion_matrix_equal_sklearn(seed):
    y_true, y_pred, K = random_case(seed)
    assert accuracy(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, num_classes=K),
                                  skm.confusion_matrix(y_true, y_pred, labels=range(K)))


@pytest.mark.parametrize("average", ["macro", "micro", "weighted", None])
@pytest.mark.parametrize("seed", SEEDS)
def test_precision_recall_f1_equal_sklearn(seed, average):
    y_true, y_pred, K = random_case(seed)
    for ours_kw, sk_kw in (({}, {}), ({"num_classes": K}, {"labels": list(range(K))})):
        ours = precision_recall_f1(y_true, y_pred, average=average, **ours_kw)
        p, r, f, _ = skm.precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0, **sk_kw)
        for name, got, want in zip("PRF", ours, (p, r, f)):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, err_msg=f"{name} with {ours_kw or 'default classes'}")


def test_classes_absent_from_predictions_score_zero_precision():
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 0, 0, 1, 1, 1])  # class 2 is never predicted
    p, r, f = precision_recall_f1(y_true, y_pred, average=None)
    np.testing.assert_allclose(p, [2 / 3, 1 / 3, 0.0])
    np.testing.assert_allclose(r, [1.0, 0.5, 0.0])
    np.testing.assert_allclose(f, [2 * 2 / (4 + 1), 2 / (2 + 2 + 1), 0.0])
    # a class in neither y_true nor y_pred counts (as zeros) only when num_classes names it
    assert precision_recall_f1(y_true, y_pred)[0] == pytest.approx(1 / 3)
    assert precision_recall_f1(y_true, y_pred, num_classes=4)[0] == pytest.approx(1 / 4)


@pytest.mark.parametrize("seed", range(20))
def test_micro_precision_recall_f1_equal_accuracy(seed):
    y_true, y_pred, K = random_case(seed)
    acc = accuracy(y_true, y_pred)
    assert precision_recall_f1(y_true, y_pred, average="micro") == pytest.approx((acc, acc, acc), abs=1e-15)


def test_labels_need_not_start_at_zero():
    y_true, y_pred = np.array([-1, 3, 7, 7, 3]), np.array([3, 3, 7, -1, -1])
    ours = precision_recall_f1(y_true, y_pred, average=None)
    theirs = skm.precision_recall_fscore_support(y_true, y_pred, zero_division=0)[:3]
    for got, want in zip(ours, theirs):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_accepts_tensors_and_the_argmax_of_logits():
    logits = nnlib.tensor([[2.0, 0.1], [0.3, 1.0], [0.0, -1.0]])
    y = nnlib.tensor([0, 0, 0])
    assert accuracy(y, logits.argmax(dim=1)) == pytest.approx(2 / 3)
    np.testing.assert_array_equal(confusion_matrix(y, logits.argmax(dim=1), num_classes=2), [[2, 1], [0, 0]])


def test_accuracy_works_on_sequences_of_tokens():
    assert accuracy(np.array([[1, 2], [3, 4]]), np.array([[1, 0], [3, 4]])) == 0.75


def test_confusion_matrix_orientation_and_trace():
    C = confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1])
    np.testing.assert_array_equal(C, [[1, 0, 0], [0, 0, 1], [0, 1, 1]])  # row = truth, column = prediction
    assert np.trace(C) / C.sum() == accuracy([0, 1, 2, 2], [0, 2, 2, 1])


def test_bad_inputs_get_clear_errors():
    with pytest.raises(TypeError, match=r"y_pred must hold integer class labels, got dtype float64; .*argmax"):
        accuracy(np.array([0, 1]), np.array([0.2, 0.9]))
    with pytest.raises(ValueError, match=r"same shape, got \(3,\) and \(2,\)"):
        precision_recall_f1([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\) for num_classes=2, got labels from 0 to 3"):
        confusion_matrix([0, 1], [3, 1], num_classes=2)
    with pytest.raises(ValueError, match=r"average must be None, 'macro', 'micro' or 'weighted', got 'binary'"):
        precision_recall_f1([0, 1], [0, 1], average="binary")
    with pytest.raises(ValueError, match="non-empty"):
        accuracy([], [])
