"""The stylizer chain, the one implementation behind ``run``, ``sample``, ``animate`` and ``stylize``.

A chain is a list of :class:`~ganvas.recipe.ComponentRef` (a recipe's ``[[stylize]]`` tables or
``-s name:key=value`` specs): :func:`parse_chain` checks specs, :func:`build_chain` builds the
modules once (reference images read, CNNs made) and :func:`run_chain` applies them in order to
``(B, C, H, W)`` images in [0, 1]. Alpha is not stylized: it is set aside, the colour channels go
through the chain, and alpha comes back (resized if the chain changed the size).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import tomli_w

from ganvas.recipe import ComponentRef

if TYPE_CHECKING:
    from torch import Tensor, nn

    from ganvas.plugin.manager import PluginHost

__all__ = ["parse_chain", "build_chain", "run_chain", "check_stylized", "chain_toml", "chain_files"]


def parse_chain(specs: Sequence[str], host: PluginHost) -> list[ComponentRef]:
    """Parse and validate ``name:key=value,...`` specs; unknown names or bad values raise one-line errors."""
    return [ComponentRef(*host.registry.parse_spec("stylizers", spec)) for spec in specs]


def build_chain(chain: Sequence[Any], host: PluginHost) -> list[nn.Module]:
    """The stylizer modules of ``chain``: ComponentRefs are built, modules already built are kept,
    so a caller drawing many batches builds them once."""
    return [host.get("stylizers", s.name).build(**s.params) if isinstance(s, ComponentRef) else s for s in chain]


def run_chain(images: Tensor, chain: Sequence[Any]) -> Tensor:
    """Apply built ``chain`` to ``(B, C, H, W)`` images in [0, 1]; C may be 1-4 (2 and 4 carry alpha).

    Returns ``(B, C, H', W')`` in [0, 1]; alpha is kept, resized when the chain changed the size.
    """
    import torch
    import torch.nn.functional as F

    has_alpha = images.shape[1] in (2, 4)
    colour, alpha = (images[:, :-1], images[:, -1:]) if has_alpha else (images, None)
    for stylizer in chain:
        colour = check_stylized(stylizer, colour, stylizer(colour)).clamp(0, 1)
    if alpha is None:
        return colour
    if alpha.shape[-2:] != colour.shape[-2:]:
        shrinking = colour.shape[-2] < alpha.shape[-2]
        alpha = F.interpolate(
            alpha, size=colour.shape[-2:], mode="bilinear", align_corners=False, antialias=shrinking
        ).clamp(0, 1)
    return torch.cat((colour, alpha.to(colour)), 1)


def check_stylized(stylizer: Any, before: Tensor, after: Any) -> Tensor:
    """The stylizer contract, checked where it is crossed: a float tensor with the same batch and
    channels, finite, and the same aspect ratio (a stylizer may enlarge, as upscale does, but not
    squash). A violation is a one-line error naming the stylizer instead of a broken PNG."""
    import torch

    from ganvas.errors import GanvasError

    label = f"stylizer {stylizer!r}"
    if not isinstance(after, torch.Tensor) or not after.is_floating_point() or after.ndim != 4:
        got = f"{after.dtype} {tuple(after.shape)}" if isinstance(after, torch.Tensor) else type(after).__name__
        raise GanvasError(f"{label} returned {got}; stylizers return float (B, C, H, W) images in [0, 1]")
    (b, c, h, w), (b2, c2, h2, w2) = before.shape, after.shape
    recolours = getattr(stylizer, "changes_channels", False) and c2 in (1, 3)
    if b2 != b or (c2 != c and not recolours) or abs(h2 * w - w2 * h) > max(h, w):
        raise GanvasError(
            f"{label} turned {tuple(before.shape)} images into {tuple(after.shape)}; a stylizer "
            "keeps the batch, the channels (unless it sets changes_channels = True) and the aspect ratio"
        )
    low, high = (float(v) for v in torch.aminmax(after))  # one pass; NaN and inf propagate to it
    if not (math.isfinite(low) and math.isfinite(high)):
        raise GanvasError(f"{label} returned NaN or infinite values (on {tuple(before.shape)} images)")
    if low < -_RANGE_SLACK or high > 1 + _RANGE_SLACK:
        raise GanvasError(
            f"{label} returned values in [{low:.3g}, {high:.3g}]; stylizers return images in [0, 1] "
            "(clamp the result, or convert from [-1, 1] with (x + 1) / 2)"
        )
    return after.clamp(0, 1) if low < 0 or high > 1 else after


#: How far outside [0, 1] a stylizer's rounding may stray before it counts as a wrong range.
_RANGE_SLACK = 0.02


def chain_files(chain: Sequence[ComponentRef], host: PluginHost, prefix: str = "stylize") -> dict[str, str]:
    """``{"stylize.0.reference": "/abs/ref.png"}``: the files the chain's file parameters name."""
    from ganvas.plugin.params import path_values

    found = {}
    for index, ref in enumerate(chain):
        for name, path in path_values(host.get("stylizers", ref.name).params, ref.params).items():
            found[f"{prefix}.{index}.{name}"] = path
    return found


def chain_toml(chain: Sequence[ComponentRef]) -> str:
    """The chain as recipe ``[[stylize]]`` tables, for PNG metadata (paste it into a recipe)."""
    return "".join("[[stylize]]\n" + tomli_w.dumps({"name": s.name, **s.params}) for s in chain)
