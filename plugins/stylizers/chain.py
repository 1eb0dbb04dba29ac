"""Stylizer chains: ``-s name:key=value`` specs parsed and checked, built, and applied with alpha.

The chain is what ``ganvas stylize -s ... -s ...`` and a recipe's ``[[stylize]]`` tables
describe: stylizers applied in order. Alpha is not stylized: it is set aside, the colour
channels go through the chain, and alpha comes back (resized if the chain changed the size).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import tomli_w


if TYPE_CHECKING:
    from torch import Tensor, nn

    from ganvas.plugin.manager import PluginHost

__all__ = ["Step", "parse_chain", "build_chain", "run_chain", "chain_toml"]


@dataclass
class Step:
    """One stylizer of a chain: its registered name and fully resolved parameters."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


def parse_chain(specs: Sequence[str], host: PluginHost) -> list[Step]:
    """Parse and validate ``name:key=value,...`` specs; unknown names or bad values raise one-line errors."""
    return [Step(*host.registry.parse_spec("stylizers", spec)) for spec in specs]


def build_chain(steps: Sequence[Step], host: PluginHost) -> list[nn.Module]:
    """The stylizer modules of ``steps`` (reference images are read now, so a missing file fails early)."""
    return [host.get("stylizers", step.name).build(**step.params) for step in steps]


def run_chain(images: Tensor, chain: Sequence[Any]) -> Tensor:
    """Apply ``chain`` to ``(B, C, H, W)`` images in [0, 1]; C may be 1-4 (2 and 4 carry alpha).

    Returns ``(B, C, H', W')`` in [0, 1]; alpha is kept, resized when the chain changed the size.
    """
    import torch
    import torch.nn.functional as F

    has_alpha = images.shape[1] in (2, 4)
    colour, alpha = (images[:, :-1], images[:, -1:]) if has_alpha else (images, None)
    for stylizer in chain:
        colour = stylizer(colour).clamp(0, 1)
    if alpha is None:
        return colour
    if alpha.shape[-2:] != colour.shape[-2:]:
        shrinking = colour.shape[-2] < alpha.shape[-2]
        alpha = F.interpolate(alpha, size=colour.shape[-2:], mode="bilinear", align_corners=False,
                              antialias=shrinking).clamp(0, 1)
    return torch.cat((colour, alpha.to(colour)), 1)


def chain_toml(steps: Sequence[Step]) -> str:
    """The chain as recipe ``[[stylize]]`` tables, for PNG metadata (paste it into a recipe)."""
    return "".join("[[stylize]]\n" + tomli_w.dumps({"name": s.name, **s.params}) for s in steps)
