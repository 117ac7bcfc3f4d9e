"""nnlib.optim against torch.optim: every optimiser and option, update for update over 100 steps in
float64; every schedule's lr sequence; state_dict round trips; clip_grad_norm_; and the errors."""
import inspect
import math

import numpy as np
import pytest
import torch

import nnlib
from nnlib.nn.utils import clip_grad_norm_
from parity import assert_close

STEPS = 100
RTOL, ATOL = 1e-10, 1e-14  # float64; the largest differences seen are 1e-15 absolute, 3e-12 relative

# A regression task in mini-batches of 8 that take turns, so the gradient varies from step to step as in
# real training. (With one full batch, centered RMSprop ends up dividing by the square root of a variance
# that has cancelled to almost 0, which magnifies 1-ulp differences, torch's fused multiply-adds against
# NumPy's separate ones, past 1e-10.)
_rng = np.random.default_rng(0)
X = _rng.standard_normal((64, 3))
Y = np.sin(X @ _rng.standard_normal((3, 2))) + 0.1 * _rng.standard_normal((64, 2))
BATCH = 8


def tiny_mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))


def twin_models(seed=0):
    """A float64 torch MLP and an nnlib MLP holding the same weights."""
    torch.manual_seed(seed)
    theirs = tiny_mlp(torch).double()
    ours = tiny_mlp(nnlib).double()
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def loss_of(lib, model, step=0):
    """Mean squared error on mini-batch number `step` (cycling through the data)."""
    rows = slice(step * BATCH % len(X), step * BATCH % len(X) + BATCH)
    return ((model(lib.tensor(X[rows])) - lib.tensor(Y[rows])) ** 2).mean()


def train_step(lib, model, optimizer, step):
    optimizer.zero_grad()
    loss_of(lib, model, step).backward()
    optimizer.step()


def assert_same_parameters(ours, theirs, where, rtol=RTOL, atol=ATOL):
    for (name, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert_close(f"{where}: {name}", a, b.detach().numpy(), rtol=rtol, atol=atol)


def assert_same_optimizer_state(ours, theirs, where):
    """Same indices, same buffer names and values, and every nnlib option equal to torch's."""
    assert list(ours["state"]) == list(theirs["state"]), where
    for index, buffers in ours["state"].items():
        assert list(buffers) == list(theirs["state"][index]), f"{where}: state of parameter {index}"
        for key, value in buffers.items():
            assert isinstance(value, np.ndarray), f"{where}: state {key} is a {type(value).__name__}"
            expected = theirs["state"][index][key].numpy()
            assert_close(f"{where}: state[{index}][{key}]", value, expected, rtol=RTOL, atol=ATOL)
    assert len(ours["param_groups"]) == len(theirs["param_groups"])
    for group, their_group in zip(ours["param_groups"], theirs["param_groups"]):
        for key, value in group.items():
            assert value == their_group[key], f"{where}: option {key} is {value}, torch has {their_group[key]}"


# name -> fn(m, model) building the same optimiser with m = nnlib or m = torch
OPTIMIZERS = {
    "sgd": lambda m, model: m.optim.SGD(model.parameters(), lr=0.1),
    "sgd_defaults": lambda m, model: m.optim.SGD(model.parameters()),
    "sgd_momentum": lambda m, model: m.optim.SGD(model.parameters(), lr=0.05, momentum=0.9),
    "sgd_dampening": lambda m, model: m.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, dampening=0.3),
    "sgd_nesterov": lambda m, model: m.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True),
    "sgd_weight_decay": lambda m, model: m.optim.SGD(model.parameters(), lr=0.1, weight_decay=0.05),
    "sgd_nesterov_weight_decay": lambda m, model: m.optim.SGD(model.parameters(), lr=0.05, momentum=0.8,
                                                              nesterov=True, weight_decay=0.05),
    "rmsprop": lambda m, model: m.optim.RMSprop(model.parameters(), lr=0.01),
    "rmsprop_defaults": lambda m, model: m.optim.RMSprop(model.parameters()),
    "rmsprop_centered": lambda m, model: m.optim.RMSprop(model.parameters(), lr=0.01, alpha=0.9, centered=True),
    "rmsprop_momentum": lambda m, model: m.optim.RMSprop(model.parameters(), lr=0.005, momentum=0.7),
    "rmsprop_weight_decay": lambda m, model: m.optim.RMSprop(model.parameters(), lr=0.01, weight_decay=0.05, eps=1e-6),
    "rmsprop_all": lambda m, model: m.optim.RMSprop(model.parameters(), lr=0.005, momentum=0.5, centered=True,
                                                    weight_decay=0.05),
    "adam": lambda m, model: m.optim.Adam(model.parameters(), lr=0.01),
    "adam_defaults": lambda m, model: m.optim.Adam(model.parameters()),
    "adam_weight_decay": lambda m, model: m.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.99), eps=1e-6,
                                                       weight_decay=0.1),
    "adamw": lambda m, model: m.optim.AdamW(model.parameters(), lr=0.01),
    "adamw_options": lambda m, model: m.optim.AdamW(model.parameters(), lr=0.02, betas=(0.85, 0.95), eps=1e-7,
                                                    weight_decay=0.3),
    "sgd_two_groups": lambda m, model: m.optim.SGD([{"params": model[0].parameters()},
                                                    {"params": model[2].parameters(), "lr": 0.01, "momentum": 0.5}],
                                                   lr=0.1, momentum=0.9),
    "adam_two_groups": lambda m, model: m.optim.Adam([{"params": model[0].parameters(), "weight_decay": 0.1},
                                                      {"params": model[2].parameters(), "lr": 0.001}], lr=0.02),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_matches_torch_update_for_update(name):
    ours, theirs = twin_models()
    opt_ours, opt_theirs = OPTIMIZERS[name](nnlib, ours), OPTIMIZERS[name](torch, theirs)
    for step in range(1, STEPS + 1):
        train_step(nnlib, ours, opt_ours, step)
        train_step(torch, theirs, opt_theirs, step)
        assert_same_parameters(ours, theirs, f"{name}, step {step}")
    assert_same_optimizer_state(opt_ours.state_dict(), opt_theirs.state_dict(), name)


def test_two_groups_really_use_their_own_options():
    model, _ = twin_models()
    opt = OPTIMIZERS["sgd_two_groups"](nnlib, model)
    assert [(g["lr"], g["momentum"]) for g in opt.param_groups] == [(0.1, 0.9), (0.01, 0.5)]
    assert [len(g["params"]) for g in opt.param_groups] == [2, 2]


def test_adam_applies_bias_correction():
    """Step 1 of Adam moves every coordinate by lr (up to eps): m^ / sqrt(v^) = g / |g|."""
    p = nnlib.nn.Parameter(np.array([1.0, -2.0, 3.0]))
    opt = nnlib.optim.Adam([p], lr=0.1)
    p.grad = nnlib.tensor(np.array([0.5, -1e-3, 20.0]))
    opt.step()
    assert_close("p after one Adam step", p.data, [0.9, -1.9, 2.9], rtol=1e-6)


def test_adamw_decays_the_weights_not_the_gradient():
    """With a zero gradient Adam's update is 0, so AdamW's step is the decay alone: p (1 - lr wd)."""
    p = nnlib.nn.Parameter(np.array([1.0, -2.0]))
    opt = nnlib.optim.AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = nnlib.zeros(2, dtype=nnlib.float64)
    opt.step()
    assert_close("p", p.data, [0.95, -1.9], rtol=1e-12)


def test_parameter_without_gradient_is_skipped_like_torch():
    results = {}
    for lib in (nnlib, torch):
        used = lib.nn.Parameter(lib.ones(3, dtype=lib.float64))
        frozen = lib.nn.Parameter(lib.ones(2, dtype=lib.float64))
        opt = lib.optim.Adam([used, frozen], lr=0.1, weight_decay=0.1)
        for _ in range(3):
            opt.zero_grad()
            (used * used).sum().backward()
            opt.step()
        assert frozen.grad is None
        results[lib.__name__] = (used.detach().numpy().copy(), frozen.detach().numpy().copy(),
                                 list(opt.state_dict()["state"]))
    assert_close("used", results["nnlib"][0], results["torch"][0], rtol=RTOL)
    assert np.array_equal(results["nnlib"][1], np.ones(2)), "a parameter without a gradient must not move (no decay)"
    assert results["nnlib"][2] == results["torch"][2] == [0], "no state for a parameter that never had a gradient"


def test_step_updates_data_in_place_leaves_grad_alone_and_builds_no_graph():
    p = nnlib.nn.Parameter(np.array([1.0, 2.0]))
    opt = nnlib.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    data = p.data
    p.grad = nnlib.tensor(np.array([1.0, 1.0]))
    opt.step()
    assert p.data is data, "the update must write into the same array (views of it stay valid)"
    assert_close("p", p.data, [1.0 - 0.1 * 1.1, 2.0 - 0.1 * 1.2], rtol=1e-12)
    assert np.array_equal(p.grad, [1.0, 1.0]), "weight decay must not be added into p.grad"
    assert p.is_leaf and p.requires_grad and p.parents == ()


def test_zero_grad_sets_none_or_zeros():
    p = nnlib.nn.Parameter(np.array([1.0, 2.0]))
    opt = nnlib.optim.SGD([p], lr=0.1)
    p.grad = grad = nnlib.tensor(np.array([3.0, 4.0]))
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and np.array_equal(grad, [0.0, 0.0])
    opt.zero_grad()
    assert p.grad is None


def test_step_with_closure_returns_the_loss_and_matches_torch():
    ours, theirs = twin_models()
    opt_ours, opt_theirs = nnlib.optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    for lib, model, opt in ((nnlib, ours, opt_ours), (torch, theirs, opt_theirs)):
        def closure(lib=lib, model=model, opt=opt):
            opt.zero_grad()
            loss = loss_of(lib, model)
            loss.backward()
            return loss
        losses = [float(opt.step(closure).item()) for _ in range(5)]
        assert losses == sorted(losses, reverse=True), f"{lib.__name__}: the loss should fall: {losses}"
    assert_same_parameters(ours, theirs, "closure")


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "AdamW", "lr_scheduler.StepLR",
                                  "lr_scheduler.CosineAnnealingLR", "lr_scheduler.LinearLR",
                                  "lr_scheduler.LambdaLR", "lr_scheduler.SequentialLR"])
def test_arguments_have_torchs_names_order_and_defaults(name):
    def signature(module):
        obj = module
        for part in name.split("."):
            obj = getattr(obj, part)
        return inspect.signature(obj).parameters
    ours, theirs = signature(nnlib.optim), signature(torch.optim)
    positional = [a for a, p in ours.items() if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert positional == [a for a, p in theirs.items() if p.kind == p.POSITIONAL_OR_KEYWORD][:len(positional)]
    for arg, p in ours.items():
        assert p.default == theirs[arg].default, f"{name}({arg}=): default {p.default}, torch's {theirs[arg].default}"


def test_repr_lists_the_options_like_torch():
    model, _ = twin_models()
    ours = repr(OPTIMIZERS["sgd_two_groups"](nnlib, model))
    theirs = repr(OPTIMIZERS["sgd_two_groups"](torch, tiny_mlp(torch)))
    torch_only = ("maximize", "foreach", "differentiable", "fused")
    assert ours == "\n".join(line for line in theirs.split("\n") if line.strip().split(":")[0] not in torch_only)


# ---- schedules -----------------------------------------------------------------------------------------
def two_group_sgd(lib):
    a, b = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(3))
    return lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.03}], lr=0.1, momentum=0.9)


def warmup_then_cosine(m, opt):
    return m.optim.lr_scheduler.SequentialLR(
        opt, [m.optim.lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=10),
              m.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=90)], milestones=[10])


SCHEDULERS = {
    "step": lambda m, opt: m.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.5),
    "step_default_gamma": lambda m, opt: m.optim.lr_scheduler.StepLR(opt, 30),
    "cosine": lambda m, opt: m.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100),
    "cosine_past_T_max": lambda m, opt: m.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=30, eta_min=0.001),
    "linear_defaults": lambda m, opt: m.optim.lr_scheduler.LinearLR(opt),
    "linear_decay": lambda m, opt: m.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.05,
                                                                 total_iters=60),
    "lambda": lambda m, opt: m.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 0.95 ** epoch),
    "lambda_per_group": lambda m, opt: m.optim.lr_scheduler.LambdaLR(opt, [lambda e: 0.95 ** e, lambda e: 1 / (1 + e)]),
    "warmup_then_cosine": warmup_then_cosine,
    "three_phases": lambda m, opt: m.optim.lr_scheduler.SequentialLR(
        opt, [m.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5),
              m.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5),
              m.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=40, eta_min=1e-4)], milestones=[5, 40]),
}


@pytest.mark.parametrize("name", SCHEDULERS)
def test_schedule_matches_torchs_lr_sequence(name):
    opt_ours, opt_theirs = two_group_sgd(nnlib), two_group_sgd(torch)
    ours, theirs = SCHEDULERS[name](nnlib, opt_ours), SCHEDULERS[name](torch, opt_theirs)
    lrs_ours, lrs_theirs = [ours.get_last_lr()], [theirs.get_last_lr()]
    for _ in range(STEPS):
        opt_ours.step()  # no gradients: a no-op, but the order optimizer.step(), scheduler.step() is torch's
        opt_theirs.step()
        ours.step()
        theirs.step()
        lrs_ours.append(ours.get_last_lr())
        lrs_theirs.append(theirs.get_last_lr())
        assert [g["lr"] for g in opt_ours.param_groups] == lrs_ours[-1]
    assert_close(f"{name}: lr per step and group", np.array(lrs_ours), np.array(lrs_theirs), rtol=1e-12, atol=0)
    assert ours.last_epoch == theirs.last_epoch == STEPS
    their_state = theirs.state_dict()
    for key, value in ours.state_dict().items():
        if key not in ("_schedulers", "lr_lambdas"):
            assert value == their_state[key], f"{name}: state_dict()['{key}'] is {value}, torch's is {their_state[key]}"


def test_warmup_then_cosine_reaches_the_peak_at_the_milestone_and_zero_at_the_end():
    scheduler = warmup_then_cosine(nnlib, two_group_sgd(nnlib))
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(STEPS):
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    assert lrs[0] == pytest.approx(0.001) and lrs[10] == pytest.approx(0.1) and lrs[100] == pytest.approx(0, abs=1e-15)
    assert np.all(np.diff(lrs[:11]) > 0) and np.all(np.diff(lrs[10:]) < 0)


def test_training_with_warmup_then_cosine_matches_torch():
    ours, theirs = twin_models()
    opt_ours, opt_theirs = OPTIMIZERS["adamw"](nnlib, ours), OPTIMIZERS["adamw"](torch, theirs)
    sched_ours, sched_theirs = warmup_then_cosine(nnlib, opt_ours), warmup_then_cosine(torch, opt_theirs)
    for step in range(1, STEPS + 1):
        train_step(nnlib, ours, opt_ours, step)
        train_step(torch, theirs, opt_theirs, step)
        sched_ours.step()
        sched_theirs.step()
        assert_same_parameters(ours, theirs, f"AdamW + warm-up/cosine, step {step}")


# ---- saving and resuming -------------------------------------------------------------------------------
def run(model, opt, scheduler, steps, start=0):
    for step in range(start, start + steps):
        train_step(nnlib, model, opt, step)
        scheduler.step()


@pytest.mark.parametrize("name", ["sgd_nesterov_weight_decay", "rmsprop_all", "adam_weight_decay", "adamw",
                                  "adam_two_groups"])
def test_state_dict_round_trip_at_step_50_continues_identically(name):
    make = OPTIMIZERS[name]
    straight, _ = twin_models()
    opt = make(nnlib, straight)
    run(straight, opt, warmup_then_cosine(nnlib, opt), STEPS, start=0)

    first_half, _ = twin_models()
    opt = make(nnlib, first_half)
    scheduler = warmup_then_cosine(nnlib, opt)
    run(first_half, opt, scheduler, 50)
    saved = {"model": first_half.state_dict(), "optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}
    run(first_half, opt, scheduler, 5, start=50)  # the saved dicts are copies: training on must not change them

    resumed, _ = twin_models(seed=1)  # different weights, overwritten by the load
    opt = make(nnlib, resumed)
    scheduler = warmup_then_cosine(nnlib, opt)  # built before loading the optimiser, as torch advises
    resumed.load_state_dict(saved["model"])
    opt.load_state_dict(saved["optimizer"])
    scheduler.load_state_dict(saved["scheduler"])
    run(resumed, opt, scheduler, STEPS - 50, start=50)

    for (key, a), b in zip(resumed.state_dict().items(), straight.state_dict().values()):
        assert np.array_equal(a, b), f"{name}: {key} differs after resuming at step 50"
    assert scheduler.get_last_lr() == [g["lr"] for g in opt.param_groups]


@pytest.mark.parametrize("name", ["sgd_nesterov_weight_decay", "rmsprop_all", "adam_two_groups"])
def test_optimizer_resumes_from_a_torch_state_dict(name):
    """Train 50 steps in torch, move model and optimiser state to nnlib, go on in both: the same run."""
    ours, theirs = twin_models()
    opt_theirs = OPTIMIZERS[name](torch, theirs)
    for step in range(50):
        train_step(torch, theirs, opt_theirs, step)
    ours.load_state_dict(theirs.state_dict())
    opt_ours = OPTIMIZERS[name](nnlib, ours)
    opt_ours.load_state_dict(opt_theirs.state_dict())
    for step in range(51, STEPS + 1):
        train_step(nnlib, ours, opt_ours, step)
        train_step(torch, theirs, opt_theirs, step)
        assert_same_parameters(ours, theirs, f"{name} resumed from torch, step {step}")


def test_load_state_dict_casts_buffers_to_the_parameters_dtype():
    p64 = nnlib.nn.Parameter(np.ones(2))
    opt = nnlib.optim.Adam([p64])
    p64.grad = nnlib.ones(2, dtype=nnlib.float64)
    opt.step()
    p32 = nnlib.nn.Parameter(np.ones(2, dtype=np.float32))
    opt32 = nnlib.optim.Adam([p32])
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[p32]["exp_avg"].dtype == np.float32 and float(opt32.state[p32]["step"]) == 1.0


# ---- clip_grad_norm_ ------------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.05, 1.0, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = twin_models()
    loss_of(nnlib, ours).backward()
    loss_of(torch, theirs).backward()
    norm_ours = clip_grad_norm_(ours.parameters(), max_norm, norm_type)
    norm_theirs = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type)
    assert isinstance(norm_ours, nnlib.Tensor) and norm_ours.shape == ()
    assert_close("total norm", norm_ours.data, norm_theirs.numpy(), rtol=1e-12)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert_close(f"clipped {name}.grad", p.grad, q.grad.numpy(), rtol=1e-12, atol=1e-15)
    norm_after = np.linalg.norm([np.linalg.norm(np.ravel(p.grad), norm_type) for p in ours.parameters()], norm_type)
    assert norm_after == pytest.approx(min(max_norm, norm_ours.item()), rel=1e-5)  # capped at max_norm, never raised


def test_clip_grad_norm_float32_single_tensor_and_missing_grads():
    rng = np.random.default_rng(3)
    grad = rng.standard_normal((4, 3)).astype(np.float32)
    p, unused = nnlib.nn.Parameter(np.zeros((4, 3), np.float32)), nnlib.nn.Parameter(np.zeros(2, np.float32))
    q = torch.nn.Parameter(torch.zeros(4, 3))
    p.grad, q.grad = nnlib.tensor(grad), torch.tensor(grad)
    norm = clip_grad_norm_([p, unused], max_norm=0.5)
    norm_theirs = torch.nn.utils.clip_grad_norm_(q, max_norm=0.5)
    assert norm.dtype == np.float32 and unused.grad is None
    assert_close("norm", norm.data, norm_theirs.numpy(), rtol=1e-6)
    assert_close("clipped grad", p.grad, q.grad.numpy(), rtol=1e-6)
    assert clip_grad_norm_(unused, 1.0).item() == 0.0  # no gradients at all: norm 0, as torch


def test_clip_grad_norm_below_max_leaves_gradients_untouched():
    p = nnlib.nn.Parameter(np.zeros(2))
    p.grad = nnlib.tensor(np.array([0.3, 0.4]))
    assert clip_grad_norm_([p], max_norm=1.0).item() == pytest.approx(0.5)
    assert np.array_equal(p.grad, [0.3, 0.4])


# ---- errors ---------------------------------------------------------------------------------------------
def _param():
    return nnlib.nn.Parameter(np.zeros(2))


OPTIONS_ERRORS = [
    (lambda: nnlib.optim.SGD([_param()], lr=-0.1), r"Invalid learning rate: -0\.1"),
    (lambda: nnlib.optim.SGD([_param()], momentum=-0.5), r"Invalid momentum value: -0\.5"),
    (lambda: nnlib.optim.SGD([_param()], weight_decay=-1), r"Invalid weight_decay value: -1"),
    (lambda: nnlib.optim.SGD([_param()], nesterov=True), r"Nesterov momentum requires .* momentum=0 and dampening=0"),
    (lambda: nnlib.optim.SGD([_param()], momentum=0.9, dampening=0.1, nesterov=True), r"dampening=0\.1"),
    (lambda: nnlib.optim.SGD([{"params": [_param()], "lr": -2}], lr=0.1), r"Invalid learning rate: -2"),
    (lambda: nnlib.optim.RMSprop([_param()], alpha=-0.1), r"Invalid alpha value: -0\.1"),
    (lambda: nnlib.optim.RMSprop([_param()], momentum=-1), r"Invalid momentum value: -1"),
    (lambda: nnlib.optim.RMSprop([_param()], eps=-1e-8), r"Invalid eps value: -1e-08"),
    (lambda: nnlib.optim.Adam([_param()], betas=(1.0, 0.999)), r"Invalid beta parameter at index 0: 1\.0"),
    (lambda: nnlib.optim.Adam([_param()], betas=(0.9, -0.1)), r"Invalid beta parameter at index 1: -0\.1"),
    (lambda: nnlib.optim.Adam([_param()], eps=-1.0), r"Invalid epsilon value: -1\.0"),
    (lambda: nnlib.optim.AdamW([_param()], lr=-1e-3), r"Invalid learning rate: -0\.001"),
    (lambda: nnlib.optim.AdamW([_param()], weight_decay=-0.01), r"Invalid weight_decay value: -0\.01"),
    (lambda: nnlib.optim.SGD([]), r"empty parameter list"),
    (lambda: nnlib.optim.SGD([_param() * 2]), r"non-leaf"),
]


@pytest.mark.parametrize("make, match", OPTIONS_ERRORS)
def test_bad_options_raise_value_error_naming_the_value(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_params_raise_clear_errors():
    p = _param()
    with pytest.raises(TypeError, match=r"iterable of Tensors or dicts, but got Parameter"):
        nnlib.optim.SGD(p)
    with pytest.raises(TypeError, match=r"can only optimize Tensors, but one of the params is ndarray"):
        nnlib.optim.SGD([p, np.zeros(2)])
    with pytest.raises(TypeError, match=r"not a set"):
        nnlib.optim.SGD({p})
    with pytest.raises(ValueError, match=r"more than one parameter group"):
        nnlib.optim.SGD([{"params": [p]}, {"params": [p]}])


def test_load_state_dict_rejects_a_state_dict_of_other_parameters():
    a, b = _param(), nnlib.nn.Parameter(np.zeros(3))
    saved = nnlib.optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match=r"has 2 parameter groups, but this optimizer has 1"):
        nnlib.optim.SGD([a, b]).load_state_dict({"state": {}, "param_groups": saved["param_groups"] * 2})
    with pytest.raises(ValueError, match=r"group 0 has 2 parameters, but this optimizer's group 0 has 1"):
        nnlib.optim.SGD([a]).load_state_dict(saved)
    opt = nnlib.optim.SGD([b, a], lr=0.1, momentum=0.9)
    wrong_shape = {"state": {0: {"momentum_buffer": np.zeros(2)}}, "param_groups": opt.state_dict()["param_groups"]}
    with pytest.raises(ValueError, match=r"'momentum_buffer' of parameter 0 has shape \(2,\), but the parameter has shape \(3,\)"):
        opt.load_state_dict(wrong_shape)


def test_scheduler_errors():
    opt = two_group_sgd(nnlib)
    lr_scheduler = nnlib.optim.lr_scheduler
    with pytest.raises(ValueError, match=r"start_factor=0"):
        lr_scheduler.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match=r"end_factor=1\.5"):
        lr_scheduler.LinearLR(opt, end_factor=1.5)
    with pytest.raises(ValueError, match=r"Expected 2 lr_lambdas \(one per param group\), but got 1"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match=r"2 schedulers and 2 milestones"):
        lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(opt, 5), lr_scheduler.StepLR(opt, 5)], milestones=[3, 6])
    with pytest.raises(ValueError, match=r"schedulers\[1\] \(StepLR\) belongs to a different one"):
        lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(opt, 5), lr_scheduler.StepLR(two_group_sgd(nnlib), 5)], [3])
    with pytest.raises(TypeError, match=r"SGD is not an Optimizer"):
        lr_scheduler.StepLR(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))]), 5)
    with pytest.raises(KeyError, match=r"'initial_lr' is not specified in param_groups\[0\]"):
        lr_scheduler.StepLR(two_group_sgd(nnlib), 5, last_epoch=3)


def test_clip_grad_norm_can_refuse_a_non_finite_norm():
    p = _param()
    p.grad = nnlib.tensor(np.array([np.inf, 1.0]), dtype=p.dtype)
    with pytest.raises(RuntimeError, match=r"non-finite \(inf\)"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
