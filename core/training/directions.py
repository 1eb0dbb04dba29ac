"""Latent directions without labels: closed-form factorisation (SeFa, Shen & Zhou, CVPR 2021).

A generator's first layer maps z linearly: ``y = A z`` (a dense layer, or DCGAN's 1x1 -> 4x4
transposed convolution, which is the same map laid out spatially). The unit directions ``n``
that change ``y`` most are the top eigenvectors of ``A^T A``; moving z along them changes the
picture most, and they often carry one factor each (colour, layout, size). No sampling, no
training: the eigen-decomposition of a ``z_dim x z_dim`` matrix, well under a second.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganvas.errors import UserInputError

__all__ = ["MAX_DIRECTIONS", "first_layer_weight", "sefa_directions", "apply_edits", "parse_edits", "format_edits"]

#: How many directions ``ganvas explore`` can show and ``--edit`` can move along (the strongest).
MAX_DIRECTIONS = 16


def first_layer_weight(generator: nn.Module, z_dim: int) -> Tensor:
    """The first layer's matrix ``A`` ``(outputs, z_dim)`` acting on the noise part of z: the
    generator's own ``latent_weight()`` when it has one (a generator that reads z in more than one
    place stacks those maps), else its first Linear or 1x1-input ConvTranspose2d."""
    own = getattr(generator, "latent_weight", None)
    if callable(own):
        return own()[:, :z_dim]
    for module in generator.modules():
        if isinstance(module, nn.Linear):
            if module.in_features < z_dim:
                break
            return module.weight[:, :z_dim].detach()
        if isinstance(module, nn.ConvTranspose2d):
            if module.in_channels < z_dim:
                break
            weight = module.weight[:z_dim].detach()  # (z_dim, out, kh, kw)
            return weight.reshape(z_dim, -1).T
        if isinstance(module, nn.Conv2d):
            break
    raise UserInputError(
        f"{type(generator).__name__}'s first layer is not a linear map of z (a Linear or a 1x1-input "
        "ConvTranspose2d, or a latent_weight() method): SeFa directions need one; dcgan, cppn and mlp have it"
    )


def sefa_directions(generator: nn.Module, z_dim: int, k: int) -> Tensor:
    """The top ``k`` unit directions ``(k, z_dim)``, strongest first, each with a fixed sign (its
    largest entry positive) so the same weights always give the same directions."""
    if not 1 <= k <= min(z_dim, MAX_DIRECTIONS):
        raise UserInputError(f"--k must be between 1 and {min(z_dim, MAX_DIRECTIONS)} (and z_dim = {z_dim}), got {k}")
    A = first_layer_weight(generator, z_dim).double().cpu()
    values, vectors = torch.linalg.eigh(A.T @ A)  # ascending
    top = vectors[:, torch.argsort(values, descending=True)[:k]].T  # (k, z_dim)
    signs = torch.sign(top.gather(1, top.abs().argmax(dim=1, keepdim=True)))
    return (top * signs).float()


def parse_edits(text: str, k_max: int | None = None) -> dict[int, float]:
    """``"2=+1.5,5=-1"`` as ``{2: 1.5, 5: -1.0}`` (directions numbered from 0)."""
    edits: dict[int, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        index, sep, amount = part.partition("=")
        try:
            direction, strength = int(index), float(amount)
        except ValueError:
            raise UserInputError(f"--edit '{part}': expected DIRECTION=STRENGTH, e.g. 2=+1.5") from None
        if not sep or direction < 0 or not torch.isfinite(torch.tensor(strength)):
            raise UserInputError(f"--edit '{part}': expected DIRECTION=STRENGTH with DIRECTION >= 0, e.g. 2=+1.5")
        if k_max is not None and direction >= k_max:
            raise UserInputError(
                f"--edit {direction}={amount}: this run's directions are 0..{k_max - 1} (the strongest "
                f"{k_max}; ganvas explore RUN --k {k_max} shows them)"
            )
        edits[direction] = edits.get(direction, 0.0) + strength
    return edits


def format_edits(edits: dict[int, float]) -> str:
    return ",".join(f"{d}={s:+g}" for d, s in sorted(edits.items()))


def apply_edits(latents: Tensor, directions: Tensor, edits: dict[int, float]) -> Tensor:
    """``latents`` with their noise part (the first ``directions.shape[1]`` entries) moved by
    ``strength`` along each edited direction."""
    z_dim = directions.shape[1]
    shift = sum((strength * directions[d] for d, strength in edits.items()), torch.zeros(z_dim))
    out = latents.clone()
    out[:, :z_dim] += shift.to(out.device, out.dtype)
    return out
