"""watercolor on small synthetic pictures: paper showing through, pigment pooling at the wash
borders, blooms, granulation, a bounded wobble and sizes that follow the picture."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from stylizer_helpers import one_thread  # noqa: F401 (autouse fixture: one torch thread)

from ganvas.plugins.stylizers import watercolor as wc
from ganvas.plugins.stylizers.ops import seeded_generator

QUIET = {"granulation": 0.0, "paper": 0.0, "blooms": 0.0, "wobble": 0.0}  # one effect at a time


def flat(tone: float, h: int = 64, w: int = 64) -> torch.Tensor:
    return torch.full((1, 3, h, w), tone)


def spread(region: torch.Tensor) -> float:
    """The spatial standard deviation, averaged over the channels (the paper is not grey)."""
    return float(region.std((-2, -1)).mean())


def disc(h: int = 96, tone: float = 0.45, background: float = 1.0) -> torch.Tensor:
    """A flat grey disc (a wash) on white, radius 0.3 of the side."""
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, h), indexing="ij")
    inside = (ys.square() + xs.square()).sqrt() < 0.6
    image = torch.where(inside, torch.tensor(tone), torch.tensor(background))
    return image.view(1, 1, h, h).expand(1, 3, h, h).contiguous()


def scene(h: int) -> torch.Tensor:
    """A picture defined at any size (supersampled then averaged): a gradient, discs and a bar."""
    s = 4 * h
    ys, xs = torch.meshgrid(torch.linspace(0, 1, s), torch.linspace(0, 1, s), indexing="ij")
    r = 0.25 + 0.6 * xs
    g = 0.3 + 0.5 * ys
    b = torch.full_like(xs, 0.6)
    blob = ((xs - 0.35).square() + (ys - 0.4).square()) < 0.04
    bar = (xs - ys).abs() < 0.06
    image = torch.stack((torch.where(blob, 0.85, r), torch.where(blob, 0.2, g), torch.where(bar, 0.1, b)))
    return F.interpolate(image.unsqueeze(0), size=(h, h), mode="area")


def test_watercolor_lets_the_paper_through():
    image = torch.cat((flat(0.88, 64, 32), flat(0.3, 64, 32)), -1)  # a light grey and a dark wash
    out = wc.watercolor(image, **{**QUIET, "paper": 0.5})
    assert out[..., 4:60, 4:28].mean() > 0.95  # the light grey thinned out to bare paper
    assert out[..., 4:60, 36:60].mean() < 0.6  # a dark wash stays a wash
    assert out.mean() > image.mean() + 0.05  # transparent pigment: lighter than the photo
    assert spread(out[..., 4:60, 4:28]) > 0.004  # the paper's tooth shows on bare paper
    assert spread(wc.watercolor(image, **QUIET)[..., 4:60, 4:28]) < 0.002


def test_watercolor_pools_pigment_at_the_wash_borders():
    image = disc()
    out = wc.watercolor(image, **QUIET)
    grey = out.mean(1)[0]
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, 96), torch.linspace(-1, 1, 96), indexing="ij")
    radius = (ys.square() + xs.square()).sqrt()
    rim = (radius > 0.55) & (radius < 0.59)  # the last 2 px inside the border
    assert grey[rim].mean() < grey[radius < 0.3].mean() - 0.04  # darker just inside the border
    still = wc.watercolor(image, **{**QUIET, "edges": 0.0}).mean(1)[0]
    assert (still[rim].mean() - still[radius < 0.3].mean()).abs() < 0.01


def test_blooms_appear_near_borders_and_vanish_at_zero():
    image = disc(96, tone=0.5)
    plain = wc.watercolor(image, **QUIET)
    bloomed = wc.watercolor(image, **{**QUIET, "blooms": 1.0})
    change = (bloomed - plain).mean(1)[0]
    assert change.max() > 0.05 and change.min() < -0.05  # paler insides and darker fringes
    assert (change.abs() > 0.02).float().mean() > 0.02  # blotches, not specks
    assert (change.abs() > 0.02).float().mean() < 0.5
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, 96), torch.linspace(-1, 1, 96), indexing="ij")
    far = (ys.square() + xs.square()).sqrt() > 0.85
    assert change[far].abs().max() < 0.01  # none on the bare paper away from the wash
    assert torch.equal(wc.watercolor(image, **{**QUIET, "blooms": 0.0}), plain)


def test_granulation_settles_in_mid_washes_and_vanishes_at_zero():
    image = torch.cat((flat(0.5, 64, 32), flat(0.8, 64, 32)), -1)
    smooth = wc.watercolor(image, **QUIET)
    grainy = wc.watercolor(image, **{**QUIET, "granulation": 1.0})
    assert spread(smooth[..., 8:56, 8:24]) < 0.003
    mid, light = spread(grainy[..., 8:56, 8:24]), spread(grainy[..., 8:56, 40:56])
    assert mid > 0.02 and mid > 1.5 * light  # more pigment settles in the denser wash


def test_wobble_field_is_bounded_by_the_stated_amount():
    for seed in range(4):
        field = wc.wobble_field((1, 2, 48, 80), 2.5, seeded_generator(seed), torch.zeros(1))
        length = field.square().sum(1).sqrt()
        assert length.max() <= 2.5 and length.max() > 1.0


def test_wobble_moves_structure_at_most_the_stated_distance():
    """wobble=10 (the maximum) on a 128-px picture: at most 10 * 128 / 512 = 2.5 px."""
    h = 128
    image = torch.ones(1, 3, h, h)
    image[..., 62:66] = 0.1  # a dark vertical bar, centred at x = 63.5
    settings = {**QUIET, "edges": 0.0, "smoothing": 1.0}
    still = wc.watercolor(image, **settings)
    moved = wc.watercolor(image, **{**settings, "wobble": 10.0})
    xs = torch.arange(h, dtype=torch.float32)

    def centres(out: torch.Tensor) -> torch.Tensor:
        ink = (1 - out.mean(1)[0]).clamp(min=0)
        return (ink * xs).sum(-1) / ink.sum(-1)

    shift = (centres(moved) - centres(still)).abs()
    assert shift.max() <= 2.5 + 0.25  # within the stated bound (plus sampling)
    assert shift.max() > 0.5  # and it does wander


def test_watercolor_looks_the_same_at_64_and_256_px(monkeypatch):
    """The 256-px result shrunk to 64 px matches the 64-px result far better than a version whose
    sizes stay in pixels (the 64-px sizes used at 256 px) would."""
    big, small = scene(256), scene(64)
    shrink = lambda x: F.interpolate(x, size=(64, 64), mode="area")  # noqa: E731
    out_small = wc.watercolor(small)
    following = (shrink(wc.watercolor(big)) - out_small).abs().mean()
    monkeypatch.setattr(wc, "_unit", lambda images: 64 / 512)
    fixed = (shrink(wc.watercolor(big)) - out_small).abs().mean()
    assert following < 0.02 and following < 0.5 * fixed


def test_watercolor_is_seeded_and_batch_independent():
    image = scene(48)
    first, again = wc.watercolor(image, seed=3), wc.watercolor(image, seed=3)
    assert torch.equal(first, again) and not torch.equal(first, wc.watercolor(image, seed=4))
    both = wc.watercolor(torch.cat((image, image.flip(-1))), seed=3)
    assert torch.allclose(both[:1], first, atol=1e-5)
