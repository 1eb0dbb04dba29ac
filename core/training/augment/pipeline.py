"""An augmentation policy as one module: each op applied to each image with probability ``p``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor, nn

__all__ = ["Op", "AugmentPipeline", "parse_policy", "build_pipeline"]

#: An augmentation op: ``op(images, generator) -> images``, (B, C, H, W) in [-1, 1], differentiable.
Op = Callable[[Tensor, "torch.Generator | None"], Tensor]


def parse_policy(policy: str) -> list[str]:
    """``"color, translation,cutout"`` -> ``["color", "translation", "cutout"]`` (empty items dropped)."""
    return [item.strip() for item in policy.split(",") if item.strip()]


class AugmentPipeline(nn.Module):
    """Applies ``ops`` in order; each op reaches each image independently with probability ``p``.

    ``forward`` takes ``(B, C, H, W)`` images in [-1, 1] and returns the same shape, differentiable
    with respect to its input. ``p`` is a 0-d float buffer (on the module's device, saved in
    ``state_dict()``), so an adaptive controller can change it in place without a host sync; the
    per-image application masks are drawn here rather than relying on kornia's ``p`` (frozen at
    construction in kornia <= 0.8). With ``adaptive=False`` and p of exactly 1 or 0 the masks are
    skipped (every image is augmented / the pipeline is the identity).
    """

    p: Tensor

    def __init__(
        self,
        ops: Sequence[tuple[str, Op]],
        p: float = 1.0,
        *,
        adaptive: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {p}")
        self.names = [name for name, _ in ops]
        self.ops = [op for _, op in ops]
        self.adaptive = adaptive
        self.generator = generator
        self.register_buffer("p", torch.tensor(float(p)))
        self._fixed = None if adaptive else float(p)

    def set_p(self, p: float) -> None:
        """Set the probability (in [0, 1]) in place."""
        self.p.fill_(float(min(max(p, 0.0), 1.0)))
        if not self.adaptive:
            self._fixed = float(self.p)

    def load_state_dict(self, state_dict: Any, strict: bool = True, assign: bool = False) -> Any:
        result = super().load_state_dict(state_dict, strict=strict, assign=assign)
        if not self.adaptive:
            self._fixed = float(self.p)
        return result

    def forward(self, x: Tensor) -> Tensor:
        if self._fixed == 0.0 or not self.ops:
            return x
        masked = self._fixed != 1.0
        p = self.p.to(device=x.device)
        for op in self.ops:
            y = op(x, self.generator)
            if masked:
                mask = torch.rand(len(x), 1, 1, 1, device=x.device, generator=self.generator) < p
                y = torch.where(mask, y, x)
            x = y
        return x

    def extra_repr(self) -> str:
        return f"policy={','.join(self.names)!r}, adaptive={self.adaptive}"


def build_pipeline(
    host: Any,
    policy: str,
    p: float = 1.0,
    *,
    adaptive: bool = False,
    params: dict[str, dict[str, Any]] | None = None,
    generator: torch.Generator | None = None,
) -> AugmentPipeline:
    """A pipeline for ``policy`` with ops built from ``host``'s registry (``params[name]`` per op).

    Unknown names raise :class:`ganvas.errors.UnknownNameError` listing the valid ones.
    """
    params = params or {}
    ops = [(name, host.get("augmentations", name).build(**params.get(name, {}))) for name in parse_policy(policy)]
    return AugmentPipeline(ops, p, adaptive=adaptive, generator=generator)
