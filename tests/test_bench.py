import json

from conftest import Cli


def test_bench_loop_reports_measured_ratio(cli: Cli):
    result = cli("bench", "loop", "--size", "16", "--width", "4", "--batch", "4", "--steps", "1",
                 "--rounds", "2", "--device", "cpu", "--json")
    report = json.loads(result.output)
    assert report["benchmark"] == "loop" and report["rounds"] == 2
    assert report["bare_ms_per_step"] > 0 and report["ganvas_ms_per_step"] > 0
    assert 0.2 < report["ratio"] < 5  # a measured figure, not a constant
    assert report["ratio_min"] <= report["ratio"] <= report["ratio_max"]
    text = cli("bench", "loop", "--size", "16", "--width", "4", "--batch", "4", "--steps", "1",
               "--rounds", "1", "--device", "cpu").output
    assert "ratio ganvas/bare" in text and "bare PyTorch loop" in text
