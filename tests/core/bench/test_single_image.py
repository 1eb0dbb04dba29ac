"""core/bench/single_image.py: crop sets, the scores on known cases, and ``ganvas bench
single-image --quick --json`` end to end."""

import json

import pytest
import torch

from ganvas.bench.single_image import CROPS, crop_sets, default_pictures, score


def _picture(seed=0, size=(1, 3, 24, 32)):
    return torch.rand(size, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def test_crop_sets_are_half_size_and_the_floors_sets_share_no_position():
    picture = _picture()
    a, used = crop_sets(picture, 20, seed=1)
    b, again = crop_sets(picture, 20, seed=2, exclude=used)
    assert a.shape == (20, 3, 12, 16) and b.shape == (20, 3, 12, 16)
    assert len(used) == 20 and not used & again
    with pytest.raises(ValueError, match="free crop positions"):
        crop_sets(_picture(size=(1, 3, 4, 4)), 10, seed=0)


def test_a_copy_scores_as_a_copy_and_noise_scores_far_from_the_picture():
    picture = _picture(size=(1, 3, 40, 40))
    copies = picture.repeat(4, 1, 1, 1)
    copied = score(picture, copies, reconstruction=picture + 0.02)
    assert copied["diversity"] == 0 and copied["closest_rmse"] == 0 and copied["copy_ratio"] == 0
    noise = _picture(seed=5, size=(4, 3, 40, 40)).mul(0.1)  # grey, low-contrast: another picture
    far = score(picture, noise, reconstruction=picture + 0.02)
    assert far["swd_ratio"] > 1.5 and far["copy_ratio"] > 2 and far["diversity"] > 0


def test_default_pictures_start_with_the_ones_ganvas_draws_and_ships():
    assert default_pictures()[:2] == ["landscape", "hubble"]


@pytest.mark.slow
def test_bench_single_image_quick_json(cli, tmp_path):
    from ganvas.bench.single_image import format_report

    result = cli("bench", "single-image", "hubble", "--quick", "--samples", "4", "--images", str(tmp_path), "--json")
    report = json.loads(result.stdout)
    assert "training hubble" in result.stderr
    (row,) = report["pictures"]
    assert row["picture"] == "hubble" and row["size"] == "48x42" and row["steps"] == 8
    assert row["swd"] > 0 and row["swd_floor"] > 0 and row["reconstruction_rmse"] is not None
    assert set(report["targets"]) == {"train_seconds", "swd_ratio", "copy_ratio"}
    assert (tmp_path / "hubble.png").is_file()
    assert "hubble" in format_report(report) and CROPS == 64


def test_bench_single_image_refuses_an_unreadable_picture_before_training(cli, tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    result = cli("bench", "single-image", "landscape", str(empty), "--quick", code=2)
    assert "not a picture" in result.output and "training" not in result.output
