"""Exercise 06: plausible wrong answers lose their question's points, with a message that says why."""
import pytest

from coursetools.authoring import assert_only_this_question_fails, grade_each

PCA_ERROR_RIGHT = '''
def reconstruction_error_from_eigenvalues(X, k):
    m = len(X)
    values = np.linalg.eigvalsh(np.cov(X.T))[::-1]
    return float((m - 1) / m * values[k:].sum())
'''
PCA_RECONSTRUCT_RIGHT = '''
def pca_reconstruct(X, k):
    mean = X.mean(axis=0)
    V = np.linalg.eigh(np.cov(X.T))[1][:, ::-1][:, :k]
    return mean + (X - mean) @ V @ V.T
'''

ELASTIC_NET = '''
def elastic_net(X, y, alpha, l1_ratio, steps):
    m, n = X.shape
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    lr = 1.0 / np.linalg.eigvalsh(Xc.T @ Xc / m).max()
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    theta = np.zeros(n)
    for _ in range(steps):
        v = theta - lr * Xc.T @ (Xc @ theta - yc) / m
        theta = PROX
    return theta, float(y_mean - x_mean @ theta)
'''
COORDINATE_DESCENT = '''
def lasso_coordinate_descent(X, y, lam, sweeps):
    m, n = X.shape
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = CENTRED
    z = (Xc ** 2).sum(axis=0) / m
    theta, residual = np.zeros(n), yc.copy()
    for _ in range(sweeps):
        for j in ORDER:
            rho = Xc[:, j] @ (residual + Xc[:, j] * theta[j]) / m
            new = soft_threshold(rho, lam) / z[j]
            residual -= Xc[:, j] * (new - theta[j])
            theta[j] = new
    return theta, float(y_mean - x_mean @ theta)
'''
EARLY_STOPPING = '''
def early_stopping(val_losses, patience):
    best_epoch, best_loss, waited = 1, val_losses[0], 0
    for epoch in range(2, len(val_losses) + 1):
        if val_losses[epoch - 1] COMPARE best_loss:
            best_epoch, best_loss, waited = epoch, val_losses[epoch - 1], 0
        else:
            waited += 1
        if waited == patience:
            return best_epoch OFFSET, epoch OFFSET
    return best_epoch OFFSET, len(val_losses) OFFSET
'''


def variant(template, **parts):
    for name, text in parts.items():
        template = template.replace(name, text)
    return template


WRONG = {  # label: (question, the learner's code, words the failure message must contain)
    "L2 prox as a gradient step": ("q1_l2_prox", '''
def l2_prox(v, t):
    return v * (1 - t)
''', "one gradient step"),
    "L2 prox as soft-thresholding": ("q1_l2_prox", '''
def l2_prox(v, t):
    return soft_threshold(v, t)
''', "soft-thresholding"),
    "early stopping: the given bug left in": ("q2_early_stopping", '''
def early_stopping(val_losses, patience):
    return early_stopping_buggy(val_losses, patience)
''', "not with the epoch before it"),
    "early stopping: patience off by one": ("q2_early_stopping", '''
def early_stopping(val_losses, patience):
    best_epoch, best_loss, waited = 1, val_losses[0], 0
    for epoch in range(2, len(val_losses) + 1):
        if val_losses[epoch - 1] < best_loss:
            best_epoch, best_loss, waited = epoch, val_losses[epoch - 1], 0
        else:
            waited += 1
        if waited > patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)
''', "off-by-one"),
    "early stopping: restores the last epoch": ("q2_early_stopping", '''
def early_stopping(val_losses, patience):
    best_loss, waited = val_losses[0], 0
    for epoch in range(2, len(val_losses) + 1):
        if val_losses[epoch - 1] < best_loss:
            best_loss, waited = val_losses[epoch - 1], 0
        else:
            waited += 1
        if waited == patience:
            return epoch, epoch
    return len(val_losses), len(val_losses)
''', "had a lower loss"),
    "FGSM down the gradient": ("q3_fgsm_linear", '''
def fgsm_linear(W, b, X, y, eps):
    z = X @ W.T + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    return np.clip(X - eps * np.sign(p @ W), 0.0, 1.0)
''', "stepped against the gradient"),
    "FGSM without clipping": ("q3_fgsm_linear", '''
def fgsm_linear(W, b, X, y, eps):
    z = X @ W.T + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    return X + eps * np.sign(p @ W)
''', "clip the result"),
    "FGSM with the gradient instead of its sign": ("q3_fgsm_linear", '''
def fgsm_linear(W, b, X, y, eps):
    z = X @ W.T + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    return np.clip(X + eps * p @ W / len(y), 0.0, 1.0)
''', "sign(gradient)"),
    "PCA reconstruction without the mean": ("q4_pca_reconstruction", '''
def pca_reconstruct(X, k):
    mean = X.mean(axis=0)
    V = np.linalg.eigh(np.cov(X.T))[1][:, ::-1][:, :k]
    return (X - mean) @ V @ V.T
''' + PCA_ERROR_RIGHT, "add the mean back"),
    "PCA with eigh's first columns (least variance)": ("q4_pca_reconstruction", '''
def pca_reconstruct(X, k):
    mean = X.mean(axis=0)
    V = np.linalg.eigh(np.cov(X.T))[1][:, :k]
    return mean + (X - mean) @ V @ V.T
''' + PCA_ERROR_RIGHT, "ascending order"),
    "PCA error as the sum of discarded eigenvalues (m - 1 vs m)": ("q4_pca_reconstruction", PCA_RECONSTRUCT_RIGHT + '''
def reconstruction_error_from_eigenvalues(X, k):
    return float(np.linalg.eigvalsh(np.cov(X.T))[::-1][k:].sum())
''', "np.cov divides by m - 1"),
    "elastic net with the lasso's proximal step": ("q5_elastic_net", '''
def elastic_net(X, y, alpha, l1_ratio, steps):
    m, n = X.shape
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    lr = 1.0 / np.linalg.eigvalsh(Xc.T @ Xc / m).max()
    theta = np.zeros(n)
    for _ in range(steps):
        theta = soft_threshold(theta - lr * Xc.T @ (Xc @ theta - yc) / m, lr * alpha * l1_ratio)
    return theta, float(y_mean - x_mean @ theta)
''', "L2 part of the penalty is missing"),
    "elastic net without an intercept": ("q5_elastic_net", '''
def elastic_net(X, y, alpha, l1_ratio, steps):
    m, n = X.shape
    lr = 1.0 / np.linalg.eigvalsh(X.T @ X / m).max()
    theta = np.zeros(n)
    for _ in range(steps):
        v = theta - lr * X.T @ (X @ theta - y) / m
        theta = soft_threshold(v, lr * alpha * l1_ratio) / (1 + lr * alpha * (1 - l1_ratio))
    return theta, 0.0
''', "fit the unpenalised intercept"),
    "coordinate descent without updating the residual (Jacobi)": ("q6_lasso_coordinate_descent", '''
def lasso_coordinate_descent(X, y, lam, sweeps):
    m, n = X.shape
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    z = (Xc ** 2).sum(axis=0) / m
    theta = np.zeros(n)
    for _ in range(sweeps):
        residual = yc - Xc @ theta
        theta = soft_threshold(Xc.T @ residual / m + z * theta, lam) / z
    return theta, float(y_mean - x_mean @ theta)
''', "update the residual after each coordinate"),
    "coordinate descent with the threshold lam * m": ("q6_lasso_coordinate_descent", '''
def lasso_coordinate_descent(X, y, lam, sweeps):
    m, n = X.shape
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    z = (Xc ** 2).sum(axis=0) / m
    theta, residual = np.zeros(n), yc.copy()
    for _ in range(sweeps):
        for j in range(n):
            rho = Xc[:, j] @ (residual + Xc[:, j] * theta[j]) / m
            new = soft_threshold(rho, lam * m) / z[j]
            residual -= Xc[:, j] * (new - theta[j])
            theta[j] = new
    return theta, float(y_mean - x_mean @ theta)
''', "your threshold is lam times m"),
    "coordinate descent without dividing by |x_j|^2 / m": ("q6_lasso_coordinate_descent", '''
def lasso_coordinate_descent(X, y, lam, sweeps):
    m, n = X.shape
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    theta, residual = np.zeros(n), yc.copy()
    for _ in range(sweeps):
        for j in range(n):
            rho = Xc[:, j] @ (residual + Xc[:, j] * theta[j]) / m
            new = soft_threshold(rho, lam)
            residual -= Xc[:, j] * (new - theta[j])
            theta[j] = new
    return theta, float(y_mean - x_mean @ theta)
''', "the curvature along coordinate j"),
    "L2 prox of t |u|^2 (the 1/2 forgotten)": ("q1_l2_prox", '''
def l2_prox(v, t):
    return v / (1 + 2 * t)
''', "whose derivative is t u"),
    "early stopping: a tie counted as a new best": ("q2_early_stopping",
                                                    variant(EARLY_STOPPING, COMPARE="<=", OFFSET=""), "a tie is not a new best"),
    "early stopping: epochs numbered from 0": ("q2_early_stopping",
                                               variant(EARLY_STOPPING, COMPARE="<", OFFSET="- 1"), "numbered from 1"),
    "FGSM with an unstabilised softmax": ("q3_fgsm_linear", '''
def fgsm_linear(W, b, X, y, eps):
    p = np.exp(X @ W.T + b)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    return np.clip(X + eps * np.sign(p @ W), 0.0, 1.0)
''', "subtract each row's maximum"),
    "FGSM by nnlib's autograd (not by hand)": ("q3_fgsm_linear", '''
def fgsm_linear(W, b, X, y, eps):
    x = nnlib.tensor(X, requires_grad=True)
    F.cross_entropy(x @ nnlib.tensor(W).T + nnlib.tensor(b), nnlib.tensor(y)).backward()
    return np.clip(X + eps * np.sign(x.grad.numpy()), 0.0, 1.0)
''', "used nnlib's autograd"),
    "PCA error by reconstructing inside the function": ("q4_pca_reconstruction", PCA_RECONSTRUCT_RIGHT + '''
def reconstruction_error_from_eigenvalues(X, k):
    mean = X.mean(axis=0)
    V = np.linalg.eigh(np.cov(X.T))[1][:, ::-1][:, :k]
    return float(np.mean(np.sum((X - mean - (X - mean) @ V @ V.T) ** 2, axis=1)))
''', "eigenvalues alone"),
    "PCA error as the fraction of variance discarded": ("q4_pca_reconstruction", PCA_RECONSTRUCT_RIGHT + '''
def reconstruction_error_from_eigenvalues(X, k):
    values = np.linalg.eigvalsh(np.cov(X.T))[::-1]
    return float(values[k:].sum() / values.sum())
''', "fraction of the variance"),
    "PCA error from eigvalsh's ascending order": ("q4_pca_reconstruction", PCA_RECONSTRUCT_RIGHT + '''
def reconstruction_error_from_eigenvalues(X, k):
    m = len(X)
    return float((m - 1) / m * np.linalg.eigvalsh(np.cov(X.T))[k:].sum())
''', "ascending order"),
    "elastic net thresholded at alpha l1_ratio, not eta alpha l1_ratio": (
        "q5_elastic_net", variant(ELASTIC_NET, PROX="soft_threshold(v, l1) / (1 + lr * l2)"), "not eta alpha l1_ratio"),
    "elastic net: shrink, then threshold": (
        "q5_elastic_net", variant(ELASTIC_NET, PROX="soft_threshold(v / (1 + lr * l2), lr * l1)"), "threshold first"),
    "elastic net by scikit-learn's ElasticNet": ("q5_elastic_net", '''
def elastic_net(X, y, alpha, l1_ratio, steps):
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000).fit(X, y)
    return model.coef_, float(model.intercept_)
''', "called scikit-learn's coordinate descent"),
    "coordinate descent in reversed order": ("q6_lasso_coordinate_descent",
                                             variant(COORDINATE_DESCENT, CENTRED="X - x_mean, y - y_mean",
                                                     ORDER="reversed(range(n))"), "theta_(n-1) first"),
    "coordinate descent without centring": ("q6_lasso_coordinate_descent",
                                            variant(COORDINATE_DESCENT, CENTRED="X, y", ORDER="range(n)"), "not centred"),
    "coordinate descent by scikit-learn's Lasso, one sweep per iteration": ("q6_lasso_coordinate_descent", '''
def lasso_coordinate_descent(X, y, lam, sweeps):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Lasso(alpha=lam, max_iter=sweeps, tol=0.0).fit(X, y)
    return model.coef_, float(model.intercept_)
''', "called scikit-learn's coordinate descent"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_each("06_regularisation", {label: {question: code} for label, (question, code, _) in WRONG.items()},
                      tmp_path_factory.mktemp("wrong_answers"))


@pytest.mark.parametrize("label", WRONG)
def test_a_wrong_answer_loses_its_points_and_says_why(graded, label):
    question, _, says = WRONG[label]
    assert_only_this_question_fails(graded[label], question, says)
