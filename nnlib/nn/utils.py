"""Gradient utilities, as torch.nn.utils: clip_grad_norm_."""
import numpy as np

from ..tensor import Tensor


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    r"""Scale all gradients together so that their joint norm is at most max_norm; return the norm
    they had before (a 0-d tensor, as torch). The norm is taken over all gradients as one vector:

        total_norm = || (||g_1||, ||g_2||, ...) ||        (the p-norm, p = norm_type; 'inf' for max |g|)
        clip_coef  = max_norm / (total_norm + 1e-6)
        g_i <- g_i * min(clip_coef, 1)

    The direction of the update is kept; only its length is capped. Gradients change in place;
    parameters without a gradient are skipped.
    """
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    norm_type = float(norm_type)  # accepts 'inf' as torch does
    grads = [p.grad.data for p in parameters if p.grad is not None]
    if not grads:
        return Tensor(np.float32(0.0))
    norms = [np.linalg.norm(g.ravel(), ord=norm_type) for g in grads]
    total_norm = np.linalg.norm(np.stack(norms), ord=norm_type)
    if error_if_nonfinite and not np.isfinite(total_norm):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite "
                           f"({total_norm}), so it cannot be clipped. To disable this error and scale the gradients "
                           "by the non-finite norm anyway, set `error_if_nonfinite=False`")
    clip_coef = np.minimum(max_norm / (total_norm + 1e-6), 1.0)  # never scale up
    if clip_coef != 1:  # (a nan norm gives nan gradients, as in torch)
        for g in grads:
            g *= clip_coef
    return Tensor(np.asarray(total_norm))
