"""One helper for every layer's parity test: copy a torch module's weights into the nnlib twin, then
compare state_dict keys and shapes, forward outputs, and every parameter and input gradient."""
import numpy as np
import torch

import nnlib
from parity import assert_close


def _flat(outputs):
    """Outputs as a flat list of tensors (modules like LSTM return nested tuples)."""
    if isinstance(outputs, (tuple, list)):
        return [t for o in outputs for t in _flat(o)]
    return [] if outputs is None else [outputs]


def check_module_parity(ours, theirs, input_arrays, call=None, grad_inputs=None, rtol=1e-6, atol=1e-9, seed=0):
    """Float64 parity of an nnlib module with its torch twin; `call(module, *inputs)` defaults to module(*inputs).

    Returns the nnlib outputs, for extra assertions.
    """
    call = call or (lambda module, *xs: module(*xs))
    theirs = theirs.double()
    ours = ours.double()
    torch_state = theirs.state_dict()
    our_state = ours.state_dict()
    assert list(our_state) == list(torch_state), f"state_dict keys {list(our_state)} != torch's {list(torch_state)}"
    for key, value in torch_state.items():
        assert our_state[key].shape == tuple(value.shape), f"{key}: shape {our_state[key].shape} != torch's {tuple(value.shape)}"
    ours.load_state_dict(torch_state)

    grad_inputs = range(len(input_arrays)) if grad_inputs is None else grad_inputs
    xs = [nnlib.tensor(a.copy(), requires_grad=k in grad_inputs and a.dtype.kind == "f") for k, a in enumerate(input_arrays)]
    xts = [torch.tensor(a.copy(), requires_grad=k in grad_inputs and a.dtype.kind == "f") for k, a in enumerate(input_arrays)]
    outs, outs_t = _flat(call(ours, *xs)), _flat(call(theirs, *xts))
    assert len(outs) == len(outs_t), f"{len(outs)} outputs, torch gives {len(outs_t)}"
    rng = np.random.default_rng(seed)
    total, total_t = 0, 0
    for k, (o, ot) in enumerate(zip(outs, outs_t)):
        assert_close(f"output {k}", o.detach().numpy(), ot.detach().numpy(), rtol=rtol, atol=atol)
        if ot.requires_grad and ot.dtype.is_floating_point:
            w = rng.standard_normal(ot.shape)
            total = total + (o * nnlib.tensor(w)).sum()
            total_t = total_t + (ot * torch.tensor(w)).sum()
    total.backward()
    total_t.backward()
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        expected = their_params[name].grad
        assert p.grad is not None or expected is None, f"{name}: no gradient, torch has one"
        if expected is not None:
            assert_close(f"grad of {name}", p.grad, expected.numpy(), rtol=rtol, atol=atol)
    for k, (x, xt) in enumerate(zip(xs, xts)):
        if xt.requires_grad:
            assert_close(f"grad of input {k}", x.grad, xt.grad.numpy(), rtol=rtol, atol=atol)
    return outs
