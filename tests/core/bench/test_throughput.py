"""core/bench/throughput.py and ``ganvas bench throughput``: img/s of ganvas and of a bare loop per
speed setting. Real compilation takes minutes on a CPU, so ``torch.compile`` is stubbed here."""

import json

import pytest
import torch

from ganvas.errors import UserInputError


def test_settings_parse_and_combine():
    from ganvas.bench.throughput import parse_settings

    assert parse_settings("fp32, bf16+channels-last") == {
        "fp32": {},
        "bf16+channels-last": {"precision": "bf16", "channels_last": True},
    }
    with pytest.raises(UserInputError, match="unknown setting 'fp8'"):
        parse_settings("fp32,fp8")


@pytest.mark.parametrize("setting", ["fp32", "bf16+channels-last", "fp16"])
def test_bare_loop_starts_from_the_trainers_weights_and_trains(host, tmp_path, tiny_recipe_file, setting):
    from ganvas.bench.throughput import _side_pair, parse_settings

    values = parse_settings(setting)[setting]
    trainer, bare = _side_pair(host, str(tiny_recipe_file), ["train.batch=4"], values, "cpu", tmp_path)
    before = [p.detach().clone() for p in bare.G.parameters()]
    assert all(torch.equal(a, b) for a, b in zip(before, trainer.method.G.parameters()))
    bare.step()
    trainer.advance()
    changed = any(not torch.equal(a, b) for a, b in zip(before, bare.G.parameters()))
    assert all(torch.isfinite(p).all() for p in bare.D.parameters())
    assert (bare.scalers is not None) == (setting == "fp16")
    if bare.scalers is None:
        assert changed
    else:  # GradScaler's first scale (65536) overflows fp16: it skips that step and halves the scale
        assert changed or bare.scalers[0].get_scale() < 65536.0


def test_bench_throughput_reports_img_per_s_and_ratio_per_setting(cli, tiny_recipe_file, monkeypatch):
    from ganvas.training import speed

    compiled = []
    monkeypatch.setattr(torch, "compile", lambda module, **kw: compiled.append(module) or module)
    supported = speed.autocast_supported
    monkeypatch.setattr(speed, "autocast_supported", lambda d, t: t != torch.float16 and supported(d, t))
    args = ["bench", "throughput", "--recipe", str(tiny_recipe_file), "--device", "cpu", "--quick", "--batch", "4"]
    args += ["--settings", "fp32,bf16,channels-last,compile,fp16", "--set", "model.width=4", "--json"]
    report = json.loads(cli(*args).output)
    assert report["benchmark"] == "throughput" and report["device"] == "cpu" and report["batch"] == 4
    assert report["torch"] == torch.__version__ and report["threads"] >= 1 and report["device_name"]
    rows = {row["setting"]: row for row in report["rows"]}
    assert list(rows) == ["fp32", "bf16", "channels-last", "compile", "fp16"]
    for name in ("fp32", "bf16", "channels-last", "compile"):
        row = rows[name]
        assert row["ganvas_img_per_s"] > 0 and row["bare_img_per_s"] > 0, row
        assert 0.05 < row["ratio"] < 20 and row["ratio_min"] <= row["ratio"] <= row["ratio_max"]
    assert rows["fp32"]["speedup_vs_fp32"] == 1.0
    assert "fp16 needs a CUDA device" in rows["fp16"]["error"]
    assert len(compiled) == 4  # ganvas's G and D, and the bare loop's


def test_the_text_report_is_a_table(cli, tiny_recipe_file):
    args = ["bench", "throughput", "--recipe", str(tiny_recipe_file), "--device", "cpu", "--quick"]
    text = cli(*args, "--batch", "4", "--settings", "fp32", "--rounds", "1").output
    assert "ganvas img/s" in text and "bare img/s" in text and "fp32" in text


def test_a_recipe_of_another_method_is_refused(cli, tmp_path):
    import tomli_w

    from ganvas.plugin.testing import tiny_recipe

    recipe = tmp_path / "p2p.toml"
    recipe.write_text(tomli_w.dumps(tiny_recipe(method={"name": "pix2pix"})))
    result = cli("bench", "throughput", "--recipe", str(recipe), "--device", "cpu", "--quick", code=2)
    assert "times the gan method" in result.output
