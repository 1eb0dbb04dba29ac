"""core/bench/crispness.py: the edge and seam metrics on synthetic pictures whose answers are known."""

import math

import pytest
import torch
import torch.nn.functional as F

from ganvas.bench.crispness import (
    edge_points,
    edge_profile_widths,
    edge_strength,
    edge_summary,
    interior_difference,
    luminance,
    rise_widths,
    seam_error,
    sobel,
)

SIDE = 256


def _step(side: int = SIDE, height: float = 1.0) -> torch.Tensor:
    """Left half 0, right half ``height``: a hard vertical edge between two pixels."""
    image = torch.zeros(side, side)
    image[:, side // 2 :] = height
    return image


def _ramp(width: int, side: int = SIDE) -> torch.Tensor:
    """0 on the left, 1 on the right, rising linearly over ``width`` px (from one pixel centre to
    another) in the middle."""
    x = torch.arange(side, dtype=torch.float32)
    return ((x - (side // 2 - width // 2)) / width).clamp(0, 1).expand(side, side).clone()


def _upsampled_step(small: int = 16, side: int = SIDE) -> torch.Tensor:
    """A hard step at ``small`` px, upsampled bicubically to ``side`` (as a DCGAN picture is)."""
    image = _step(small)[None, None]
    return F.interpolate(image, size=(side, side), mode="bicubic", align_corners=False).clamp(0, 1)[0, 0]


def test_sobel_is_in_luminance_units_per_pixel():
    gx, gy = sobel(_ramp(10))
    assert gx[100, SIDE // 2] == pytest.approx(0.1) and gy.abs().max() < 1e-6
    gx, _ = sobel(_step())
    assert gx[5, SIDE // 2 - 1] == pytest.approx(0.5) and gx[5, SIDE // 2] == pytest.approx(0.5)
    assert gx[5, 10] == 0


def test_hard_step_is_about_one_pixel_wide():
    widths = edge_profile_widths(_step())
    assert len(widths) > 100
    assert float(widths.median()) == pytest.approx(0.8, abs=0.05)  # the bilinear ramp between two centres
    assert edge_strength(_step()) == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize("width", [3, 6, 10])
def test_linear_ramp_measures_eight_tenths_of_its_width(width):
    widths = edge_profile_widths(_ramp(width))
    assert len(widths) > 100
    assert float(widths.median()) == pytest.approx(0.8 * width, rel=0.05)
    assert edge_strength(_ramp(width)) == pytest.approx(1 / width, rel=0.05)


def test_bicubic_upsampled_step_is_wide():
    wide = float(edge_profile_widths(_upsampled_step()).median())
    hard = float(edge_profile_widths(_step()).median())
    assert 10 < wide < 16  # about 0.8 of a source pixel, 16 px each
    assert wide / hard > 4
    assert edge_strength(_upsampled_step()) < 0.15


def test_edges_in_any_direction_are_measured_across_them():
    y, x = torch.meshgrid(torch.arange(SIDE).float(), torch.arange(SIDE).float(), indexing="ij")
    disk = (((x - SIDE / 2) ** 2 + (y - SIDE / 2) ** 2) < (SIDE / 4) ** 2).float()  # aliased: ~1 px
    assert 0.6 < float(edge_profile_widths(disk).median()) < 1.2
    blurred = ((SIDE / 4 - ((x - SIDE / 2) ** 2 + (y - SIDE / 2) ** 2).sqrt()) / 8 + 0.5).clamp(0, 1)
    assert float(edge_profile_widths(blurred).median()) == pytest.approx(6.4, rel=0.1)  # an 8-px radial ramp


def test_flat_and_faint_pictures_have_no_edges():
    assert len(edge_profile_widths(torch.full((64, 64), 0.5))) == 0
    assert math.isnan(edge_strength(torch.full((64, 64), 0.5)))
    assert len(edge_profile_widths(_step(64, height=0.1))) == 0  # rises less than 0.15
    assert len(edge_profile_widths(_step(64, height=0.3))) > 0


def test_edge_summary_pools_the_edges_of_several_pictures():
    summary = edge_summary([_step(64), torch.full((64, 64), 0.5), _ramp(8, 64)])
    assert summary["edges"] == len(edge_profile_widths(_step(64))) + len(edge_profile_widths(_ramp(8, 64)))
    assert summary["mean_gradient"] == pytest.approx((0.5 + 1 / 8) / 2, rel=0.02)  # the flat one has none
    assert edge_summary([torch.zeros(32, 32)]) == {"median_width_px": None, "mean_gradient": None, "edges": 0}


def test_edge_points_are_capped_and_reproducible():
    noise = torch.rand(512, 512, generator=torch.Generator().manual_seed(3))
    xy, direction, magnitude = edge_points(noise)
    assert len(xy) == 2000 and torch.allclose(direction.norm(dim=1), torch.ones(len(xy)))
    again, _, _ = edge_points(noise)
    assert torch.equal(xy, again)
    threshold = torch.quantile(torch.hypot(*sobel(noise)).flatten(), 0.98)
    assert bool((magnitude >= threshold - 1e-6).all())


def test_rise_widths_find_the_rise_around_the_middle():
    t = torch.arange(41, dtype=torch.float32)
    foot = ((t - 20) / 10).clamp(0, 1)  # the middle sample at the foot of a 10-sample ramp
    top = ((t - 10) / 10).clamp(0, 1)  # ... and at its top
    widths = rise_widths(torch.stack([foot, top, torch.zeros(41)]), step=1.0)
    assert widths.tolist() == pytest.approx([8.0, 8.0])


def test_luminance_weights_and_grey():
    rgb = torch.zeros(3, 2, 2)
    rgb[1] = 1
    assert float(luminance(rgb)[0, 0]) == pytest.approx(0.587)
    assert luminance(torch.full((1, 1, 4, 4), 0.25)).shape == (1, 4, 4)


def _smooth_noise(side: int, wrap: bool) -> torch.Tensor:
    """Blurred noise ``(3, side, side)`` in [0, 1]; with ``wrap`` blurred around the torus (a
    seamless tile), else cut from the middle of a larger picture (a seam across the wrap)."""
    big = side if wrap else 3 * side
    noise = torch.rand(1, 3, big, big, generator=torch.Generator().manual_seed(1))
    kernel = torch.ones(3, 1, 9, 9) / 81
    mode = "circular" if wrap else "replicate"
    blurred = F.conv2d(F.pad(noise, [4, 4, 4, 4], mode=mode), kernel, groups=3)[0]
    return blurred if wrap else blurred[:, side : 2 * side, side : 2 * side]


def test_seam_error_tells_a_tile_from_a_cut_out():
    tile, cut = _smooth_noise(64, wrap=True), _smooth_noise(64, wrap=False)
    assert seam_error(tile) <= interior_difference(tile) * 1.2  # the wrap is one more adjacent pair
    assert seam_error(cut) > 2 * interior_difference(cut)  # pixels 64 apart: unrelated
    x = torch.arange(64, dtype=torch.float32)
    ramp = (x / 63).expand(3, 64, 64)  # 0 on the left, 1 on the right
    assert seam_error(ramp) == pytest.approx(0.5)  # columns differ by 1 across the wrap, rows by 0
    assert interior_difference(ramp) == pytest.approx(0.5 / 63)
