"""Corruptions: how image-to-image methods make training pairs from clean pictures on the fly.

A *corruption* (a component kind, ``register_corruptions``) damages clean pictures the way a
user's pictures are damaged: noise, a lower resolution, holes, lost colour, a sketch instead of
a picture. A paired method (``pix2pix``) trains a network to undo it, so any image dataset
becomes a set of (damaged, clean) pairs and no pairs need to be collected (Real-ESRGAN's
degradation pipeline and LaMa's free-form masks make their training data the same way).

The contract, checked where it is crossed (:func:`corrupt`)::

    class Corruption:
        scale = 1        # inputs at restore time are this many times smaller (super-resolution)
        masks = False    # it cuts holes: returns a mask channel after the colour channels
        def __call__(self, images, generator) -> images    # (B, C, H, W) in [0, 1]
        def prepare(self, images, mask=None) -> images       # a user's picture -> network input

``__call__`` returns ``(B, C, H, W)`` (``(B, C + 1, H, W)`` with ``masks``: the last channel is
1 where pixels are missing) in [0, 1], the same size as it was given; randomness comes only from
``generator``, so a seed gives the same pairs. :meth:`Corruption.prepare` turns a picture the
user gives ``ganvas restore`` into what the network was trained on (enlarged by ``scale``, made
grey, holes from a mask marked); the default keeps it as it is.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ganvas.errors import GanvasError, UserInputError

__all__ = ["Corruption", "corrupt", "prepare", "build_corruption"]


class Corruption:
    """Base class of corruptions; see the module docstring for the contract."""

    #: How many times smaller a user's input is than the network's output (super-resolution: 2, 4).
    scale: int = 1
    #: Whether it cuts holes and returns a mask channel (1 = missing) after the colour channels.
    masks: bool = False

    def __call__(self, images: Tensor, generator: torch.Generator) -> Tensor:
        raise NotImplementedError

    def prepare(self, images: Tensor, mask: Tensor | None = None) -> Tensor:
        """A user's ``(B, C, h, w)`` pictures in [0, 1] -> network input ``(B, C[+1], h*scale, w*scale)``.

        The default enlarges by :attr:`scale` (bicubic) and, for a masking corruption, blanks the
        pixels ``mask`` marks (``(B, 1, h, w)``, 1 = missing) and appends it."""
        import torch.nn.functional as F

        scale, masks = int(getattr(self, "scale", 1)), bool(getattr(self, "masks", False))  # plain functions too
        if scale != 1:
            size = (images.shape[-2] * scale, images.shape[-1] * scale)
            images = F.interpolate(images, size=size, mode="bicubic", align_corners=False).clamp(0, 1)
        if not masks:
            return images
        if mask is None:
            raise UserInputError(
                f"{self!r} repairs holes: give the mask of what is missing (--mask FILE, white = missing)"
            )
        if mask.shape[-2:] != images.shape[-2:]:
            mask = F.interpolate(mask, size=images.shape[-2:], mode="nearest")
        mask = (mask > 0.5).to(images)
        return torch.cat([images * (1 - mask) + 0.5 * mask, mask], dim=1)

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({settings})"


def corrupt(
    corruption: Any, images: Tensor, generator: torch.Generator, label: str = "corruption", *, finite: bool = True
) -> Tensor:
    """``corruption(images, generator)``, with its contract checked: the same batch and size,
    the same channels (one more with ``masks``), finite, in [0, 1]. A violation is a one-line
    error naming the component, not a broken training run. ``finite=False`` skips the values
    check (it waits for a GPU to finish: a training step checks its first batch only)."""
    out = corruption(images, generator)
    b, c, h, w = images.shape
    want = c + 1 if getattr(corruption, "masks", False) else c
    if not isinstance(out, Tensor) or out.ndim != 4 or tuple(out.shape) != (b, want, h, w):
        got = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
        raise GanvasError(
            f"{label} turned {tuple(images.shape)} pictures into {got}; a corruption returns "
            f"{(b, want, h, w)} (a masking one appends its mask channel)"
        )
    if finite and not bool(torch.isfinite(out).all()):
        raise GanvasError(f"{label} returned NaN or infinite values")
    return out.clamp(0, 1)


def prepare(corruption: Any, images: Tensor, mask: Tensor | None = None) -> Tensor:
    """A user's pictures as the network's input: ``corruption.prepare``, or for a plain function
    corruption (no ``prepare``) the default of :meth:`Corruption.prepare`."""
    method = getattr(corruption, "prepare", None)
    if callable(method):
        return method(images, mask)
    return Corruption.prepare(corruption, images, mask)


def build_corruption(host: Any, name: str, params: dict[str, Any]) -> tuple[Any, str]:
    """The corruption registered as ``name``, built with ``params``, and its label for errors."""
    component = host.get("corruptions", name)
    return component.build(**params), f"{component.label} (plugin '{component.plugin}')"
