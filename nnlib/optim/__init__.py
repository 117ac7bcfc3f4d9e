"""nnlib.optim: update rules and learning-rate schedules, shaped like torch.optim.

    optimizer = nnlib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = nnlib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    for epoch in range(100):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        scheduler.step()
"""
from . import lr_scheduler  # noqa: F401
from .adam import Adam, AdamW  # noqa: F401
from .optimizer import Optimizer  # noqa: F401
from .rmsprop import RMSprop  # noqa: F401
from .sgd import SGD  # noqa: F401
