"""[train] precision, channels_last and compile (core/training/speed.py), alone and through the gan
method. The CUDA paths (bf16/fp16 autocast on a GPU, compiled CUDA graphs) run here on the CPU up
to the device: the same Speed calls, CPU autocast and ``torch.amp.GradScaler("cpu")``."""

import json
import math

import pytest
import torch
from torch import nn

from ganvas.errors import UserInputError
from ganvas.io.checkpoint import list_checkpoints, load_checkpoint
from ganvas.plugin.testing import tiny_recipe as tiny_raw
from ganvas.recipe import RecipeError, parse_recipe
from ganvas.training import Speed, Trainer, full_precision, optimizer_step
from ganvas.training import speed as speed_module
from ganvas.training.speed import Compiled

CPU = torch.device("cpu")


def _trainer(host, tmp_path, name="run", **sections):
    run_dir = tmp_path / name
    run_dir.mkdir()
    return Trainer(parse_recipe(tiny_raw(**sections), host.registry), run_dir, host, quiet=True)


def _lines(trainer):
    return [json.loads(line) for line in (trainer.run_dir / "stats.jsonl").read_text().splitlines()]


# -- Speed on its own -------------------------------------------------------------------------


def test_the_defaults_add_nothing():
    speed, net, x = Speed(CPU), nn.Conv2d(3, 4, 3), torch.randn(2, 3, 8, 8)
    assert speed.default and speed.scaler() is None and speed.dtype is None
    assert speed.batch(x) is x and speed.compile(net) is net
    assert speed.compile_pair(net, net) == (net, net)
    with speed.autocast():
        assert net(x).dtype == torch.float32
    speed.networks(net)
    assert net.weight.is_contiguous()


def test_bf16_autocasts_the_forward_passes_and_needs_no_scaler():
    speed = Speed(CPU, "bf16")
    with speed.autocast():
        assert nn.Linear(4, 4)(torch.randn(2, 4)).dtype == torch.bfloat16
    assert speed.scaler() is None and speed.describe() == "bf16"


def test_fp16_gets_a_gradient_scaler_per_call():
    speed = Speed(CPU, "fp16")  # torch >= 2.4 autocasts to fp16 on the CPU too
    first, second = speed.scaler(), speed.scaler()
    assert isinstance(first, torch.amp.GradScaler) and first is not second


def test_fp16_where_torch_cannot_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(speed_module, "autocast_supported", lambda device, dtype: False)
    with pytest.raises(UserInputError, match="fp16 needs a CUDA device.*on CPU use bf16 or fp32"):
        Speed(CPU, "fp16")


def test_an_unknown_precision_is_refused_by_the_recipe_and_by_speed(host):
    with pytest.raises(RecipeError, match="train.precision"):
        parse_recipe(tiny_raw(train={"precision": "fp8"}), host.registry)
    with pytest.raises(UserInputError, match="fp8"):
        Speed(CPU, "fp8")


def test_channels_last_converts_4d_weights_and_image_batches():
    speed, net = Speed(CPU, channels_last=True), nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(144, 1))
    speed.networks(net)
    assert net[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert speed.batch(torch.randn(2, 3, 8, 8)).is_contiguous(memory_format=torch.channels_last)
    points = torch.randn(5, 2)
    assert speed.batch(points) is points


def test_full_precision_turns_autocast_off_inside_it_only():
    a = torch.randn(2, 2)
    with full_precision("cpu"):  # outside autocast: nothing to do
        assert (a @ a).dtype == torch.float32
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert (a @ a).dtype == torch.bfloat16
        with full_precision("cpu"):
            assert (a @ a).dtype == torch.float32
        assert (a @ a).dtype == torch.bfloat16


def test_the_scaler_skips_a_step_with_inf_gradients_and_backs_off():
    net = nn.Linear(2, 1)
    opt, scaler = torch.optim.SGD(net.parameters(), lr=0.1), torch.amp.GradScaler("cpu", init_scale=1024.0)
    before = net.weight.detach().clone()
    optimizer_step(opt, net(torch.full((1, 2), float("inf"))).sum(), scaler)
    assert torch.equal(net.weight, before) and scaler.get_scale() == 512.0
    optimizer_step(opt, net(torch.ones(1, 2)).sum(), scaler)
    assert not torch.equal(net.weight, before)  # a finite step is taken, unscaled
    assert torch.allclose(net.weight, before - 0.1, atol=1e-6)


def test_compiled_modules_run_eager_for_a_gradient_penalty(monkeypatch):
    calls = []

    def fake_compile(module, **kwargs):
        def fast(*args, **kw):
            calls.append("fast")
            return module(*args, **kw)

        return fast

    monkeypatch.setattr(torch, "compile", fake_compile)
    D = nn.Linear(3, 1)
    compiled = Compiled(D)
    x = torch.randn(4, 3)
    compiled(x)  # D's phase: the input needs no gradient
    D.requires_grad_(False)
    compiled(x.requires_grad_(True))  # G's phase: D frozen, the input (G's output) needs one
    D.requires_grad_(True)
    out = compiled(x)  # a penalty: d/dx with D training -> eager, differentiable twice
    (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    grad.square().sum().backward()
    assert calls == ["fast", "fast"] and D.weight.grad is not None


# -- through the gan method ---------------------------------------------------------------------


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_half_precision_trains_with_finite_losses(host, tmp_path, precision):
    trainer = _trainer(host, tmp_path, train={"steps": 2, "log_every": 1, "precision": precision})
    trainer.run()
    for line in _lines(trainer):
        assert math.isfinite(line["Loss/D"]) and math.isfinite(line["Loss/G"]), line
    assert all(p.dtype == torch.float32 for p in trainer.method.G.parameters())  # fp32 master weights
    state = load_checkpoint(list_checkpoints(trainer.run_dir / "checkpoints")[-1][1])["method_state"]
    assert ("scalers" in state) == (precision == "fp16")
    if precision == "fp16":
        assert state["scalers"]["G"]["scale"] > 0 and set(state["scalers"]) == {"G", "D"}


def test_penalties_run_in_fp32_under_half_precision(host, tmp_path):
    trainer = _trainer(
        host,
        tmp_path,
        loss={"name": "wgan-gp"},
        regularize=[{"name": "r1", "every": 1}],
        train={"steps": 2, "log_every": 1, "precision": "bf16", "n_critic": 1},
    )
    trainer.run()
    for line in _lines(trainer):
        assert math.isfinite(line["Loss/D/gp"]) and math.isfinite(line["Loss/D/r1"]), line


def test_channels_last_networks_train(host, tmp_path):
    trainer = _trainer(host, tmp_path, train={"steps": 2, "channels_last": True})
    method = trainer.method
    convs = [p for net in (method.G, method.D) for p in net.parameters() if p.ndim == 4]
    assert convs and all(p.is_contiguous(memory_format=torch.channels_last) for p in convs)
    trainer.run()
    assert method.is_finite()
    assert all(p.is_contiguous(memory_format=torch.channels_last) for p in convs)


def test_channels_last_with_points_is_one_clear_line(host, tmp_path):
    with pytest.raises(UserInputError, match="channels_last = true is for images.*set train.channels_last = false"):
        _trainer(
            host,
            tmp_path,
            data={"source": "toy2d:ring", "count": 64},
            model={"name": "mlp", "width": 8, "depth": 2, "z_dim": 2},
            train={"channels_last": True},
        )


def test_compile_hands_g_and_d_to_torch_compile(host, tmp_path, monkeypatch):
    compiled = []
    monkeypatch.setattr(torch, "compile", lambda module, **kw: compiled.append(module) or module)
    trainer = _trainer(host, tmp_path, train={"steps": 1, "compile": True})
    method = trainer.method
    assert compiled == [method.G, method.D]  # once each: one process, no DDP wrapper to compile too
    assert isinstance(method.G_train, Compiled) and method.G_call is method.G_train
    trainer.run()
    assert method.is_finite() and set(method.state_dict()["G"]) == set(method.G.state_dict())


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_half_precision_interrupted_then_resumed_equals_uninterrupted(host, tmp_path, precision):
    from ganvas import hookimpl

    train = {"precision": precision}
    straight = _trainer(host, tmp_path, "straight", train=train)
    straight.run()
    broken = _trainer(host, tmp_path, "broken", train=train)

    class StopAt4:
        @hookimpl
        def on_step_end(self, trainer, step, stats):
            if step == 4:
                trainer.request_stop()

    host.pm.register(StopAt4(), name="stopper")
    try:
        with pytest.raises(Exception, match="interrupted at step 4"):
            broken.run()
    finally:
        host.pm.unregister(name="stopper")
    resumed = Trainer.resume(broken.run_dir, host, broken.recipe, quiet=True)
    resumed.run()
    want, got = straight.method.state_dict(), resumed.method.state_dict()
    for name in ("G", "D", "G_ema"):
        for key in want[name]:
            assert torch.equal(want[name][key], got[name][key]), (name, key)
    assert want.get("scalers") == got.get("scalers")
    assert (straight.run_dir / "samples/step-0000006.png").read_bytes() == (
        resumed.run_dir / "samples/step-0000006.png"
    ).read_bytes()
