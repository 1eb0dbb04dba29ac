"""core/bench/repair.py: the damage, the classical baselines, PSNR, and ``ganvas bench repair
--quick --json`` end to end."""

import json

import numpy as np
import pytest

from ganvas.bench.repair import baselines, damage, psnr


def _photo(h=48, w=64):
    ys, xs = np.mgrid[0:h, 0:w]
    smooth = np.stack([xs * 3, ys * 4, (xs + ys) * 2], axis=-1) % 256
    return smooth.astype(np.uint8)


def test_psnr_is_infinite_free_and_only_counts_the_marked_pixels():
    a = _photo()
    b = a.copy()
    b[:8] = 0
    where = np.zeros(a.shape[:2], bool)
    where[20:] = True
    assert psnr(a, b, where) == pytest.approx(10 * np.log10(255.0**2 / 1e-10)) and psnr(a, b) < 30


def test_each_task_damages_the_photo_as_it_is_scored(host):
    clean = _photo()
    small, none = damage(host, "superres", clean, 0)
    assert small.shape == (12, 16, 3) and none is None
    noisy, _ = damage(host, "denoise", clean, 0)
    assert 18 < psnr(noisy, clean) < 23  # sigma 25 on 8 bits: about 20 dB
    holes, mask = damage(host, "inpaint", clean, 0)
    assert mask is not None and 0 < mask.mean() <= 0.25 and (holes[mask > 0] == 128).all()
    assert np.array_equal(damage(host, "denoise", clean, 3)[0], damage(host, "denoise", clean, 3)[0])


def test_the_baselines_beat_the_damage_they_answer(host):
    pytest.importorskip("cv2")  # the bench extra
    clean = _photo()
    noisy, _ = damage(host, "denoise", clean, 0)
    name, denoised = baselines("denoise", clean, noisy, None)
    assert psnr(denoised, clean) > psnr(noisy, clean) + 3 and ("blur" in name or "non-local" in name)
    holes, mask = damage(host, "inpaint", clean, 1)
    name, filled = baselines("inpaint", clean, holes, mask)
    assert name == "opencv telea" and psnr(filled, clean, mask > 0) > psnr(holes, clean, mask > 0)
    small, _ = damage(host, "superres", clean, 0)
    assert baselines("superres", clean, small, None)[1].shape == clean.shape


@pytest.mark.slow
def test_quick_benchmark_reports_every_paired_task(cli):
    pytest.importorskip("cv2")  # the bench extra
    result = cli("bench", "repair", "superres", "denoise", "inpaint", "--quick", "--json")
    report = json.loads(result.stdout)
    assert [t["task"] for t in report["tasks"]] == ["superres", "denoise", "inpaint"]
    for task in report["tasks"]:
        assert [r["photo"] for r in task["photos"]] == ["astronaut", "chelsea"]
        row = task["photos"][0]
        assert row["psnr_gain_db"] == pytest.approx(row["model_psnr"] - row["baseline_psnr"], abs=1e-3)
    assert set(report["targets"]) == {"train_seconds", "psnr_gain_db"}
    result = cli("bench", "repair", "upscale", "--quick", code=2)
    assert "superres" in result.output


@pytest.mark.slow
def test_a_trained_run_is_scored_without_training_again(cli, tmp_path):
    pytest.importorskip("cv2")  # the bench extra
    tiny = ["train.steps=2", "train.batch=2", "data.count=8", "method.width=4", "method.d_width=4"]
    tiny += ["train.sample_every=0", "train.eval_every=0"]
    cli("run", "superres", "-q", *[arg for item in tiny for arg in ("--set", item)])
    run = next(cli.runs_dir.glob("*-superres"))
    images = tmp_path / "images"
    result = cli(
        "bench", "repair", "superres", "--run", f"superres={run}", "--quick", "--json", "--images", str(images)
    )
    task = json.loads(result.stdout)["tasks"][0]
    assert task["run"] == str(run) and task["steps"] == 2 and task["train_seconds"] > 0
    assert (images / "superres-astronaut.png").is_file() and (images / "repair.jpg").is_file()
    result = cli("bench", "repair", "--run", "upscale=x", "--quick", code=2)
    assert "TASK=RUN" in result.output
    result = cli("bench", "repair", "denoise", "--run", f"denoise={run}", "--quick", code=2)
    assert "trained pix2pix/downscale x4" in result.output and "needs a pix2pix/noise run" in result.output
