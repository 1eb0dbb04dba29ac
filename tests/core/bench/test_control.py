"""ganvas bench control --quick: the whole path runs and reports every figure (values mean nothing)."""

from __future__ import annotations

import json

import torch

from ganvas.bench.control import _mistaken_for, consistency, format_report


def test_quick_control_benchmark_reports_cas_swd_and_sefa(cli, tmp_path):
    report = json.loads(cli("bench", "control", "--quick", "--samples", "4", "--k", "2", "--json").stdout)
    assert report["benchmark"] == "control" and report["steps"] == 4
    assert [row["class"] for row in report["classes"]][:2] == ["circles", "mondrian"]
    assert all(0 <= row["cas"] <= 1 and row["swd"] > 0 and row["swd_floor"] > 0 for row in report["classes"])
    assert 0 <= report["judge_accuracy"] <= 1 and len(report["sefa"]["consistency"]) == 2
    assert set(report["targets"]) == {"cas", "train_seconds"}
    assert "most often judged instead" in format_report(report)


def test_mistaken_for_names_the_commonest_wrong_class_and_its_share():
    classes = ("circles", "mondrian", "petals")
    assert _mistaken_for(torch.tensor([0, 2, 2, 1, 0, 0, 0, 0]), 0, classes) == {"class": "petals", "share": 0.25}
    assert _mistaken_for(torch.tensor([1, 1, 1]), 1, classes) is None


def test_consistency_is_one_for_a_change_that_is_the_same_everywhere_and_low_for_noise():
    direction = torch.tensor([1.0, 0.0])
    z = torch.randn(5, 2)
    assert abs(consistency(lambda v: v[:, :1].repeat(1, 10), z, direction) - 1) < 1e-6
    weights = torch.randn(2, 50)
    assert consistency(lambda v: torch.sin(7 * v @ weights), z, direction) < 0.9


def test_another_conditional_recipe_can_be_judged_and_an_unfit_one_is_refused(cli, tmp_path):
    recipe = tmp_path / "cppn-styles.toml"
    recipe.write_text(
        'name = "cppn-styles"\n[data]\nsource = "procedural:mixed"\nsize = 16\n'
        '[method]\nname = "gan"\nconditional = true\n[model]\nname = "cppn"\ngrid = 4\n'
    )
    given = ("bench", "control", "--quick", "--samples", "2", "--k", "1", "--json", "--recipe", str(recipe))
    report = json.loads(cli(*given).stdout)
    assert report["recipe"] == "cppn-styles" and len(report["classes"]) == 6 and len(report["sefa"]["consistency"]) == 1
    out = cli("bench", "control", "--quick", "--recipe", "circles", code=2).output
    assert "conditional recipe on procedural:mixed" in out and "'procedural:circles'" in out
    out = cli("bench", "control", "--quick", "--set", "method.conditional=false", code=2).output
    assert "is not conditional" in out
