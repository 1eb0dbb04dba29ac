"""The pieces every stylizer shares: input checks and the thin ``nn.Module`` over a pure function.

Following kornia, each stylizer is a pure function ``fn(images, **settings) -> images`` on
``(B, C, H, W)`` float tensors in [0, 1] (C is 1 or 3), plus a module that stores the settings,
shows them in its ``repr`` and calls the function in ``forward``. A module class is declared in
one line::

    class Oil(StylizerModule, function=oil):
        \"\"\"Kuwahara oil painting (see :func:`oil`).\"\"\"
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from ganvas.errors import ParamError, did_you_mean

from .specs import check_params

__all__ = ["StylizerModule", "check_images", "checked"]

StylizerFn = Callable[..., Tensor]


def check_images(images: Any, stylizer: str) -> None:
    """Raise ParamError unless ``images`` is a float ``(B, C, H, W)`` tensor with C of 1 or 3."""
    if not isinstance(images, Tensor):
        raise ParamError(f"{stylizer}: expected a torch.Tensor of images, got {type(images).__name__}")
    if images.ndim != 4:
        raise ParamError(f"{stylizer}: expected images of shape (B, C, H, W), got shape {tuple(images.shape)}")
    if images.shape[1] not in (1, 3):
        raise ParamError(
            f"{stylizer}: expected 1 (grayscale) or 3 (RGB) channels, got {images.shape[1]}; "
            "strip an alpha channel first and put it back afterwards"
        )
    if not images.is_floating_point():
        raise ParamError(f"{stylizer}: expected float images in [0, 1], got dtype {images.dtype}")
    if images.shape[0] == 0 or images.shape[2] == 0 or images.shape[3] == 0:
        raise ParamError(f"{stylizer}: got an empty batch of shape {tuple(images.shape)}")


def checked(stylizer: str, images: Any, **settings: Any) -> Tensor:
    """Check ``images`` and ``settings`` for ``stylizer``; return the images as float32 or wider."""
    check_images(images, stylizer)
    check_params(stylizer, settings)
    return images if images.dtype in (torch.float32, torch.float64) else images.float()


class StylizerModule(nn.Module):
    """An ``nn.Module`` that stores a stylizer's settings and calls its pure function.

    Subclasses name the function: ``class Oil(StylizerModule, function=oil)``; the constructor
    then takes the function's keyword arguments (with the same defaults) and ``forward(images)``
    returns ``function(images, **settings)`` with the images' dtype.
    """

    function: ClassVar[StylizerFn]
    settings: dict[str, Any]

    def __init_subclass__(cls, function: StylizerFn | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if function is not None:
            cls.function = staticmethod(function)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The function's keyword arguments (after ``images``) and their defaults."""
        params = list(inspect.signature(cls.function).parameters.values())[1:]
        return {p.name: p.default for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}

    def __init__(self, **settings: Any) -> None:
        super().__init__()
        defaults = self.defaults()
        unknown = [k for k in settings if k not in defaults]
        if unknown:
            raise ParamError(
                f"{type(self).__name__}: unknown parameter '{unknown[0]}'; {did_you_mean(unknown[0], defaults)}"
            )
        self.settings = {**defaults, **settings}

    def forward(self, images: Tensor) -> Tensor:
        out = type(self).function(images, **self.settings, **self.extra_arguments())
        return out.to(images.dtype) if images.is_floating_point() else out

    def extra_arguments(self) -> dict[str, Any]:
        """Arguments of the function that are not settings (reference images), from subclasses."""
        return {}

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
