"""Tests for ganvas.bench.streaming: the generated folder, and the three measured runs end to end."""

import json

import pytest

from ganvas.bench.streaming import Settings, format_report, make_folder, run_stream_benchmark
from ganvas.errors import UserInputError


def test_make_folder_writes_varied_pngs_a_thousand_per_folder(tmp_path):
    from PIL import Image

    seconds = make_folder(tmp_path, 1003, 8)
    files = sorted(tmp_path.rglob("*.png"))
    assert seconds > 0 and len(files) == 1003
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0000", "0001"]
    first, second = (Image.open(p) for p in files[:2])
    assert first.size == (8, 8) and first.mode == "RGB" and first.tobytes() != second.tobytes()


def test_a_folder_with_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(UserInputError, match="holds no images"):
        run_stream_benchmark(Settings(count=2, size=8, steps=1, batch=2, folder=str(tmp_path)))


@pytest.mark.slow  # four child processes train a step: about 15 s
def test_bench_stream_measures_each_run(cli, tmp_path):
    images = tmp_path / "images"
    args = ("bench", "stream", "--count", "40", "--size", "8", "--steps", "1", "--batch", "4", "--folder", str(images))
    report = json.loads(cli(*args, "--json").stdout)  # progress lines go to stderr
    assert report["benchmark"] == "stream" and report["images"] == 40 and report["generated_s"] >= 0
    assert [run["cache"] for run in report["runs"]] == ["memory", "memory", "disk", "disk"]
    assert [run["kind"] for run in report["runs"]] == ["ImageSet", "ImageSet", "DiskImageSet", "DiskImageSet"]
    assert [run["items"] for run in report["runs"]] == [40, 40, 40, 40]  # the floor's 64: all 40 here
    assert all(run["peak_rss_mb"] > 50 and run["images_per_s"] > 0 for run in report["runs"])
    assert report["cache_mb"] > 0 and len(list(images.rglob("*.png"))) == 40  # the folder is kept
    assert "peak RSS MB" in format_report(report)
