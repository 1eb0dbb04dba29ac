"""core/bench/augment_quality.py: every configuration trains and is scored (tiny settings)."""

import pytest


@pytest.mark.slow
def test_augment_quality_runs_every_config(host):
    from ganvas.bench.augment_quality import CONFIGS, run

    report = run(host, steps=2, seeds=1, samples=16, train_images=16, log=lambda *_: None)
    assert [r["config"] for r in report["runs"]] == list(CONFIGS)
    assert all(r["swd"] > 0 for r in report["runs"]) and report["floor"] > 0
    assert set(report["mean"]) == set(CONFIGS)


def test_format_report_lists_each_config():
    from ganvas.bench.augment_quality import format_report

    text = format_report(
        {"data": "procedural", "train_images": 100, "floor": 1.5, "mean": {"none": 9.0, "diffaugment": 7.0, "ada": 6.5}}
    )
    assert "real-vs-real floor: 1.5" in text and "mean SWD ada" in text
