"""PyTorch's beginner tutorials, run on nnlib with only the import line changed.

Each program below is written for PyTorch, following the steps of PyTorch's own tutorials (the
polynomial fit of sin(x) with raw tensors, with autograd, with nn, with optim, with a custom Module
and with a custom autograd.Function; the 60-minute blitz's LeNet training step). The test runs the
same text twice: as written, and with `import torch` replaced by `import nnlib as torch`. Both runs
must train: the loss falls, by as much as it falls in PyTorch.
"""
import re
import textwrap

import pytest

PREAMBLE = """
import math
import torch
torch.manual_seed(0)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
losses = []
"""

PROGRAMS = {
    # Gradients written by hand; the update is `a -= lr * grad_a` on plain tensors.
    "tensors": """
dtype, device = torch.float, torch.device("cpu")
a, b, c, d = (torch.randn((), device=device, dtype=dtype) for _ in range(4))
learning_rate = 1e-6
for t in range(1500):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    losses.append((y_pred - y).pow(2).sum().item())
    grad_y_pred = 2.0 * (y_pred - y)
    grad_a, grad_b = grad_y_pred.sum(), (grad_y_pred * x).sum()
    grad_c, grad_d = (grad_y_pred * x ** 2).sum(), (grad_y_pred * x ** 3).sum()
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d
""",
    # The same with autograd: requires_grad, backward(), updates under no_grad, then .grad = None.
    "autograd": """
a, b, c, d = (torch.randn((), dtype=torch.float, requires_grad=True) for _ in range(4))
learning_rate = 1e-6
for t in range(1500):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        for coefficient in (a, b, c, d):
            coefficient -= learning_rate * coefficient.grad
            coefficient.grad = None
""",
    # nn: powers of x as features, Linear + Flatten(0, 1), and the manual update over parameters().
    "nn": """
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction="sum")
learning_rate = 1e-6
for t in range(1500):
    loss = loss_fn(model(xx), y)
    losses.append(loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
layer = model[0]
result = f"y = {layer.bias.item():.3f} + {layer.weight[:, 0].item():.3f} x + ..."
""",
    # optim: the same model trained by RMSprop.
    "optim": """
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
for t in range(1500):
    loss = loss_fn(model(xx), y)
    losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
    # A custom Module with four scalar Parameters, trained by SGD.
    "module": """
class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"

model = Polynomial3()
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
for t in range(1500):
    loss = criterion(model(x), y)
    losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
result = model.string()
""",
    # A custom autograd.Function (the Legendre polynomial P3) with save_for_backward.
    "function": """
class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)

a = torch.full((), 0.0, requires_grad=True)
b = torch.full((), -1.0, requires_grad=True)
c = torch.full((), 0.0, requires_grad=True)
d = torch.full((), 0.3, requires_grad=True)
learning_rate = 5e-6
for t in range(1500):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        for coefficient in (a, b, c, d):
            coefficient -= learning_rate * coefficient.grad
            coefficient.grad = None
""",
}

LENET = """
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
        s4 = torch.flatten(s4, 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        return self.fc3(f6)


net = Net()
n_params = sum(p.numel() for p in net.parameters())
shapes = [tuple(p.size()) for p in net.parameters()]
input = torch.randn(4, 1, 32, 32)
target = torch.randn(4, 10)
criterion = nn.MSELoss()
optimizer = optim.SGD(net.parameters(), lr=0.1)
losses = []
for step in range(40):
    optimizer.zero_grad()
    output = net(input)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
grad_fn_name = loss.grad_fn.name()
"""


def run(program, library):
    """Execute a PyTorch program, with `import torch` turned into `import nnlib as torch` for nnlib."""
    source = textwrap.dedent(program)
    if library == "nnlib":
        source = re.sub(r"^import torch$", "import nnlib as torch", source, flags=re.M)
        source = re.sub(r"^import torch\.(\S+) as (\w+)$", r"import nnlib.\1 as \2", source, flags=re.M)
        assert "import nnlib" in source
    namespace = {}
    exec(compile(source, f"<{library} program>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("name", PROGRAMS)
def test_polynomial_tutorial_trains_on_nnlib_as_on_torch(name):
    results = {lib: run(PREAMBLE + PROGRAMS[name], lib) for lib in ("torch", "nnlib")}
    ours, theirs = results["nnlib"]["losses"], results["torch"]["losses"]
    assert len(ours) == len(theirs) == 1500
    assert all(isinstance(v, float) for v in ours), "loss.item() must give Python floats"
    # the fit works: the loss falls by a large factor, and ends where torch's ends (another random start)
    assert ours[-1] < ours[0] / 5, f"{name}: nnlib's loss went from {ours[0]:.1f} to {ours[-1]:.1f}"
    assert theirs[-1] < theirs[0] / 5
    assert ours[-1] < 3 * theirs[-1] + 20, f"{name}: nnlib ends at {ours[-1]:.1f}, torch at {theirs[-1]:.1f}"
    if "result" in results["nnlib"]:
        assert results["nnlib"]["result"].startswith("y = ")


def test_polynomial_fit_is_the_same_fit_when_the_start_is_the_same():
    """From the same starting coefficients, nnlib and torch take the same 1,500 steps (float32 round-off apart)."""
    same_start = """
with torch.no_grad():
    for coefficient, value in zip((a, b, c, d), (0.1, -0.2, 0.3, 0.05)):
        coefficient.fill_(value)
"""
    program = PROGRAMS["autograd"].replace("learning_rate = 1e-6\n", "learning_rate = 1e-6\n" + same_start)
    ours, theirs = (run(PREAMBLE + program, lib)["losses"] for lib in ("nnlib", "torch"))
    assert ours[0] == pytest.approx(theirs[0], rel=1e-5)
    assert ours[-1] == pytest.approx(theirs[-1], rel=1e-3)


def test_lenet_training_step_runs_on_nnlib_as_on_torch():
    ours, theirs = run(LENET, "nnlib"), run(LENET, "torch")
    assert ours["n_params"] == theirs["n_params"] == 61706
    assert ours["shapes"] == theirs["shapes"]
    for lib in (ours, theirs):
        assert lib["losses"][-1] < 0.5 * lib["losses"][0], f"loss {lib['losses'][0]:.3f} -> {lib['losses'][-1]:.3f}"
    # the node names follow each library's ops: torch fuses the mean into MseLossBackward0
    assert (ours["grad_fn_name"], theirs["grad_fn_name"]) == ("MeanBackward0", "MseLossBackward0")
