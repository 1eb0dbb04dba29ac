"""Repairing or restyling a user's picture with a trained image-to-image run (``ganvas restore``).

The drawer of a ``pix2pix`` or ``cycle`` run translates ``(B, C, H, W)`` pictures in [0, 1]
(:meth:`ganvas.training.Drawer.translate`); this module fits a picture file to it: alpha is set
aside and put back (enlarged with the picture), a grey picture goes into a colour model (and a
colour one into a grey model) converted with a note, and an inpainting run gets its mask,
checked against the picture's size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ganvas.errors import UserInputError
from ganvas.training.method import Drawer

__all__ = ["fit_channels", "restore_image", "check_translates"]

_LUMA = (0.299, 0.587, 0.114)


def check_translates(drawer: Drawer, what: str) -> None:
    """A one-line error unless ``drawer`` repairs or restyles pictures."""
    if not drawer.translates:
        raise UserInputError(
            f"{what} was not trained to repair or restyle pictures; ganvas restore needs a run of an "
            "image-to-image method (pix2pix, cycle: see `ganvas list methods`)"
        )


def fit_channels(images: Tensor, channels: int) -> tuple[Tensor, str]:
    """``(B, C, H, W)`` pictures in [0, 1] with ``channels`` colour channels, and a note saying
    what was converted ('' when nothing was): grey is repeated, colour becomes its luma."""
    have = images.shape[1]
    if have == channels:
        return images, ""
    if have == 1 and channels == 3:
        return images.expand(-1, 3, -1, -1), "a grey picture into a colour model: its grey goes in as RGB"
    if have == 3 and channels == 1:
        weights = torch.tensor(_LUMA, dtype=images.dtype, device=images.device).view(1, 3, 1, 1)
        return (images * weights).sum(1, keepdim=True), "a colour picture into a grey model: its luma goes in"
    raise UserInputError(f"pictures of {have} channels cannot go into a model of {channels}")


def restore_image(drawer: Drawer, image: Tensor, mask: Tensor | None = None) -> tuple[Tensor, str]:
    """One picture file's uint8 ``(C, H, W)`` (C of 1-4; 2 and 4 carry alpha) repaired by
    ``drawer``; ``mask`` uint8 ``(1, H, W)`` or ``(C, H, W)``, white = missing (inpainting runs
    only). Returns uint8 ``(C', H*s, W*s)`` and a note ('' or what was converted)."""
    c, h, w = image.shape
    colour, alpha = (image[:-1], image[-1:]) if c in (2, 4) else (image, None)
    pictures, note = fit_channels(colour.unsqueeze(0).float().div(255), drawer.channels)
    holes = None
    if drawer.needs_mask:
        if mask is None:
            raise UserInputError(
                "this run fills holes: give the mask of what is missing with --mask FILE (white = missing)"
            )
        if tuple(mask.shape[-2:]) != (h, w):
            raise UserInputError(
                f"the mask is {mask.shape[-1]}x{mask.shape[-2]} px but the picture is {w}x{h} px; they must match"
            )
        shades = mask[:-1] if mask.shape[0] in (2, 4) else mask  # a mask's alpha says nothing of the holes
        holes = (shades.float().amax(0, keepdim=True) > 127).float().unsqueeze(0)
        if not bool(holes.any()):
            note = "; ".join(filter(None, (note, "the mask marks nothing missing: the picture is unchanged")))
    elif mask is not None:
        raise UserInputError("--mask is for runs that fill holes (corrupt = mask); this run repairs whole pictures")
    out = drawer.translate(pictures, holes)[0].to("cpu", torch.float32)
    pixels = out.mul(255).round().clamp(0, 255).to(torch.uint8)
    if alpha is None:
        return pixels, note
    if alpha.shape[-2:] != pixels.shape[-2:]:
        alpha = F.interpolate(alpha[None].float(), size=pixels.shape[-2:], mode="bilinear", align_corners=False)[0]
        alpha = alpha.round().clamp(0, 255).to(torch.uint8)
    return torch.cat([pixels, alpha]), note
