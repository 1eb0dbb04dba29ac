"""core/bench/loop.py: the bare loop steps the same networks the trainer built (timing itself runs
through ``ganvas bench loop`` in tests/core/cli/test_bench.py)."""

import torch


def test_bare_loop_starts_from_the_trainers_weights_and_trains(host, tmp_path):
    from ganvas.bench.loop import BareLoop, _recipe
    from ganvas.training import Trainer

    trainer = Trainer(_recipe(host, 16, 4, 4, "cpu", 0.0), tmp_path, host, quiet=True)
    bare = BareLoop(trainer)
    before = [p.detach().clone() for p in bare.G.parameters()]
    assert all(torch.equal(a, b) for a, b in zip(before, trainer.method.G.parameters()))
    bare.step()
    assert any(not torch.equal(a, b) for a, b in zip(before, bare.G.parameters()))


def test_format_report_shows_the_ratio():
    from ganvas.bench.loop import format_report

    report = {
        "size": 16,
        "width": 4,
        "batch": 4,
        "rounds": 2,
        "steps_per_round": 1,
        "device": "cpu",
        "threads": 1,
        "torch": "2",
        "bare_ms_per_step": 1.0,
        "ganvas_ms_per_step": 1.02,
        "ganvas_ema_ms_per_step": 1.1,
        "ratio": 1.02,
        "ratio_min": 1.0,
        "ratio_max": 1.04,
        "ratio_with_ema": 1.1,
        "target_ratio": 1.05,
    }
    text = format_report(report)
    assert "ratio ganvas/bare      1.020" in text and "bare PyTorch loop" in text
