"""Drawing images from a trained run: load the EMA generator, render seeds, stylize, save.

``ganvas run`` uses it for the final picture and ``ganvas sample`` for any seeds afterwards;
each PNG embeds the recipe, seeds, step and versions so it can be re-created.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from . import __version__
from .checkpoint import list_checkpoints, load_checkpoint
from .errors import UserInputError
from .imageio import make_grid, render_points, save_png, to_uint8
from .manager import PluginHost
from .recipe import ComponentRef, Recipe, parse_recipe, tomllib
from .runs import RECIPE_FILE, unique_path
from .seeds import latents_for_seeds
from .components import generate
from .trainer import build_networks

__all__ = ["LoadedRun", "load_run", "apply_stylizers", "write_images"]


@dataclass
class LoadedRun:
    """A run's recipe and EMA generator at one checkpoint."""

    run_dir: Path
    recipe: Recipe
    generator: nn.Module
    z_dim: int
    step: int
    data_kind: str
    checkpoint: Path


def read_run_recipe(run_dir: Path, host: PluginHost) -> Recipe:
    path = run_dir / RECIPE_FILE
    if not path.is_file():
        raise UserInputError(f"'{run_dir}' is not a ganvas run folder (it has no {RECIPE_FILE})")
    return parse_recipe(tomllib.loads(path.read_text()), host.registry, source=str(path))


def load_run(run_dir: Path, host: PluginHost, device: torch.device, checkpoint: Path | None = None) -> LoadedRun:
    """The EMA generator of ``run_dir`` at ``checkpoint`` (default: the newest one)."""
    recipe = read_run_recipe(run_dir, host)
    if checkpoint is None:
        ckpts = list_checkpoints(run_dir / "checkpoints")
        if not ckpts:
            raise UserInputError(f"run '{run_dir}' has no checkpoint yet; train it first (ganvas train --resume {run_dir})")
        checkpoint = ckpts[-1][1]
    state = load_checkpoint(checkpoint)
    nets = build_networks(recipe, host, tuple(state["data_shape"]))
    generator = nets.generator
    generator.load_state_dict(state["G_ema"])
    generator.to(device).eval().requires_grad_(False)
    return LoadedRun(run_dir, recipe, generator, nets.z_dim, int(state["step"]), state["data_kind"], checkpoint)


def apply_stylizers(images01: torch.Tensor, chain: list[ComponentRef], host: PluginHost) -> torch.Tensor:
    """Run ``(B, C, H, W)`` images in [0, 1] through the stylizer chain, in order."""
    for ref in chain:
        stylizer = host.get("stylizers", ref.name).build(**ref.params)
        images01 = stylizer(images01).clamp(0, 1)
    return images01


def image_metadata(recipe: Recipe, seeds: list[int], step: int, host: PluginHost) -> dict[str, str]:
    plugins = ", ".join(f"{p.name} {p.version}" for p in host.plugins() if not p.builtin)
    return {
        "Software": f"ganvas {__version__}",
        "ganvas:recipe": recipe.to_toml(),
        "ganvas:seeds": ",".join(map(str, seeds)),
        "ganvas:step": str(step),
        "ganvas:versions": f"ganvas {__version__}; torch {torch.__version__}" + (f"; {plugins}" if plugins else ""),
    }


@torch.no_grad()
def write_images(
    run: LoadedRun,
    seeds: list[int],
    host: PluginHost,
    out: Path,
    *,
    grid: bool = True,
    columns: int = 0,
    scale: int = 1,
    resample: str = "nearest",
) -> list[Path]:
    """Render ``seeds`` and save them: one grid at ``out`` or ``seedNNNN.png`` files in folder ``out``."""
    device = next(run.generator.parameters()).device
    items = generate(run.generator, latents_for_seeds(seeds, run.z_dim, device))
    meta = image_metadata(run.recipe, seeds, run.step, host)
    if run.data_kind == "points":
        return [save_png(render_points(items), unique_path(out if grid else out / "points.png"), meta)]
    images01 = apply_stylizers(items.float().add(1).div(2), run.recipe.stylize, host)
    images = to_uint8(images01 * 2 - 1)
    if grid:
        return [save_png(make_grid(images, columns), out, meta, scale=scale, resample=resample)]
    paths = []
    for seed, image in zip(seeds, images):
        meta_one = {**meta, "ganvas:seeds": str(seed)}
        paths.append(save_png(image, unique_path(out / f"seed{seed:04d}.png"), meta_one, scale=scale, resample=resample))
    return paths
