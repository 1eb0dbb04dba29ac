"""core/bench/resolution.py: settings and ``ganvas bench resolution --quick --json`` end to end
(the metrics are tested in test_crispness.py)."""

import json
import math

import pytest


def test_quick_settings_yield_to_given_options():
    from ganvas.bench.resolution import QUICK, Settings, settings_for

    assert settings_for() == Settings()
    quick = settings_for(True, steps=5, device="cpu")
    assert quick.steps == 5 and quick.samples == QUICK["samples"] and quick.device == "cpu" and quick.quick


#: Report fields that are None when the quick models' pictures have no edges (they rise < 0.15).
_NULLABLE = {"median_width_px", "width_ratio", "cuda_peak_mb", "value"}


def _numbers(node, path=()):
    """(path, value) of every leaf of a JSON report."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _numbers(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _numbers(value, (*path, str(i)))
    else:
        yield path, node


@pytest.mark.slow
def test_bench_resolution_quick_json(cli):
    from ganvas.bench.resolution import format_report

    result = cli("bench", "resolution", "--quick", "--device", "cpu", "--json")
    report = json.loads(result.stdout)
    assert "training baseline (dcgan)" in result.stderr  # progress goes to stderr
    assert set(report) == {
        "benchmark",
        "machine",
        "settings",
        "training",
        "swd",
        "crispness",
        "render",
        "seam",
        "targets",
    }
    assert set(report["targets"]) == {
        "swd_ratio",
        "edge_width_ratio",
        "render_seconds",
        "texture_render_seconds",
        "seam",
    }
    assert report["settings"]["quick"] and report["settings"]["steps"] == 3 and report["machine"]["torch_threads"] >= 1
    for role in ("baseline", "challenger", "texture"):
        run = report["training"][role]
        assert run["steps"] >= 1 and run["cpu_seconds"] > 0
    assert report["training"]["challenger"]["model"] == "cppn" and report["training"]["texture"]["model"] == "spatial"
    budget = report["training"]["baseline"]["cpu_seconds"]
    assert report["training"]["challenger"]["cpu_seconds"] >= budget  # trained until it used as much
    assert set(report["swd"]) == {"samples", "size", "floor", "baseline", "challenger", "ratio"}
    for role in ("baseline", "challenger"):
        assert set(report["crispness"][role]) == {"median_width_px", "mean_gradient", "edges"}
    for role in ("challenger", "texture"):
        render = report["render"][role]
        assert render["shape"] == [1, 3, 256, 256] and render["finite"] and render["seconds"] > 0
    for kind in ("tile", "plain"):
        assert set(report["seam"][kind]) == {"seam", "interior"}
    for path, value in _numbers(report):
        if value is None:
            assert path[-1] in _NULLABLE, path
        elif isinstance(value, float):
            assert math.isfinite(value), path
    for target in report["targets"].values():
        value, bound = target["value"], target["target"]
        met = value is not None and (value <= bound if target["rule"] == "<=" else value >= bound)
        assert target["pass"] is met  # computed from the measurements
    assert "targets" in format_report(report) and "edges at 128 px" in format_report(report)
