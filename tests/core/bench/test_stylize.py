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
        "--size",
        "48",
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
        "--only",
        "upscale",
        "--threads",
        "1",
        "--json",
    )
    report = json.loads(result.output)
    assert [(row["size"], row["name"]) for row in report["rows"]] == [
        (size, name) for size in (32, 48) for name in ("vignette", "posterize", "edge-preserving", "upscale")
    ]
    rows = {row["name"]: row for row in report["rows"] if row["size"] == 32}
    assert all(row["ms"] > 0 for row in report["rows"])
    assert rows["vignette"]["batch"]["images_per_s"] > 0 and rows["edge-preserving"]["batch"]["images_per_s"] > 0
    assert all("batch" not in row for row in report["rows"] if row["size"] == 48)  # throughput once
    assert report["sizes"] == [32, 48] and len(report["load_average"]["before"]) == 3
    upscale = report["quality"]["upscale"]["rows"]
    assert len(upscale) >= 2 and "texture_curve" not in report["quality"]  # texture was not asked for
    for row in upscale:  # measured on real pictures: both are finite, bicubic is softer than the photo
        assert 15 < row["bicubic_psnr"] < 50 and 15 < row["upscale_psnr"] < 50
        assert 0 < row["bicubic_sharpness"] < 1
    if importlib.util.find_spec("cv2") is not None:  # OpenCV is the optional bench extra
        assert rows["posterize"]["opencv"]["ms"] > 0 and rows["posterize"]["ratio"] > 0
        assert "opencv" not in rows["vignette"]


def test_bench_stylize_text_and_unknown_names(cli):
    text = cli(
        "bench", "stylize", "--size", "16", "--rounds", "1", "--batch", "0", "--only", "grain", "--no-opencv"
    ).output
    assert "ms/image" in text and "\ngrain " in text and "load average" in text
    assert "ms per 16x16" in text and "upscale 4x" not in text
    assert "unknown stylizer 'oill'" in cli("bench", "stylize", "--only", "oill", code=2).output


def test_bench_stylize_measures_the_texture_blend_curve(cli):
    args = ("bench", "stylize", "--size", "16", "--rounds", "1", "--batch", "0", "--no-opencv")
    report = json.loads(cli(*args, "--only", "texture", "--quality-size", "32", "--json").output)
    curve = report["quality"]["texture_curve"]
    assert [row["strength"] for row in curve] == [0.0, 0.25, 0.5, 0.75, 1.0]
    similarity = [row["content_similarity"] for row in curve]
    loss = [row["texture_loss"] for row in curve]
    assert similarity[0] > 0.99 and all(a > b for a, b in zip(similarity, similarity[1:]))  # falls steadily
    assert all(a > b for a, b in zip(loss, loss[1:]))  # the texture loss falls as strength rises
    assert "upscale" not in report["quality"]
