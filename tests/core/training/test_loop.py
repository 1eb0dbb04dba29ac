import json
import math

import pytest
import torch

from ganvas.io.checkpoint import list_checkpoints, load_checkpoint
from ganvas.plugin.testing import tiny_recipe as tiny_raw
from ganvas.recipe import parse_recipe
from ganvas.training.components import LogitLoss
from ganvas.training.loop import Trainer, TrainingDiverged, TrainingInterrupted


def _trainer(host, tmp_path, name="run", **sections):
    run_dir = tmp_path / name
    run_dir.mkdir()
    recipe = parse_recipe(tiny_raw(**sections), host.registry)
    return Trainer(recipe, run_dir, host, quiet=True)


def test_a_few_steps_give_finite_losses_stats_samples_and_checkpoints(host, tmp_path):
    trainer = _trainer(host, tmp_path)
    trainer.run()
    lines = [json.loads(l) for l in (trainer.run_dir / "stats.jsonl").read_text().splitlines()]
    assert [l["step"] for l in lines] == [2, 4, 6]
    for line in lines:
        for key in ("Loss/D", "Loss/G", "D/real", "D/fake", "images_per_s"):
            assert math.isfinite(line[key]), (key, line)
    assert sorted(p.name for p in (trainer.run_dir / "samples").iterdir()) == ["step-0000003.png", "step-0000006.png"]
    assert [s for s, _ in list_checkpoints(trainer.run_dir / "checkpoints")] == [3, 6]


def test_training_changes_the_generator(host, tmp_path):
    trainer = _trainer(host, tmp_path)
    before = [p.clone() for p in trainer.method.G.parameters()]
    trainer.run()
    assert any(not torch.equal(a, b) for a, b in zip(before, trainer.method.G.parameters()))


def test_keep_checkpoints_prunes_old_ones(host, tmp_path):
    trainer = _trainer(host, tmp_path, train={"checkpoint_every": 1, "keep_checkpoints": 2})
    trainer.run()
    assert [s for s, _ in list_checkpoints(trainer.run_dir / "checkpoints")] == [5, 6]
    assert not list(trainer.run_dir.rglob("*.tmp"))


def test_same_seed_same_images_bit_for_bit(host, tmp_path):
    a, b = _trainer(host, tmp_path, "a"), _trainer(host, tmp_path, "b")
    a.run(), b.run()
    assert (a.run_dir / "samples/step-0000006.png").read_bytes() == (
        b.run_dir / "samples/step-0000006.png"
    ).read_bytes()
    c = _trainer(host, tmp_path, "c", train={"seed": 1})
    c.run()
    assert (a.run_dir / "samples/step-0000006.png").read_bytes() != (
        c.run_dir / "samples/step-0000006.png"
    ).read_bytes()


def _all_weights(trainer):
    state = trainer.method.state_dict()
    return {k: v for name in ("G", "D", "G_ema", "opt_g", "opt_d") for k, v in _flatten(state[name], name).items()}


def _flatten(obj, prefix):
    if isinstance(obj, torch.Tensor):
        return {prefix: obj}
    if isinstance(obj, dict):
        return {k: v for key, val in obj.items() for k, v in _flatten(val, f"{prefix}.{key}").items()}
    if isinstance(obj, (list, tuple)):
        return {k: v for i, val in enumerate(obj) for k, v in _flatten(val, f"{prefix}.{i}").items()}
    return {prefix: torch.tensor(float(obj)) if isinstance(obj, (int, float)) else obj}


def _interrupt_at(host, trainer, stop_step, match=None):
    """Run ``trainer`` until a plugin requests a stop after ``stop_step``; expect the interruption."""

    class StopPlugin:
        from ganvas import hookimpl

        @hookimpl
        def on_step_end(self, trainer, step, stats):
            if step == stop_step:
                trainer.request_stop()

    host.pm.register(StopPlugin(), name="stopper")
    try:
        with pytest.raises(TrainingInterrupted, match=match):
            trainer.run()
    finally:
        host.pm.unregister(name="stopper")


def _assert_same_weights(want_trainer, got_trainer):
    want, got = _all_weights(want_trainer), _all_weights(got_trainer)
    assert want.keys() == got.keys()
    for key in want:
        if isinstance(want[key], torch.Tensor):
            assert torch.equal(want[key], got[key]), key


def test_interrupted_then_resumed_equals_uninterrupted(host, tmp_path):
    straight = _trainer(host, tmp_path, "straight")
    straight.run()

    broken = _trainer(host, tmp_path, "broken")
    _interrupt_at(host, broken, 4, match="interrupted at step 4/6.*--resume")
    assert [s for s, _ in list_checkpoints(broken.run_dir / "checkpoints")] == [3, 4]

    resumed = Trainer.resume(broken.run_dir, host, broken.recipe, quiet=True)
    assert resumed.step == 4
    resumed.run()
    _assert_same_weights(straight, resumed)
    assert (straight.run_dir / "samples/step-0000006.png").read_bytes() == (
        resumed.run_dir / "samples/step-0000006.png"
    ).read_bytes()


def test_checkpoints_load_with_weights_only(host, tmp_path):
    trainer = _trainer(host, tmp_path)
    path = trainer.run()
    state = torch.load(path, map_location="cpu", weights_only=True)
    assert state["step"] == 6 and "G_ema" in state["method_state"] and "rng" in state and state["method"] == "gan"
    assert load_checkpoint(path)["recipe"] == trainer.recipe.to_toml()


class ExplodingLoss(LogitLoss):
    def d_loss(self, real_logits, fake_logits):
        return (real_logits * float("nan")).mean()

    def g_loss(self, fake_logits):
        return -fake_logits.mean()


def test_nan_loss_stops_the_run_without_writing_garbage(host, tmp_path):
    trainer = _trainer(host, tmp_path)
    trainer.method.loss = ExplodingLoss()
    with pytest.raises(TrainingDiverged, match="NaN/inf by step 2.*no checkpoint was written.*learning rates"):
        trainer.run()
    assert not (trainer.run_dir / "samples").exists()
    assert not (trainer.run_dir / "checkpoints").exists()
    from ganvas.io import read_status

    assert read_status(trainer.run_dir)["state"] == "diverged"  # what ganvas runs shows


def test_points_dataset_trains_with_mlp(host, tmp_path):
    trainer = _trainer(
        host,
        tmp_path,
        data={"source": "toy2d:ring", "count": 256},
        model={"name": "mlp", "width": 16, "depth": 2, "z_dim": 4},
    )
    trainer.run()
    assert (trainer.run_dir / "samples/step-0000006.png").is_file()


def test_lifecycle_hooks_are_called(host, tmp_path):
    from ganvas import hookimpl

    calls = []

    class Recorder:
        @hookimpl
        def on_train_start(self, trainer):
            calls.append(("start", trainer.step))

        @hookimpl
        def on_sample(self, trainer, step, images, path):
            calls.append(("sample", step, tuple(images.shape), path.name))

        @hookimpl
        def on_checkpoint(self, trainer, step, path):
            calls.append(("checkpoint", step))

        @hookimpl
        def on_train_end(self, trainer, step, reason):
            calls.append(("end", step, reason))

    host.pm.register(Recorder())
    _trainer(host, tmp_path).run()
    assert calls == [
        ("start", 0),
        ("sample", 3, (4, 3, 16, 16), "step-0000003.png"),
        ("checkpoint", 3),
        ("sample", 6, (4, 3, 16, 16), "step-0000006.png"),
        ("checkpoint", 6),
        ("end", 6, "finished"),
    ]


_ADA = {"policy": "color,translation,cutout", "ada": True, "p": 0.5, "ada_interval": 1, "ada_kimg": 0.1}


def test_ada_interrupted_then_resumed_equals_uninterrupted(host, tmp_path):
    straight = _trainer(host, tmp_path, "straight", augment=_ADA)
    straight.run()
    broken = _trainer(host, tmp_path, "broken", augment=_ADA)
    _interrupt_at(host, broken, 4)
    saved = load_checkpoint(list_checkpoints(broken.run_dir / "checkpoints")[-1][1])
    assert saved["method_state"]["augment"]["pipeline"]["p"].item() == broken.method.pipeline.p.item()

    resumed = Trainer.resume(broken.run_dir, host, broken.recipe, quiet=True)
    assert resumed.method.pipeline.p.item() == broken.method.pipeline.p.item()
    resumed.run()
    _assert_same_weights(straight, resumed)
    assert straight.method.pipeline.p.item() == resumed.method.pipeline.p.item()
    assert straight.method.pipeline.p.item() != 0.5  # ADA moved it (0.08 per D phase here)
    lines = [json.loads(l) for l in (straight.run_dir / "stats.jsonl").read_text().splitlines()]
    assert all(0 <= l["Augment/p"] <= 1 and -1 <= l["D/real_sign"] <= 1 for l in lines)


def test_augmented_training_runs_and_shows_p(host, tmp_path):
    from ganvas.training.stats import progress_fields as _progress_fields

    trainer = _trainer(
        host,
        tmp_path,
        augment={"policy": "color,translation,cutout"},
        loss={"name": "wgan-gp"},
        train={"steps": 2, "n_critic": 1},
    )
    trainer.run()
    line = json.loads((trainer.run_dir / "stats.jsonl").read_text().splitlines()[-1])
    assert line["Augment/p"] == 1.0 and "D/real_sign" in line
    assert _progress_fields(line)["p"] == "1.000"


def test_noisy_regularized_run_resumes_exactly(host, tmp_path):
    """Instance noise draws from the global RNG and follows a schedule; R1 runs on some steps."""
    regs = [{"name": "instance-noise", "sigma": 0.3, "until": 1.0}, {"name": "r1", "every": 2}]
    straight = _trainer(host, tmp_path, "straight", regularize=regs)
    straight.run()
    broken = _trainer(host, tmp_path, "broken", regularize=regs)
    _interrupt_at(host, broken, 3)
    resumed = Trainer.resume(broken.run_dir, host, broken.recipe, quiet=True)
    resumed.run()
    _assert_same_weights(straight, resumed)
