"""``ganvas bench NAME`` (core/cli/bench.py): each command runs and prints its figures, as text and JSON."""

import json

from conftest import Cli


def test_bench_loop_reports_measured_ratio(cli: Cli):
    result = cli(
        "bench",
        "loop",
        "--size",
        "16",
        "--width",
        "4",
        "--batch",
        "4",
        "--steps",
        "1",
        "--rounds",
        "2",
        "--device",
        "cpu",
        "--json",
    )
    report = json.loads(result.output)
    assert report["benchmark"] == "loop" and report["rounds"] == 2
    assert report["bare_ms_per_step"] > 0 and report["ganvas_ms_per_step"] > 0
    assert 0.2 < report["ratio"] < 5  # a measured figure, not a constant
    assert report["ratio_min"] <= report["ratio"] <= report["ratio_max"]
    text = cli(
        "bench",
        "loop",
        "--size",
        "16",
        "--width",
        "4",
        "--batch",
        "4",
        "--steps",
        "1",
        "--rounds",
        "1",
        "--device",
        "cpu",
    ).output
    assert "ratio ganvas/bare" in text and "bare PyTorch loop" in text


def test_bench_modes_reports_the_protocol_figures(cli: Cli, tmp_path):
    import tomli_w

    recipe = tmp_path / "ring-tiny.toml"
    recipe.write_text(
        tomli_w.dumps(
            {
                "name": "ring-tiny",
                "data": {"source": "toy2d:ring", "count": 512},
                "model": {"name": "mlp", "width": 16, "depth": 2, "z_dim": 2},
                "loss": {"name": "hinge"},
                "train": {"steps": 5, "batch": 32, "device": "cpu"},
                "regularize": [{"name": "pack", "m": 2}],
            }
        )
    )
    reports = json.loads(cli("bench", "modes", str(recipe), "--trials", "2", "--json").output)
    assert [r["name"] for r in reports] == ["ring-tiny", "ring-tiny baseline"]
    mine, baseline = reports
    assert mine["mixture"] == "ring" and mine["loss"] == "hinge" and mine["regularize"] == ["pack"]
    assert baseline["loss"] == "nonsaturating" and baseline["regularize"] == []
    for trial in mine["trials"]:
        assert 0 <= trial["modes"] <= 8 and 0 <= trial["high_quality"] <= 100 and trial["seconds"] >= 0
    assert mine["summary"]["modes"]["mean"] == sum(t["modes"] for t in mine["trials"]) / 2
    text = cli("bench", "modes", str(recipe), "--trials", "1", "--no-baseline").output
    assert "published PacGAN4" in text and "ring-tiny (hinge+pack" in text


def test_bench_modes_needs_a_toy2d_recipe(cli: Cli):
    result = cli("bench", "modes", "default", "--trials", "1", code=2)
    assert "needs a toy2d:ring or toy2d:grid recipe" in result.output


def test_bench_augment_json(cli: Cli):
    result = cli(
        "bench",
        "augment",
        "--batch",
        "2",
        "--size",
        "8",
        "--repeats",
        "1",
        "--rounds",
        "1",
        "--step-rounds",
        "0",
        "--json",
    )
    report = json.loads(result.output)
    assert report["ratio"] > 0 and report["batch_shape"] == [2, 3, 8, 8]


def test_every_bench_command_has_json(cli: Cli):
    from ganvas.cli.bench import bench

    cli("bench", "--help")  # the CLI is built (bench commands from other modules join the group)
    assert set(bench.commands) == {
        "loop",
        "modes",
        "augment",
        "augment-quality",
        "stylize",
        "threads",
        "resolution",
        "single-image",
        "control",
        "repair",
        "stream",
        "scaling",
        "throughput",
    }
    for name in bench.commands:
        assert "--json" in cli("bench", name, "--help").output


def test_bench_threads_times_each_count_idle_and_loaded(cli: Cli, tiny_recipe_file):
    result = cli(
        "bench", "threads", "--recipe", str(tiny_recipe_file), "--steps", "1", "--rounds", "1", "--load", "1", "--json"
    )
    report = json.loads(result.output)
    assert report["load_processes"] == 1 and set(report["images_per_s"]) == {"idle", "loaded"}
    for condition in ("idle", "loaded"):
        rates = report["images_per_s"][condition]
        assert "1" in rates and all(rate > 0 for rate in rates.values())
        assert report["ratio_to_default"][condition][str(report["torch_default_threads"])] == 1.0
