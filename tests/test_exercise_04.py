"""Exercise 04: plausible wrong answers lose their question's points, with a message that says why."""
import pytest

from coursetools.authoring import assert_only_this_question_fails, grade_each

WRONG = {  # label: (question, the learner's code, words the failure message must contain)
    "top-k from an ascending argsort (the k smallest)": ("q1_top_k_accuracy", '''
def top_k_accuracy(logits, labels, k):
    top_k = np.argsort(logits, axis=1)[:, :k]
    return float(np.mean(np.any(top_k == labels[:, None], axis=1)))
''', "k SMALLEST logits"),
    "naive log-softmax (the chapter's common mistake)": ("q2_log_softmax", '''
def log_softmax(z, dim):
    return np.log(np.exp(z) / np.exp(z).sum(axis=dim, keepdims=True))
''', "subtract the maximum along dim before exp"),
    "log-softmax shifted by the maximum of the whole array": ("q2_log_softmax", '''
def log_softmax(z, dim):
    shifted = z - z.max()
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
''', "maximum of the whole array"),
    "binary cross-entropy through sigmoid(z) (overflows)": ("q3_bce_with_logits", '''
def bce_with_logits(z, y):
    p = 1 / (1 + np.exp(-z))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
''', "write the loss without computing sigmoid(z)"),
    "log(1 + e^z) - y z derived but typed in as written (overflows)": ("q3_bce_with_logits", '''
def bce_with_logits(z, y):
    return float(np.mean(np.log1p(np.exp(z)) - y * z))
''', "log(1 + e^z) as written"),
    "binary cross-entropy summed instead of averaged": ("q3_bce_with_logits", '''
def bce_with_logits(z, y):
    return float(np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))))
''', "return the mean"),
    "plateau taken as ln K, the uniform guess": ("q4_best_constant_loss", '''
def best_constant_loss(labels, num_classes):
    return float(np.log(num_classes))
''', "uniform guess"),
    "entropy with 0 log 0 = nan for absent classes": ("q4_best_constant_loss", '''
def best_constant_loss(labels, num_classes):
    p = np.bincount(labels, minlength=num_classes) / len(labels)
    return float(-np.sum(p * np.log(p)))
''', "0 * log 0"),
    "the given code handed in unchanged": ("q5_train_fixed", '''
def train_fixed(Z, labels, epochs=10, lr=0.2, seed=0):
    return train_given(Z, labels, epochs, lr, seed)
''', "both bugs are still there"),
    "only the softmax removed (gradients still accumulate)": ("q5_train_fixed", '''
def train_fixed(Z, labels, epochs=10, lr=0.2, seed=0):
    nnlib.manual_seed(seed)
    model = make_mlp()
    optimizer = nnlib.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(Z, labels), batch_size=32, shuffle=True, seed=seed)
    for epoch in range(epochs):
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
    return model
''', "optimizer.zero_grad()"),
    "only zero_grad added (the loss still sees probabilities)": ("q5_train_fixed", '''
def train_fixed(Z, labels, epochs=10, lr=0.2, seed=0):
    nnlib.manual_seed(seed)
    model = make_mlp()
    optimizer = nnlib.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(Z, labels), batch_size=32, shuffle=True, seed=seed)
    for epoch in range(epochs):
        for xb, yb in loader:
            loss = F.cross_entropy(F.softmax(model(xb), dim=1), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model
''', "pass it the logits"),
    "thresholds searched from the top (reversed order)": ("q6_threshold_for_precision", '''
def threshold_for_precision(scores, labels, min_precision):
    for t in np.unique(scores)[::-1]:
        called = scores >= t
        if np.sum(called & (labels == 1)) >= min_precision * np.sum(called):
            return float(t)
''', "finds only"),
    "precision strictly above the bar": ("q6_threshold_for_precision", '''
def threshold_for_precision(scores, labels, min_precision):
    positive = labels == 1
    for t in np.unique(scores):
        called = scores >= t
        if np.sum(called & positive) > min_precision * np.sum(called):
            return float(np.min(scores[called & positive]))
''', "exactly equal to the bar counts"),
    "the first threshold that reaches the bar, without the precision tie-break": ("q6_threshold_for_precision", '''
def threshold_for_precision(scores, labels, min_precision):
    for t in np.unique(scores):
        called = scores >= t
        if np.sum(called & (labels == 1)) >= min_precision * np.sum(called):
            return float(t)
''', "the same recall with a higher precision"),
    "thresholds as positions in the sorted order (a tie split in two)": ("q6_threshold_for_precision", '''
def threshold_for_precision(scores, labels, min_precision):
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(labels[order] == 1)
    ok = np.flatnonzero(tp >= min_precision * np.arange(1, len(scores) + 1))
    return float(scores[order][ok[np.argmax(tp[ok])]])
''', "a tie cannot be split"),
    "an image called positive when its score is > t, not >= t": ("q6_threshold_for_precision", '''
def threshold_for_precision(scores, labels, min_precision):
    positive = labels == 1
    for t in np.unique(scores):
        called = scores > t
        if np.sum(called & positive) >= min_precision * np.sum(called):
            return float(np.min(scores[called & positive]))
''', "the lower threshold 0.5 also reaches it"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_each("04_mlp_classifier", {label: {question: code} for label, (question, code, _) in WRONG.items()},
                      tmp_path_factory.mktemp("wrong_answers"))


@pytest.mark.parametrize("label", WRONG)
def test_a_wrong_answer_loses_its_points_and_says_why(graded, label):
    question, _, says = WRONG[label]
    assert_only_this_question_fails(graded[label], question, says)
