"""nn.optim: update rules by hand and step for step against torch.optim (float64); schedules."""

from __future__ import annotations

import math
import random

import pytest

import nn
from autograd import Value, sin
from nn.optim import LRScheduler

START = [0.5, -1.5, 2.0, 0.1]
X = Value(1.0)  # a parameter for argument checks


def objective(p, sine):
    """A bumpy function with coupled parameters: Σ (i + 1)·pᵢ² / 2 + sin(pᵢ), plus p₀p₁."""
    return sum((i + 1) * x * x / 2 + sine(x) for i, x in enumerate(p)) + p[0] * p[1]


def run_ours(make_optimizer, steps, schedule=None):
    params = [Value(x) for x in START]
    optimizer = make_optimizer(params)
    scheduler = schedule(optimizer) if schedule else None
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        objective(params, sin).backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
        trajectory.append([p.data for p in params])
    return trajectory


def run_torch(torch, make_optimizer, steps, schedule=None):
    params = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([params])
    scheduler = schedule(optimizer) if schedule else None
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        objective(params, torch.sin).backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
        trajectory.append(params.tolist())
    return trajectory


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="PyTorch is the oracle for the parity tests")


SGD_SETTINGS = [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
    {"lr": 0.1, "weight_decay": 0.5},
]
ADAM_SETTINGS = [
    {"lr": 0.1},
    {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.05, "weight_decay": 0.3},
]


@pytest.mark.parametrize("settings", SGD_SETTINGS)
def test_sgd_matches_torch_step_for_step(torch, settings):
    ours = run_ours(lambda p: nn.SGD(p, **settings), 25)
    theirs = run_torch(torch, lambda p: torch.optim.SGD(p, **settings), 25)
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("settings", ADAM_SETTINGS)
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_and_adamw_match_torch_step_for_step(torch, name, settings):
    ours = run_ours(lambda p: getattr(nn, name)(p, **settings), 25)
    theirs = run_torch(torch, lambda p: getattr(torch.optim, name)(p, **settings), 25)
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize(
    "ours_schedule, torch_schedule",
    [
        (
            lambda o: nn.LinearDecay(o, total_steps=10),
            lambda t, o: t.optim.lr_scheduler.LinearLR(
                o, start_factor=1.0, end_factor=0.1, total_iters=10
            ),
        ),
        (
            lambda o: nn.StepLR(o, step_size=4, gamma=0.5),
            lambda t, o: t.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.5),
        ),
        (
            lambda o: nn.CosineAnnealing(o, total_steps=12, min_lr=0.01),
            lambda t, o: t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=12, eta_min=0.01),
        ),
    ],
)
def test_schedules_match_torch(torch, ours_schedule, torch_schedule):
    ours = run_ours(lambda p: nn.SGD(p, lr=0.1, momentum=0.5), 12, ours_schedule)
    theirs = run_torch(
        torch,
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5),
        12,
        lambda o: torch_schedule(torch, o),
    )
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, rel=1e-10, abs=1e-12)


def test_sgd_by_hand():
    x = Value(3.0)
    optimizer = nn.SGD([x], lr=0.1, momentum=0.5)
    for expected in (3.0 - 0.1 * 6.0, None):
        optimizer.zero_grad()
        (x * x).backward()  # ∇ = 2x
        optimizer.step()
        if expected is not None:
            assert x.data == pytest.approx(expected)
    # second step: b = 0.5·6 + 2·2.4 = 7.8, x = 2.4 - 0.78
    assert x.data == pytest.approx(1.62)


def test_adam_first_step_moves_each_parameter_by_lr():
    params = [Value(1.0), Value(-3.0), Value(0.0)]
    optimizer = nn.Adam(params, lr=0.01)
    for p in params:
        p.grad = 5.0 * p.data
    optimizer.step()  # m̂ = g, v̂ = g²: the step is lr·sign(g) (0 where g = 0)
    assert [p.data for p in params] == pytest.approx([0.99, -2.99, 0.0])


def test_micrograd_linear_decay():
    optimizer = nn.SGD([Value(0.0)], lr=1.0)
    schedule = nn.LinearDecay(optimizer, total_steps=100)
    seen = []
    for _ in range(100):
        seen.append(optimizer.lr)
        optimizer.step()
        schedule.step()
    assert seen == pytest.approx([1.0 - 0.9 * k / 100 for k in range(100)], rel=1e-15)
    assert schedule.get_last_lr() == [pytest.approx(0.1)]
    assert schedule.lr_at(1000) == pytest.approx(0.1)


def test_schedules_closed_forms():
    optimizer = nn.SGD([Value(0.0)], lr=2.0)
    step = nn.StepLR(optimizer, step_size=3, gamma=0.5)
    assert [step.lr_at(k) for k in (0, 2, 3, 7)] == [2.0, 2.0, 1.0, 0.5]
    cosine = nn.CosineAnnealing(nn.SGD([Value(0.0)], lr=1.0), total_steps=4)
    assert [cosine.lr_at(k) for k in (0, 2, 4, 9)] == pytest.approx([1.0, 0.5, 0.0, 0.0])


def test_lr_can_be_changed_between_steps():
    x = Value(1.0)
    optimizer = nn.SGD([x], lr=0.5)
    x.grad = 1.0
    optimizer.lr = 0.25
    optimizer.step()
    assert x.data == 0.75
    optimizer.zero_grad()
    assert x.grad == 0.0


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: nn.SGD([], lr=0.1), ValueError, "SGD got an empty parameter list"),
        (lambda: nn.SGD(Value(1.0)), TypeError, "iterable of Values"),
        (lambda: nn.SGD([1.0]), TypeError, "params\\[0\\] is float, not a Value"),
        (lambda: nn.SGD([X, X]), ValueError, "appears more than once"),
        (lambda: nn.SGD([X], lr=-1.0), ValueError, "lr must be >= 0, got -1.0"),
        (lambda: nn.SGD([X], lr=math.nan), ValueError, "lr must be a finite number"),
        (lambda: nn.SGD([X], nesterov=True), ValueError, "nesterov momentum needs momentum > 0"),
        (lambda: nn.Adam([X], betas=(0.9, 1.0)), ValueError, "betas\\[1\\] must be in \\[0, 1\\)"),
        (lambda: nn.StepLR(nn.SGD([X]), step_size=0), ValueError, "step_size must be a positive"),
        (lambda: nn.LinearDecay("sgd", 10), TypeError, "needs an Optimizer, got str"),
    ],
)
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_reprs():
    assert repr(nn.SGD([X], lr=0.1)) == (
        "SGD(1 parameters, lr=0.1, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0)"
    )
    assert repr(nn.AdamW([X])).startswith("AdamW(1 parameters, lr=0.001, betas=(0.9, 0.999)")


def test_a_schedule_is_an_lr_scheduler():
    assert all(issubclass(s, LRScheduler) for s in (nn.LinearDecay, nn.StepLR, nn.CosineAnnealing))


def test_micrograds_demo_loop_step_for_step():
    """MLP + hinge + 1e-4·L2 + SGD with micrograd's linear decay: micrograd's own loop's numbers."""
    micrograd_nn = pytest.importorskip("micrograd.nn", reason="micrograd not installed")
    points = [[math.cos(t), math.sin(2 * t)] for t in range(12)]
    labels = [1 if x * y > 0 else -1 for x, y in points]

    saved = random.getstate()  # micrograd draws from the global generator
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [8, 8, 1])
    random.setstate(saved)
    ours = nn.MLP(2, [8, 8, 1], seed=1337)
    optimizer = nn.SGD(ours.parameters(), lr=1.0)
    schedule = nn.LinearDecay(optimizer, total_steps=4)
    for k in range(4):
        scores = [theirs(x) for x in points]
        margins = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
        their_loss = sum(margins) * (1.0 / len(margins)) + 1e-4 * sum(
            p * p for p in theirs.parameters()
        )
        theirs.zero_grad()
        their_loss.backward()
        for p in theirs.parameters():
            p.data -= (1.0 - 0.9 * k / 4) * p.grad

        our_scores = [ours(x) for x in points]
        loss = nn.hinge_loss(our_scores, labels) + 1e-4 * nn.l2(ours.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()

        assert loss.data == pytest.approx(their_loss.data, rel=1e-12)
        ours_now = [p.data for p in ours.parameters()]
        assert ours_now == pytest.approx([p.data for p in theirs.parameters()], rel=1e-9, abs=1e-12)


def test_sync_sets_the_lr_of_the_optimizers_next_step_and_a_function_is_a_schedule():
    optimizer = nn.SGD([Value(0.0)], lr=1.0)
    optimizer.step()  # a step before the schedule exists does not count
    schedule = nn.LRFunction(optimizer, lambda k: 1.0 / (k + 1))
    assert isinstance(schedule, LRScheduler) and optimizer.lr == 1.0
    schedule.sync()
    assert optimizer.lr == 1.0 and schedule.last_step == 0
    optimizer.step()
    optimizer.step()
    schedule.sync()
    assert optimizer.lr == 1 / 3 and schedule.last_step == 2
    schedule.step()  # step() still moves on by one, as in PyTorch (after optimizer.step())
    assert optimizer.lr == 1 / 4
    with pytest.raises(ValueError, match="the schedule's lr at step 0 must be >= 0"):
        nn.LRFunction(optimizer, lambda k: -1.0)
