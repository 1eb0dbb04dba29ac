"""Shared bits for the stylizer tests: tiny pictures, reference files and per-stylizer settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from ganvas.plugins.stylizers.specs import SPECS

#: Extra parameters so every stylizer runs fast on tiny pictures.
FAST: dict[str, dict[str, object]] = {"texture": {"steps": 2, "size": 32}}

#: Stylizers that need a trained run to build (tests/plugins/stylizers/test_model.py trains one).
NEEDS_RUN = ("model",)

#: The stylizers the generic tests build from settings alone.
NAMES = [spec.name for spec in SPECS if spec.name not in NEEDS_RUN]


def picture(b: int = 2, c: int = 3, h: int = 23, w: int = 31, seed: int = 0) -> torch.Tensor:
    """A smooth gradient with a hard-edged square and a little noise: edges, flats and texture."""
    g = torch.Generator().manual_seed(seed)
    ys = torch.linspace(0, 1, h).view(1, 1, h, 1)
    xs = torch.linspace(0, 1, w).view(1, 1, 1, w)
    base = (0.2 + 0.6 * xs * ys).expand(b, c, h, w).clone()
    base[:, :, h // 4 : h // 2, w // 4 : w // 2] = 0.9
    if c == 3:
        base[:, 1] *= 0.7
    return (base + 0.03 * torch.randn(b, c, h, w, generator=g)).clamp(0, 1)


def write_reference(folder: Path) -> str:
    """A small RGB reference picture on disk; returns its path."""
    from ganvas.io.images import save_png

    path = folder / "reference.png"
    image = picture(1, 3, 24, 24, seed=7)
    image[:, 0] = image[:, 0].flip(-1)
    save_png(image[0].mul(255).round().byte(), path)
    return str(path)


def settings_for(name: str, reference: str) -> dict[str, object]:
    """Parameters for building ``name`` in a test: the reference file where one is taken, fast settings."""
    params = {p.name for p in next(s for s in SPECS if s.name == name).params}
    return {**({"reference": reference} if "reference" in params else {}), **FAST.get(name, {})}


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> Iterator[None]:
    """Tiny tensors: one thread avoids waiting on a busy second core for every small op."""
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)
