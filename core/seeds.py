"""Seed lists (``0-35``, ``1,5,9``, ``0-7,100``) and the latent vectors they stand for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ganvas.errors import UserInputError

if TYPE_CHECKING:
    import torch

__all__ = ["parse_seeds", "format_seeds", "latents_for_seeds", "truncate", "MAX_SEEDS", "MAX_SEED"]

MAX_SEEDS = 10_000
#: The largest seed: torch generators take 64-bit seeds; one range below that keeps them signed.
MAX_SEED = 2**63 - 1


def parse_seeds(text: str | int | list[int]) -> list[int]:
    """``"0-3,9"`` -> ``[0, 1, 2, 3, 9]``; order kept, repeats allowed; at most MAX_SEEDS seeds."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if isinstance(text, list):
        text = ",".join(str(t) for t in text)
    if not isinstance(text, str) or not text.strip():
        raise UserInputError(f"expected seeds like '0-35' or '1,5,9', got {text!r}")
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        low, dash, high = part.partition("-")
        try:
            if dash:
                start, stop = int(low), int(high)
                if stop < start:
                    raise UserInputError(f"seed range '{part}' runs backwards; write it as '{stop}-{start}'")
                if stop - start + 1 + len(seeds) > MAX_SEEDS:  # checked before anything is expanded
                    raise UserInputError(f"seeds '{text}' name more than {MAX_SEEDS} images")
                seeds.extend(range(start, stop + 1))
            else:
                seeds.append(int(part))
            if seeds[-1] > MAX_SEED:
                raise UserInputError(f"seed {seeds[-1]} in '{text}' is too large; seeds go up to {MAX_SEED}")
        except ValueError:
            raise UserInputError(
                f"'{part}' in seeds '{text}' is not a seed; expected non-negative integers like '0-35' or '1,5,9'"
            ) from None
        if len(seeds) > MAX_SEEDS:
            raise UserInputError(f"seeds '{text}' name more than {MAX_SEEDS} images")
    return seeds


def format_seeds(seeds: list[int]) -> str:
    """The shortest seed text for ``seeds``: ``[0, 1, 2, 3, 9]`` -> ``"0-3,9"``; order kept."""
    parts: list[str] = []
    i = 0
    while i < len(seeds):
        j = i
        while j + 1 < len(seeds) and seeds[j + 1] == seeds[j] + 1:
            j += 1
        parts.append(str(seeds[i]) if j == i else f"{seeds[i]}-{seeds[j]}")
        i = j + 1
    return ",".join(parts)


def latents_for_seeds(seeds: list[int], z_dim: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """One standard-normal latent per seed, ``(len(seeds), z_dim)``; seed k gives the same vector
    on every device and in every batch, so ``--seeds 7`` re-creates image 7 of a grid."""
    import torch  # here, not at the top: recipes parse seeds and must not pull in torch

    rows = [torch.randn(z_dim, generator=torch.Generator().manual_seed(seed)) for seed in seeds]
    return torch.stack(rows).to(device)


def truncate(z: torch.Tensor, psi: float, mean: torch.Tensor | None = None) -> torch.Tensor:
    """The truncation trick: move latents toward ``mean`` (the prior's mean, 0, by default).
    ``psi`` = 1 leaves them; 0 gives the mean latent for every seed."""
    import torch

    if psi == 1:
        return z
    centre = torch.zeros_like(z) if mean is None else mean.to(z).expand_as(z)
    return centre + psi * (z - centre)
