"""``color-transfer``: give a picture the colour mood of a reference image.

Reinhard, Ashikhmin, Gooch and Shirley, "Color transfer between images" (2001): in a
decorrelated colour space (here CIE Lab), shift and scale each channel so its mean and
standard deviation match the reference's.
"""

from __future__ import annotations

from torch import Tensor

from .base import checked
from .ops import from_lab, to_lab
from .references import ReferenceModule, match_channels

__all__ = ["color_transfer", "ColorTransfer"]


def _stats(lab: Tensor) -> tuple[Tensor, Tensor]:
    """Per-image, per-channel mean and standard deviation, shaped ``(B, C, 1, 1)``."""
    return lab.mean((2, 3), keepdim=True), lab.std((2, 3), keepdim=True, correction=0).clamp(min=1e-3)


def color_transfer(images: Tensor, reference: Tensor, *, strength: float = 1.0) -> Tensor:
    """Match ``(B, C, H, W)`` images in [0, 1] to the Lab colour statistics of ``reference``.

    Args:
        reference: ``(1 or B, 3 or C, h, w)`` image(s) in [0, 1], any size.
        strength: 0 keeps the input, 1 matches the reference fully.

    Returns ``(B, C, H, W)`` in [0, 1]. Grayscale images match the reference's lightness only.
    """
    images = checked("color-transfer", images, strength=strength)
    lab = to_lab(images)
    mean, std = _stats(lab)
    ref_mean, ref_std = _stats(to_lab(match_channels(reference, images)))
    matched = (lab - mean) * (ref_std / std) + ref_mean
    return from_lab(lab + strength * (matched - lab)).clamp(0, 1)


class ColorTransfer(ReferenceModule, function=color_transfer):
    """Reinhard colour transfer from a reference image (see :func:`color_transfer`)."""

    stylizer = "color-transfer"
