"""ganvas.plugins.corruptions.masks: holes (strokes and boxes) up to a coverage, filled grey, marked in a mask channel."""

import numpy as np
import pytest
import torch

from ganvas.plugins.corruptions.masks import HOLE, Mask, draw_mask, fill_holes
from ganvas.training.corruption import corrupt


def _seed(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("shapes", ["strokes", "boxes", "both"])
@pytest.mark.parametrize("coverage, width", [(0.01, 0.08), (0.05, 0.05), (0.25, 0.08), (0.25, 0.5), (0.9, 0.5)])
def test_coverage_is_never_passed_and_there_is_always_a_hole(shapes, coverage, width):
    for seed in range(60):
        mask = draw_mask(24, 32, np.random.default_rng(seed), shapes, coverage, width)
        assert mask.shape == (24, 32) and mask.dtype == np.float32
        assert set(np.unique(mask)) <= {0.0, 1.0}
        assert mask.mean() <= coverage, f"seed {seed}: {mask.mean():.3f} of the picture is missing"
        assert mask.sum() >= 1, f"seed {seed}: no hole"


def test_holes_vary_in_size_up_to_the_coverage():
    covered = [draw_mask(32, 32, np.random.default_rng(s), "both", 0.3, 0.08).mean() for s in range(80)]
    assert min(covered) < 0.15 and max(covered) > 0.25


def test_strokes_and_boxes_are_different_shapes():
    def outline(mask):
        """The fraction of hole pixels next to a known one: thin strokes are nearly all outline."""
        p = np.pad(mask, 1)
        inside = p[1:-1, 1:-1] * p[:-2, 1:-1] * p[2:, 1:-1] * p[1:-1, :-2] * p[1:-1, 2:]
        return 1 - inside.sum() / mask.sum()

    boxes = [draw_mask(32, 32, np.random.default_rng(s), "boxes", 0.3, 0.05) for s in range(20)]
    strokes = [draw_mask(32, 32, np.random.default_rng(s), "strokes", 0.3, 0.05) for s in range(20)]
    assert all(m.sum() > 0 for m in boxes + strokes)
    assert max(outline(m) for m in boxes) < 0.6 < min(outline(m) for m in strokes)


def test_the_same_rng_seed_gives_the_same_mask():
    a = draw_mask(20, 28, np.random.default_rng(5), "both", 0.25, 0.08)
    assert np.array_equal(a, draw_mask(20, 28, np.random.default_rng(5), "both", 0.25, 0.08))
    assert not np.array_equal(a, draw_mask(20, 28, np.random.default_rng(6), "both", 0.25, 0.08))


@pytest.mark.parametrize("shapes", ["strokes", "boxes", "both"])
def test_holes_are_filled_from_around_them_and_the_mask_channel_marks_exactly_them(shapes):
    images = torch.rand(6, 3, 24, 20, generator=_seed(1))
    out = Mask(shapes=shapes, coverage=0.3)(images, _seed())
    assert out.shape == (6, 4, 24, 20)
    mask = out[:, 3:]
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    holes = mask.bool().expand(6, 3, 24, 20)
    assert torch.equal(out[:, :3][~holes], images[~holes])
    assert (out[:, :3][holes] != HOLE).float().mean() > 0.9  # a guess from the pixels around, not grey
    flat = torch.full((6, 3, 24, 20), 0.3)
    filled = Mask(shapes=shapes, coverage=0.3)(flat, _seed())
    assert torch.allclose(filled[:, :3], flat, atol=1e-6)  # around a flat colour, the fill is that colour
    per_picture = mask.flatten(1).mean(1)
    assert (per_picture > 0).all() and (per_picture <= 0.3).all()


def test_each_picture_gets_its_own_holes_and_a_seed_gives_the_same_holes():
    images = torch.rand(4, 3, 16, 16, generator=_seed(1))
    out = Mask()(images, _seed(3))
    masks = out[:, 3]
    assert len({m.numpy().tobytes() for m in masks}) == 4
    assert torch.equal(out, Mask()(images, _seed(3)))
    assert not torch.equal(out, Mask()(images, _seed(4)))


def test_a_grey_picture_keeps_the_contract_and_a_batch_of_one_works():
    out = corrupt(Mask(), torch.rand(1, 1, 9, 13), _seed(), "corruption 'mask'")
    assert out.shape == (1, 2, 9, 13)


def test_prepare_needs_and_uses_the_users_mask():
    images = torch.rand(1, 3, 8, 8)
    mask = torch.zeros(1, 1, 8, 8)
    mask[..., :2, :] = 1
    prepared = Mask().prepare(images, mask)
    assert prepared.shape == (1, 4, 8, 8) and torch.equal(prepared[:, 3:], mask)
    assert torch.equal(prepared[:, :3, 2:], images[:, :, 2:])
    assert torch.allclose(Mask().prepare(torch.full((1, 3, 8, 8), 0.7), mask)[:, :3], torch.full((1, 3, 8, 8), 0.7))


def test_the_fill_is_smooth_and_needs_no_known_pixel_nearby():
    ramp = torch.linspace(0, 1, 40).view(1, 1, 1, 40).expand(1, 3, 20, 40).contiguous()
    mask = torch.zeros(1, 1, 20, 40)
    mask[..., 15:25] = 1
    filled = fill_holes(ramp, mask)[0, 0, 10, 14:26]
    assert filled.min() >= ramp.min() and filled.max() <= ramp.max()
    assert (filled.diff().abs() < 0.1).all()  # no jump inside the hole or at its edges
    assert float(fill_holes(torch.rand(1, 3, 5, 4), torch.ones(1, 1, 5, 4)).mean()) == HOLE  # nothing known
