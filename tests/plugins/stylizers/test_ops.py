"""ops: sizes that follow the picture. Stylizers with a spatial scale give the same look at any size.

A spatial setting left at 0 (auto) follows the picture: its pixel value at a 512-px shorter side,
scaled with the shorter side. So a 1024-px picture stylized and then shrunk to 256 px looks like
the 256-px picture stylized, where fixed pixel sizes make the big one's dots and grain 4x finer.
"""

from __future__ import annotations

import pytest
import torch

from ganvas.plugins.stylizers import finishing, halftone, ink, oil, quantize, watercolor
from ganvas.plugins.stylizers.ops import auto_scale, gaussian_blur, resize
from ganvas.plugins.stylizers.pictures import landscape

from .stylizer_helpers import one_thread  # noqa: F401  (autouse fixture)

SMALL, BIG = 256, 768


@pytest.fixture(scope="module")
def pictures() -> tuple[torch.Tensor, torch.Tensor]:
    big = landscape(BIG, seed=3)
    return resize(big, (SMALL, SMALL), "area"), big


def test_auto_scale_follows_the_shorter_side_and_keeps_given_values():
    image = torch.zeros(1, 3, 1024, 2048)
    assert auto_scale(0, image, 4.0) == 8.0  # 4 px at 512, so 8 px at 1024
    assert auto_scale(3, image, 4.0) == 3.0  # a given value is pixels, as before
    assert auto_scale(0, torch.zeros(1, 3, 16, 16), 4.0, minimum=1.0) == 1.0


@pytest.mark.parametrize(
    ("function", "name", "at_512", "minimum"),
    [
        (quantize.pixel, "block", 512 / 80, 1),
        (halftone.halftone, "cell", 512 / 140, 2),
        (oil.oil, "radius", 4.0, 1),
        (watercolor.watercolor, "smoothing", 12.0, 0.5),
        (finishing.grain, "size", 1.0, 0.5),
        (ink.ink, "spacing", 5.0, 3),
    ],
)
def test_zero_means_the_size_that_follows_the_picture(function, name, at_512, minimum, pictures):
    small, big = pictures
    for image in (small, big):
        value = max(minimum, at_512 * image.shape[-1] / 512)
        value = round(value) if name in ("block", "radius") else value
        explicit = function(image, **{name: value})
        assert torch.allclose(function(image), explicit, atol=1e-6), f"{name}={value} at {image.shape[-1]} px"


def _detail(images: torch.Tensor) -> float:
    """High-frequency energy: what dots, hatching and grain add at the pixel scale."""
    return (images - gaussian_blur(images, 1.0)).std().item()


@pytest.mark.parametrize(
    ("function", "fixed"),
    [
        (halftone.halftone, {"cell": 4.0}),
        (ink.ink, {"sigma": 1.0, "spacing": 4.0}),
        (finishing.grain, {"size": 1.0}),
    ],
)
def test_the_look_survives_a_change_of_size(function, fixed, pictures):
    """Big-then-shrunk keeps the small picture's texture with auto sizes, loses most of it with fixed ones."""
    small, big = pictures

    def ratio(**settings: float) -> float:
        shrunk = resize(function(big, **settings), (SMALL, SMALL), "area")
        return _detail(shrunk) / _detail(function(small, **settings))

    auto, pixels = ratio(), ratio(**fixed)
    assert 0.6 < auto < 1.5, auto
    assert pixels < 0.7 * auto, (pixels, auto)


def test_vignette_is_relative_to_the_frame(pictures):
    small, big = pictures
    shrunk = resize(finishing.vignette(big), (SMALL, SMALL), "area")
    assert (shrunk - finishing.vignette(small)).abs().mean() < 0.005
