"""Drawing images from a trained run: load the EMA generator, render seeds, stylize, save.

``ganvas run`` uses it for the final picture and ``ganvas sample`` for any seeds afterwards;
each PNG embeds the recipe, seeds, step and versions so it can be re-created.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganvas import __version__
from ganvas.io.checkpoint import list_checkpoints, load_checkpoint
from ganvas.errors import UserInputError
from ganvas.io.images import make_grid, render_points, save_png, to_uint8
from ganvas.plugin.manager import PluginHost
from ganvas.recipe.schema import ComponentRef, Recipe, SampleConfig, parse_recipe, tomllib
from ganvas.io.runs import RECIPE_FILE, unique_path
from ganvas.drawing.seeds import format_seeds, latents_for_seeds
from ganvas.training.components import generate
from ganvas.training.loop import build_networks

__all__ = ["LoadedRun", "load_run", "truncate", "build_stylizers", "apply_stylizers", "finish_images", "render_latents", "write_images"]


@dataclass
class LoadedRun:
    """A run's recipe and generator (EMA or raw) at one checkpoint."""

    run_dir: Path
    recipe: Recipe
    generator: nn.Module
    z_dim: int
    step: int
    data_kind: str
    checkpoint: Path
    ema: bool = True

    @property
    def is_final(self) -> bool:
        """Whether the checkpoint is the end of the recipe's training."""
        return self.step == self.recipe.train.steps


def read_run_recipe(run_dir: Path, host: PluginHost) -> Recipe:
    path = run_dir / RECIPE_FILE
    if not path.is_file():
        raise UserInputError(f"'{run_dir}' is not a ganvas run folder (it has no {RECIPE_FILE})")
    return parse_recipe(tomllib.loads(path.read_text()), host.registry, source=str(path))


def load_run(run_dir: Path, host: PluginHost, device: torch.device, checkpoint: Path | None = None,
             *, ema: bool | None = None, step: int | None = None) -> LoadedRun:
    """The generator of ``run_dir`` at ``checkpoint`` (or at training ``step``; default: the
    recipe's ``sample.step``, else the newest checkpoint). ``ema`` defaults to ``sample.ema``."""
    recipe = read_run_recipe(run_dir, host)
    if checkpoint is None:
        ckpts = list_checkpoints(run_dir / "checkpoints")
        if not ckpts:
            raise UserInputError(f"run '{run_dir}' has no checkpoint yet; train it first (ganvas train --resume {run_dir})")
        step = recipe.sample.step if step is None else step
        if step:
            found = dict(ckpts)
            if step not in found:
                raise UserInputError(f"run '{run_dir}' has no checkpoint of step {step}; it has steps "
                                     + ", ".join(str(s) for s, _ in ckpts))
            checkpoint = found[step]
        else:
            checkpoint = ckpts[-1][1]
    use_ema = recipe.sample.ema if ema is None else ema
    state = load_checkpoint(checkpoint)
    nets = build_networks(recipe, host, tuple(state["data_shape"]))
    generator = nets.generator
    generator.load_state_dict(state["G_ema" if use_ema else "G"])
    generator.to(device).eval().requires_grad_(False)
    return LoadedRun(run_dir, recipe, generator, nets.z_dim, int(state["step"]), state["data_kind"], checkpoint,
                     use_ema)


def truncate(z: torch.Tensor, psi: float, mean: torch.Tensor | None = None) -> torch.Tensor:
    """The truncation trick: move latents toward ``mean`` (the prior's mean, 0, by default).
    ``psi`` = 1 leaves them; 0 gives the mean latent for every seed."""
    if psi == 1:
        return z
    centre = torch.zeros_like(z) if mean is None else mean.to(z).expand_as(z)
    return centre + psi * (z - centre)


def build_stylizers(chain: list[Any], host: PluginHost) -> list[Any]:
    """The stylizer modules of ``chain`` (ComponentRefs are built; built ones are kept), so a
    caller drawing many batches builds them once (reference images read once, CNNs made once)."""
    return [host.get("stylizers", s.name).build(**s.params) if isinstance(s, ComponentRef) else s for s in chain]


def apply_stylizers(images01: torch.Tensor, chain: list[Any], host: PluginHost) -> torch.Tensor:
    """Run ``(B, C, H, W)`` images in [0, 1] through the stylizer chain (ComponentRefs or modules
    from :func:`build_stylizers`), in order."""
    for stylizer in build_stylizers(chain, host):
        images01 = stylizer(images01).clamp(0, 1)
    return images01


def finish_images(items: torch.Tensor, chain: list[Any], host: PluginHost, size: int = 0) -> torch.Tensor:
    """Generator output in [-1, 1] -> uint8 ``(B, C, H, W)``: upsampled to ``size`` pixels (0: as
    is), then through the stylizer chain."""
    if not chain and (not size or size == items.shape[-1]):
        return to_uint8(items)  # no round trip through [0, 1]: bit-identical to the training grids
    images01 = items.float().add(1).div(2).clamp(0, 1)
    if size and size != images01.shape[-1]:
        images01 = F.interpolate(images01, size=(size, size), mode="bicubic", align_corners=False,
                                 antialias=size < images01.shape[-1]).clamp(0, 1)
    return to_uint8(apply_stylizers(images01, chain, host) * 2 - 1)


@torch.no_grad()
def render_latents(run: LoadedRun, z: torch.Tensor, host: PluginHost, *, chain: list[Any] | None = None,
                   size: int | None = None, truncation: float | None = None) -> torch.Tensor:
    """Draw ``z`` with the run's generator: uint8 ``(B, C, H, W)`` images through the stylizer
    chain (default: the recipe's; ComponentRefs or modules from :func:`build_stylizers`), or for
    point data one ``(3, H, W)`` scatter plot."""
    cfg = run.recipe.sample
    device = next(run.generator.parameters()).device
    psi = cfg.truncation if truncation is None else truncation
    items = generate(run.generator, truncate(z.to(device), psi))
    if run.data_kind == "points":
        return render_points(items)
    return finish_images(items, run.recipe.stylize if chain is None else chain, host,
                         cfg.size if size is None else size)


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


def drawn_recipe(run: LoadedRun, settings: SampleConfig, chain: list[ComponentRef], seeds: list[int]) -> Recipe:
    """The run's recipe with ``[sample]`` and ``[[stylize]]`` saying exactly how an image was
    drawn, so ``ganvas run IMAGE`` draws it again."""
    sample = replace(settings, seeds=format_seeds(seeds), ema=run.ema, step=0 if run.is_final else run.step)
    return replace(run.recipe, sample=sample, stylize=list(chain))


@torch.no_grad()
def write_images(
    run: LoadedRun,
    seeds: list[int],
    host: PluginHost,
    out: Path,
    settings: SampleConfig | None = None,
    chain: list[ComponentRef] | None = None,
) -> list[Path]:
    """Render ``seeds`` with ``settings`` (default: the recipe's ``[sample]``) through ``chain``
    (default: the recipe's stylizers) and save them: one grid at ``out``, or ``seedNNNN.png``
    files in folder ``out``. Each PNG embeds the recipe that re-creates it."""
    cfg = run.recipe.sample if settings is None else settings
    chain = run.recipe.stylize if chain is None else chain
    device = next(run.generator.parameters()).device
    stylizers = build_stylizers(chain, host) if run.data_kind != "points" else []

    def draw(some: list[int]) -> torch.Tensor:
        return render_latents(run, latents_for_seeds(some, run.z_dim, device), host, chain=stylizers,
                              size=cfg.size, truncation=cfg.truncation)

    if run.data_kind == "points" or cfg.grid:
        picture = draw(seeds)
    if run.data_kind == "points":
        recipe = drawn_recipe(run, replace(cfg, grid=True), chain, seeds)
        target = out if cfg.grid else out / "points.png"
        return [save_png(picture, unique_path(target), image_metadata(recipe, seeds, run.step, host))]
    if cfg.grid:
        meta = image_metadata(drawn_recipe(run, cfg, chain, seeds), seeds, run.step, host)
        return [save_png(make_grid(picture, cfg.columns), out, meta, scale=cfg.scale, resample=cfg.resample)]
    paths = []
    for seed in seeds:  # one at a time: float results can depend on the batch, and the PNG must
        image = draw([seed])[0]  # be what `ganvas run` on it draws again, alone, bit for bit
        meta = image_metadata(drawn_recipe(run, cfg, chain, [seed]), [seed], run.step, host)
        paths.append(save_png(image, unique_path(out / f"seed{seed:04d}.png"), meta,
                              scale=cfg.scale, resample=cfg.resample))
    return paths
