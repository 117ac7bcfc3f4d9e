"""Fused recurrent cells: one LSTM or GRU time step, with its backward written out by hand.

Built from nnlib's small ops, one LSTM step is about 18 graph nodes (two matmuls, bias adds, four
gate slices, three sigmoids, two tanh, three products, a sum) and each slice's backward scatters
into a zero array. These ops compute the same step as a few nodes whose backward is the chain rule
done once on whole arrays, which is what makes an nnlib LSTM fast enough to train in a notebook.
Autograd still does backpropagation through time: it chains these nodes step after step.

Signatures and weight layouts are PyTorch's (torch.lstm_cell, torch.gru_cell):
    w_ih (G*H, input_size), w_hh (G*H, H), b_ih and b_hh (G*H,), gate blocks stacked along dim 0,
    G = 4 blocks (i, f, g, o) for the LSTM and 3 blocks (r, z, n) for the GRU.
"""
import numpy as np

from ..autograd import differentiable
from ..tensor import make_result
from ._common import as_operand


def _sigmoid(v):
    """1 / (1 + e^-v) without overflow: e^-|v| never overflows, and for v < 0 the equal form e^v / (1 + e^v)."""
    e = np.exp(-np.abs(v))
    out = np.where(v >= 0, 1, e).astype(v.dtype, copy=False)
    out /= 1 + e
    return out


def _check_cell_args(name, gates, input, hx, w_ih, w_hh, b_ih, b_hh):
    """Clear errors for a cell's operands: shapes (batch, features) and the stacked gate layout."""
    if input.ndim != 2:
        raise ValueError(f"{name}: expected input of shape (batch, input_size), got {input.shape}")
    batch, input_size = input.shape
    hidden = w_hh.shape[-1] if w_hh.ndim == 2 else None
    if w_hh.ndim != 2 or w_hh.shape[0] != gates * hidden:
        raise ValueError(f"{name}: w_hh must have shape ({gates} * hidden_size, hidden_size), got {w_hh.shape}")
    if w_ih.shape != (gates * hidden, input_size):
        raise ValueError(f"{name}: w_ih must have shape ({gates * hidden}, {input_size}) for input of shape "
                         f"{input.shape} and hidden_size {hidden}, got {w_ih.shape}")
    for label, state in hx:
        if state.shape != (batch, hidden):
            raise ValueError(f"{name}: {label} must have shape ({batch}, {hidden}) (batch, hidden_size), got {state.shape}")
    for label, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if b is not None and b.shape != (gates * hidden,):
            raise ValueError(f"{name}: {label} must have shape ({gates * hidden},), got {b.shape}")
    operands = [("input", input), ("w_ih", w_ih), ("w_hh", w_hh), ("b_ih", b_ih), ("b_hh", b_hh)] + list(hx)
    for label, t in operands:
        if t is not None and t.dtype != input.dtype:
            raise TypeError(f"{name}: {label} has dtype {t.dtype} but input has dtype {input.dtype}; they must match")


def _affine(x, w, b):
    """x W^T + b, the bias optional; a fresh array (callers add into it in place)."""
    out = x @ w.T
    if b is not None:
        out += b
    return out


def _affine_backward(g, x, w, b):
    """Gradients of y = x W^T + b:  dL/dx = g W,  dL/dW = g^T x,  dL/db = g summed over the batch;
    None for an operand that needs none."""
    return (g @ w.data if x.requires_grad else None,
            g.T @ x.data if w.requires_grad else None,
            (g.sum(axis=0) if b.requires_grad else None) if b is not None else None)


def _bias_tensors(w, b_ih, b_hh):
    return (None if b_ih is None else as_operand(b_ih, like=w)), (None if b_hh is None else as_operand(b_hh, like=w))


@differentiable
def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step, as torch.lstm_cell: returns (h', c') for hx = (h, c), all of shape (batch, hidden_size).

    Forward (PyTorch's equations, gate blocks in the order i, f, g, o):
        gates = x W_ih^T + b_ih + h W_hh^T + b_hh, split along the last dim into (a_i, a_f, a_g, a_o)
        i = sigmoid(a_i),  f = sigmoid(a_f),  g = tanh(a_g),  o = sigmoid(a_o)
        c' = f * c + i * g
        h' = o * tanh(c')
    Backward, given dL/dh' and dL/dc' (the latter also receives dL/dh' * o * (1 - tanh(c')^2)):
        dL/da_o = dL/dh' * tanh(c') * o (1 - o)
        dL/da_i = dL/dc' * g * i (1 - i),  dL/da_f = dL/dc' * c * f (1 - f),  dL/da_g = dL/dc' * i * (1 - g^2)
        dL/dc = dL/dc' * f
        and the two affine maps: dL/dx = dL/dgates W_ih,  dL/dh = dL/dgates W_hh,
        dL/dW_ih = dL/dgates^T x,  dL/dW_hh = dL/dgates^T h,  dL/db = dL/dgates summed over the batch.

    An nnlib graph node has one output, and both h' and c' feed the next step, so this op builds
    three nodes, all named 'lstm_cell': the gate pre-activations, c', and h' (which reads c').
    """
    if not isinstance(hx, (tuple, list)) or len(hx) != 2:
        raise TypeError(f"lstm_cell: hx must be a tuple (h, c), got {type(hx).__name__}")
    input, w_ih, w_hh = as_operand(input), as_operand(w_ih), as_operand(w_hh)
    h, c = as_operand(hx[0]), as_operand(hx[1])
    b_ih, b_hh = _bias_tensors(w_ih, b_ih, b_hh)
    _check_cell_args("lstm_cell", 4, input, [("h", h), ("c", c)], w_ih, w_hh, b_ih, b_hh)
    H = h.shape[1]

    # node 1: the four gates' pre-activations, one matmul per weight for all gates at once
    pre = _affine(input.data, w_ih.data, None if b_ih is None else b_ih.data)
    pre += _affine(h.data, w_hh.data, None if b_hh is None else b_hh.data)
    parents = [input, h, w_ih, w_hh] + [b for b in (b_ih, b_hh) if b is not None]

    def gates_backward(g):
        dx, dw_ih, db_ih = _affine_backward(g, input, w_ih, b_ih)
        dh, dw_hh, db_hh = _affine_backward(g, h, w_hh, b_hh)
        return (dx, dh, dw_ih, dw_hh) + tuple(d for d, b in ((db_ih, b_ih), (db_hh, b_hh)) if b is not None)
    gates = make_result(pre, parents, gates_backward, "lstm_cell")

    # node 2: the cell state c' = f * c + i * g, from the gates' first three blocks
    i, f, g = _sigmoid(pre[:, :H]), _sigmoid(pre[:, H:2 * H]), np.tanh(pre[:, 2 * H:3 * H])
    c_new = f * c.data + i * g

    def c_backward(dc_new):
        d_pre = np.zeros_like(pre)  # the o block does not reach c'
        d_pre[:, :H] = dc_new * g * i * (1 - i)
        d_pre[:, H:2 * H] = dc_new * c.data * f * (1 - f)
        d_pre[:, 2 * H:3 * H] = dc_new * i * (1 - g * g)
        return d_pre, (dc_new * f if c.requires_grad else None)
    c_next = make_result(c_new, (gates, c), c_backward, "lstm_cell")

    # node 3: the hidden state h' = o * tanh(c'), from the last block and c'
    o, tanh_c = _sigmoid(pre[:, 3 * H:]), np.tanh(c_new)

    def h_backward(dh_new):
        d_pre = np.zeros_like(pre)  # only the o block reaches h' directly; i, f, g go through c'
        d_pre[:, 3 * H:] = dh_new * tanh_c * o * (1 - o)
        return d_pre, dh_new * o * (1 - tanh_c * tanh_c)
    h_next = make_result(o * tanh_c, (gates, c_next), h_backward, "lstm_cell")
    return h_next, c_next


@differentiable
def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step, as torch.gru_cell: returns h' of shape (batch, hidden_size) for hx = h.

    Forward (PyTorch's equations, gate blocks in the order r, z, n):
        (a_r, a_z, a_n) = x W_ih^T + b_ih,   (u_r, u_z, u_n) = h W_hh^T + b_hh
        r = sigmoid(a_r + u_r),  z = sigmoid(a_z + u_z)
        n = tanh(a_n + r * u_n)              (r scales W_hn h + b_hn, bias included)
        h' = (1 - z) * n + z * h
    Backward, given dL/dh':
        dL/dn = dL/dh' (1 - z),  dL/dz = dL/dh' (h - n),  dL/dh gets dL/dh' z directly
        dL/da_n = dL/dn (1 - n^2),  dL/du_n = dL/da_n r,  dL/dr = dL/da_n u_n
        dL/da_r = dL/du_r = dL/dr r (1 - r),  dL/da_z = dL/du_z = dL/dz z (1 - z)
        and the two affine maps, as for the LSTM: dL/dx = dL/da W_ih,  dL/dh += dL/du W_hh,
        dL/dW_ih = dL/da^T x,  dL/dW_hh = dL/du^T h,  dL/db_ih = sum of dL/da,  dL/db_hh = sum of dL/du.
    """
    input, w_ih, w_hh, h = as_operand(input), as_operand(w_ih), as_operand(w_hh), as_operand(hx)
    b_ih, b_hh = _bias_tensors(w_ih, b_ih, b_hh)
    _check_cell_args("gru_cell", 3, input, [("hx", h)], w_ih, w_hh, b_ih, b_hh)
    H = h.shape[1]

    a = _affine(input.data, w_ih.data, None if b_ih is None else b_ih.data)
    u = _affine(h.data, w_hh.data, None if b_hh is None else b_hh.data)
    r = _sigmoid(a[:, :H] + u[:, :H])
    z = _sigmoid(a[:, H:2 * H] + u[:, H:2 * H])
    n = np.tanh(a[:, 2 * H:] + r * u[:, 2 * H:])
    h_new = n + z * (h.data - n)  # = (1 - z) * n + z * h
    parents = [input, h, w_ih, w_hh] + [b for b in (b_ih, b_hh) if b is not None]

    def backward(dh_new):
        d_an = dh_new * (1 - z) * (1 - n * n)
        d_ar = d_an * u[:, 2 * H:] * r * (1 - r)
        d_az = dh_new * (h.data - n) * z * (1 - z)
        d_a = np.concatenate([d_ar, d_az, d_an], axis=1)
        d_u = np.concatenate([d_ar, d_az, d_an * r], axis=1)
        dx, dw_ih, db_ih = _affine_backward(d_a, input, w_ih, b_ih)
        dh, dw_hh, db_hh = _affine_backward(d_u, h, w_hh, b_hh)
        if dh is not None:
            dh += dh_new * z
        return (dx, dh, dw_ih, dw_hh) + tuple(d for d, b in ((db_ih, b_ih), (db_hh, b_hh)) if b is not None)
    return make_result(h_new, parents, backward, "gru_cell")
