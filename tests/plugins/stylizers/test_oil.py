"""oil on small synthetic pictures: strokes that run along the structure, relief thick in
texture and thin in flat paint, a painterly default that is deterministic per seed."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from stylizer_helpers import one_thread, picture  # noqa: F401 (one_thread: autouse fixture, one torch thread)

from ganvas.plugins.stylizers import oil as oil_module


def stripes(h: int = 96, period: float = 16.0) -> torch.Tensor:
    """Diagonal stripes (constant along x = -y) plus blotchy noise that the brush must shape."""
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(h, dtype=torch.float32), indexing="ij")
    wave = 0.5 + 0.25 * torch.sin(2 * math.pi * (xs + ys) / (period * math.sqrt(2)))
    noise = torch.randn(1, 1, h, h, generator=torch.Generator().manual_seed(0))
    noise = F.avg_pool2d(F.pad(noise, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return (wave + 0.25 * noise).clamp(0, 1).expand(1, 3, h, h).contiguous()


def along_across(image: torch.Tensor) -> float:
    """Gradient energy along the stripes over that across them, away from the borders."""
    x = image.mean(1)[0, 8:-8, 8:-8]
    along = x[1:, :-1] - x[:-1, 1:]  # (y + 1, x) - (y, x + 1): constant x + y
    across = x[1:, 1:] - x[:-1, :-1]
    return float(along.square().mean() / across.square().mean())


def test_oil_strokes_run_along_the_structure():
    image = stripes()
    patches = oil_module.oil(image, radius=3, strokes=0.0, relief=0.0)
    stroked = oil_module.oil(image, radius=3, strokes=1.0, relief=0.0)
    assert along_across(stroked) < 0.5 * along_across(patches)
    assert along_across(stroked) < 0.25
    relief = oil_module.oil(image, radius=3) - stroked  # the bristle marks run along the stripes too
    assert along_across(relief + 0.5) < 0.5


def test_oil_relief_is_thick_in_texture_and_thin_in_flat_paint():
    g = torch.Generator().manual_seed(1)
    image = torch.full((1, 3, 64, 96), 0.6)
    image[..., 48:] += 0.3 * (torch.rand(1, 1, 64, 48, generator=g) - 0.5)  # textured right half
    relief = oil_module.oil(image, radius=3) - oil_module.oil(image, radius=3, relief=0.0)
    flat_part, textured = relief[..., 8:56, 6:36].std(), relief[..., 8:56, 60:90].std()
    assert textured > 2.5 * flat_part and textured > 0.01


def test_oil_default_is_painterly_and_deterministic_per_seed():
    image = picture(b=1, h=48, w=64)
    first = oil_module.oil(image)
    assert torch.equal(first, oil_module.oil(image)) and not torch.equal(first, oil_module.oil(image, seed=1))
    assert first.shape == image.shape and first.min() >= 0 and first.max() <= 1
    flatter = (first - oil_module.oil(image, relief=0.0, strokes=0.0)).abs().mean()
    assert flatter > 0.003  # strokes and relief are on by default
