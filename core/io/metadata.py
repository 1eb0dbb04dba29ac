"""PNG metadata: the recipe that re-creates an image, its seeds, training step and versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from ganvas import __version__

if TYPE_CHECKING:
    from ganvas.plugin.manager import PluginHost
    from ganvas.recipe import Recipe

__all__ = ["image_metadata"]


def image_metadata(recipe: Recipe, seeds: list[int], step: int, host: PluginHost) -> dict[str, str]:
    """PNG text chunks: the recipe that re-creates the image (its ``[sample]`` section says how
    it was drawn), and for quick reading its seeds, training step and software versions."""
    plugins = ", ".join(f"{p.name} {p.version}" for p in host.plugins() if not p.builtin)
    return {
        "Software": f"ganvas {__version__}",
        "ganvas:recipe": recipe.to_toml(),
        "ganvas:seeds": ",".join(map(str, seeds)),
        "ganvas:step": str(step),
        "ganvas:versions": f"ganvas {__version__}; torch {torch.__version__}" + (f"; {plugins}" if plugins else ""),
    }
