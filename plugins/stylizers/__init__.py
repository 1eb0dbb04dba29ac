"""Built-in stylizers: post-processing of (B, C, H, W) images in [0, 1], batched, on any device.

This module registers them (from :mod:`.specs`, without importing torch) and adds the
``ganvas stylize`` command (``ganvas bench stylize`` times them). Each stylizer lives in its own module
as a pure function plus an ``nn.Module``: ``oil``, ``watercolor``, ``ink``, ``quantize``
(posterize, palette, pixel), ``halftone``, ``color_transfer``, ``upscale``, ``finishing``
(vignette, grain, sharpen) and ``texture``.
"""

from __future__ import annotations

from typing import Any

from ganvas import hookimpl

from .specs import SPECS

__all__ = ["register_stylizers", "register_commands"]


@hookimpl
def register_stylizers(register: Any) -> None:
    for spec in SPECS:
        register(spec.name, spec.factory, params=spec.params, help=spec.help, aliases=spec.aliases)


@hookimpl
def register_commands(cli: Any) -> None:
    from .cli import stylize

    cli.add_command(stylize)
