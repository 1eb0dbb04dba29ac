"""ganvas.plugins.corruptions.masks: holes (strokes and boxes) up to a coverage, filled grey, marked in a mask channel."""

import numpy as np
import pytest
import torch

from ganvas.plugins.corruptions.masks import HOLE, Mask, draw_mask
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
def test_holes_are_grey_and_the_mask_channel_marks_exactly_them(shapes):
    images = torch.rand(6, 3, 24, 20, generator=_seed(1))
    out = Mask(shapes=shapes, coverage=0.3)(images, _seed())
    assert out.shape == (6, 4, 24, 20)
    mask = out[:, 3:]
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    holes = mask.bool().expand(6, 3, 24, 20)
    assert (out[:, :3][holes] == HOLE).all() and HOLE == 0.5
    assert torch.equal(out[:, :3][~holes], images[~holes])
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
    assert (prepared[:, :3, :2] == HOLE).all() and torch.equal(prepared[:, :3, 2:], images[:, :, 2:])
