"""``ganvas bench scaling``: the report of two processes against two threads (runs faked: the real
multi-process training is tested in tests/core/training/test_distributed.py)."""

from __future__ import annotations

import json

from ganvas.bench import scaling


def test_images_per_s_leaves_out_the_warmup_steps(tmp_path):
    lines = [{"step": s, "images_per_s": 10.0 * s} for s in (2, 4, 6, 8)]
    (tmp_path / "stats.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert scaling._images_per_s(tmp_path, warmup=4) == 70.0


def test_report_takes_medians_over_rounds_and_the_ratio(monkeypatch):
    calls = []

    def fake_train(recipe, overrides, processes, threads, runs, warmup):
        calls.append((processes, threads, warmup, "train.batch=8" in overrides))
        return 100.0 * processes + len(calls)  # rises with each run: the median is the middle one

    monkeypatch.setattr(scaling, "_train", fake_train)
    report = scaling.run_scaling_benchmark("default", steps=12, batch=8, rounds=3)
    assert [c[:2] for c in calls] == [(1, 2), (2, 1)] * 3  # alternating rounds
    assert all(c[2] == 2 and c[3] for c in calls)
    assert report["images_per_s"] == {"1 process x 2 threads": 103.0, "2 processes x 1 thread": 204.0}
    assert report["ratio_2proc_over_2threads"] == round(204 / 103, 3)
    assert "ratio 2 processes / 2 threads: 1.98" in scaling.format_report(report)
