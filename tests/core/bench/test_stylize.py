"""``ganvas bench stylize`` reports measured figures (tiny settings: it must only run, not be fast)."""

from __future__ import annotations

import importlib.util
import json


def test_bench_stylize_json_has_every_requested_row(cli):
    result = cli(
        "bench",
        "stylize",
        "--size",
        "32",
        "--rounds",
        "1",
        "--batch",
        "2",
        "--batch-size",
        "16",
        "--only",
        "vignette",
        "--only",
        "posterize",
        "--only",
        "edge-preserving",
        "--threads",
        "1",
        "--json",
    )
    report = json.loads(result.output)
    rows = {row["name"]: row for row in report["rows"]}
    assert list(rows) == ["vignette", "posterize", "edge-preserving"]
    assert all(row["ms"] > 0 for row in rows.values())
    assert rows["vignette"]["batch"]["images_per_s"] > 0 and rows["edge-preserving"]["batch"]["images_per_s"] > 0
    assert report["size"] == 32 and len(report["load_average"]["before"]) == 3
    if importlib.util.find_spec("cv2") is not None:  # OpenCV is the optional bench extra
        assert rows["posterize"]["opencv"]["ms"] > 0 and rows["posterize"]["ratio"] > 0
        assert "opencv" not in rows["vignette"]


def test_bench_stylize_text_and_unknown_names(cli):
    text = cli(
        "bench", "stylize", "--size", "16", "--rounds", "1", "--batch", "0", "--only", "grain", "--no-opencv"
    ).output
    assert "ms/image" in text and "\ngrain " in text and "load average" in text
    assert "unknown stylizer 'oill'" in cli("bench", "stylize", "--only", "oill", code=2).output
