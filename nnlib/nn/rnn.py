"""Recurrent layers RNN, LSTM and GRU, with PyTorch's arguments, parameter names, gate order and equations.

A layer runs its cell once per time step in a Python loop. Autograd records every step, so
loss.backward() is backpropagation through time with no extra code: the graph of a sequence of
length L is L copies of the cell, chained through the hidden state.

Layout, as in torch.nn: for layer k, weight_ih_l{k} (G*H, in), weight_hh_l{k} (G*H, H), bias_ih_l{k}
and bias_hh_l{k} (G*H,), with the G gate blocks stacked along dim 0 (G = 1 for RNN, 4 for LSTM in
the order i, f, g, o, 3 for GRU in the order r, z, n); `in` is input_size for layer 0 and H after.
"""
import math
import numbers
import warnings

import numpy as np

from .. import ops
from ..ops.recurrent import gru_cell, lstm_cell
from ..tensor import Tensor
from . import init
from . import functional as F
from .module import Module
from .parameter import Parameter


class RNNBase(Module):
    """What RNN, LSTM and GRU share: arguments, parameters, shape checks, and the loop over layers and steps.

    Subclasses set GATES and define `cell(x, state, w_ih, w_hh, b_ih, b_hh) -> new state`.
    """

    GATES = 1

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, dtype=np.float32):
        super().__init__()
        name = type(self).__name__
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name}: {arg} must be a positive integer, got {value!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a probability in [0, 1] (of zeroing an element), got {dropout!r}")
        if bidirectional:
            raise ValueError(
                f"{name}: bidirectional=True is not supported by nnlib; run a second {name} on the reversed "
                "sequence and concatenate the two outputs along the last dimension")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout is applied between layers only, so dropout={dropout} does nothing "
                          f"with num_layers=1", stacklevel=3)
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional = False
        gate_rows = self.GATES * hidden_size
        for k in range(num_layers):  # registration order = PyTorch's state_dict order
            layer_in = input_size if k == 0 else hidden_size
            setattr(self, f"weight_ih_l{k}", Parameter(np.empty((gate_rows, layer_in), dtype=dtype)))
            setattr(self, f"weight_hh_l{k}", Parameter(np.empty((gate_rows, hidden_size), dtype=dtype)))
            if bias:
                setattr(self, f"bias_ih_l{k}", Parameter(np.empty(gate_rows, dtype=dtype)))
                setattr(self, f"bias_hh_l{k}", Parameter(np.empty(gate_rows, dtype=dtype)))
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's init: every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def layer_parameters(self, k):
        """(weight_ih, weight_hh, bias_ih, bias_hh) of layer k; the biases are None when bias=False."""
        return tuple(getattr(self, f"{name}_l{k}", None) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    # ---- one step: defined by each subclass --------------------------------------------------------
    def cell(self, x, state, w_ih, w_hh, b_ih, b_hh):
        raise NotImplementedError(f"{type(self).__name__} must define cell(), its one-step update")

    @staticmethod
    def hidden_of(state):
        """The part of a cell's state that is the layer's output at that step (h; LSTM overrides)."""
        return state

    # ---- forward: checks, then the loop over layers and time steps --------------------------------
    def forward(self, input, hx=None):
        """input (L, N, input_size), or (N, L, input_size) with batch_first, or (L, input_size) unbatched.

        Returns output (the last layer's h_t for every t, laid out like the input) and the final
        state of every layer (num_layers, N, hidden_size), without the N dimension when unbatched.

        Cost note: when the input itself requires grad (it comes from an Embedding, say), each step's
        slice input[t] sends back a gradient of the whole input's size, so that part of backward grows
        as L^2. nnlib's graph nodes have one output each, so there is no O(L) `unbind` to split with.
        """
        x = input if isinstance(input, Tensor) else Tensor(input)
        batched = self._check_input(x)
        if not batched:
            x = x.unsqueeze(1)  # (L, 1, input_size): a batch of one
        elif self.batch_first:
            x = x.transpose(0, 1)  # time-major (L, N, input_size) for the loop
        length, batch = x.shape[0], x.shape[1]
        states = self._initial_states(hx, batch, batched, x.dtype)

        steps = [x[t] for t in range(length)]
        finals = []
        for k in range(self.num_layers):
            params = self.layer_parameters(k)
            state, outputs = states[k], []
            for x_t in steps:
                state = self.cell(x_t, state, *params)
                outputs.append(self.hidden_of(state))
            finals.append(state)
            steps = outputs
            if self.training and self.dropout > 0 and k < self.num_layers - 1:
                steps = [F.dropout(h, self.dropout) for h in steps]  # between layers, never after the last

        output = ops.stack(steps, dim=0)  # (L, N, H)
        if not batched:
            output = output.reshape(length, self.hidden_size)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, self._stack_final_states(finals, batched)

    def _check_input(self, x):
        """True for a batched (3-D) input, False for an unbatched (2-D) one; clear errors otherwise."""
        name = type(self).__name__
        layout = "(N, L, input_size) with batch_first=True" if self.batch_first else "(L, N, input_size)"
        if x.ndim not in (2, 3):
            raise ValueError(f"{name}: expected input of shape {layout} or (L, input_size) unbatched, "
                             f"got a {x.ndim}-D input of shape {x.shape}")
        if x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected input with input_size={self.input_size} features in its last "
                             f"dimension, got input of shape {x.shape}")
        if x.shape[1 if x.ndim == 3 and self.batch_first else 0] == 0:
            raise ValueError(f"{name}: expected a sequence of at least one step, got input of shape {x.shape}")
        dtype = self.weight_ih_l0.dtype
        if x.dtype != dtype:
            raise TypeError(f"{name}: input has dtype {x.dtype} but the parameters have dtype {dtype}; "
                            f"convert one of them (input.to(...), or module.double() / module.float())")
        return x.ndim == 3

    def _check_state(self, label, h, batch, batched, dtype):
        """One initial state tensor (h0 or c0) checked and returned as (num_layers, N, H)."""
        name = type(self).__name__
        h = h if isinstance(h, Tensor) else Tensor(h)
        expected = (self.num_layers, batch, self.hidden_size) if batched else (self.num_layers, self.hidden_size)
        if h.shape != expected:
            meaning = "(num_layers, batch, hidden_size)" if batched else "(num_layers, hidden_size) for unbatched input"
            raise ValueError(f"{name}: expected {label} of shape {expected} {meaning}, got {h.shape}")
        if h.dtype != dtype:
            raise TypeError(f"{name}: {label} has dtype {h.dtype} but the input has dtype {dtype}; they must match")
        return h if batched else h.unsqueeze(1)

    def _initial_states(self, hx, batch, batched, dtype):
        """A list with each layer's initial state: hx split by layer, or zeros when hx is None."""
        if hx is None:
            return [Tensor(np.zeros((batch, self.hidden_size), dtype=dtype)) for _ in range(self.num_layers)]
        h0 = self._check_state("h0", hx, batch, batched, dtype)
        return [h0[k] for k in range(self.num_layers)]

    def _stack_final_states(self, finals, batched):
        h_n = ops.stack(finals, dim=0)
        return h_n if batched else h_n.reshape(self.num_layers, self.hidden_size)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        return s


class RNN(RNNBase):
    """Elman RNN, as torch.nn.RNN. For each layer and time step t:

        h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)

    (relu instead of tanh with nonlinearity='relu'). x_t is the input at step t for layer 0 and the
    previous layer's h_t after it (with dropout in between in training mode, if dropout > 0).
    The cell is built from plain nnlib ops, so its backward is the chain rule through them.

    Returns output (L, N, H) (the last layer's h_t for every t) and h_n (num_layers, N, H).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, dtype=np.float32):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; choose 'tanh' or 'relu'")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype)
        self.nonlinearity = nonlinearity

    def cell(self, x, h, w_ih, w_hh, b_ih, b_hh):
        activation = ops.tanh if self.nonlinearity == "tanh" else ops.relu
        return activation(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh))


class LSTM(RNNBase):
    """Long short-term memory, as torch.nn.LSTM. For each layer and time step t (gate blocks i, f, g, o):

        i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)     input gate
        f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)     forget gate
        g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)        candidate cell state
        o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)     output gate
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * tanh(c_t)

    where * is the elementwise product and W_ih = [W_ii; W_if; W_ig; W_io] (blocks stacked along dim 0,
    likewise W_hh, b_ih, b_hh); for a batch of rows x_t, W x_t is computed as x_t W^T. Each step is one fused op, nnlib.nn.functional.lstm_cell, whose
    backward is written out by hand; autograd chains the steps (backpropagation through time).

    Call as lstm(input) or lstm(input, (h0, c0)); returns output (L, N, H) and (h_n, c_n), each
    (num_layers, N, H).
    """

    GATES = 4

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, dtype=np.float32):
        if proj_size != 0:
            raise ValueError(f"LSTM: proj_size={proj_size} is not supported by nnlib; use proj_size=0")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype)

    def cell(self, x, state, w_ih, w_hh, b_ih, b_hh):
        return lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh)

    @staticmethod
    def hidden_of(state):
        return state[0]

    def _initial_states(self, hx, batch, batched, dtype):
        if hx is None:
            h0 = super()._initial_states(None, batch, batched, dtype)
            return [(h, Tensor(np.zeros_like(h.data))) for h in h0]
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"LSTM: the initial state must be a tuple (h0, c0), got {type(hx).__name__}")
        h0 = self._check_state("h0", hx[0], batch, batched, dtype)
        c0 = self._check_state("c0", hx[1], batch, batched, dtype)
        return [(h0[k], c0[k]) for k in range(self.num_layers)]

    def _stack_final_states(self, finals, batched):
        h_n = super()._stack_final_states([h for h, _ in finals], batched)
        c_n = super()._stack_final_states([c for _, c in finals], batched)
        return h_n, c_n


class GRU(RNNBase):
    """Gated recurrent unit, as torch.nn.GRU. For each layer and time step t (gate blocks r, z, n):

        r_t = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)     reset gate
        z_t = sigmoid(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)     update gate
        n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))   candidate state
        h_t = (1 - z_t) * n_t + z_t * h_{t-1}

    Note that r_t multiplies W_hn h_{t-1} + b_hn, bias included (PyTorch's and cuDNN's form), and
    that z_t keeps the OLD state: z_t = 1 copies h_{t-1}. Each step is one fused op,
    nnlib.nn.functional.gru_cell, whose backward is written out by hand.

    Returns output (L, N, H) and h_n (num_layers, N, H).
    """

    GATES = 3

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, dtype=np.float32):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype)

    def cell(self, x, h, w_ih, w_hh, b_ih, b_hh):
        return gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)
