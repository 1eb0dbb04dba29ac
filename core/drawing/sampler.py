"""Drawing images from a trained run: load the EMA generator, render seeds, stylize, save.

``ganvas run`` uses it for the final picture and ``ganvas sample`` for any seeds afterwards;
each PNG embeds the recipe, seeds, step and versions so it can be re-created.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from ganvas.data.kinds import Dataset, data_kind
from ganvas.device import configure_threads
from ganvas.drawing.canvas import canvas_of, check_canvas_budget, check_drawable, fit_canvas
from ganvas.drawing.control import Plan, check_control, latents_of, plan
from ganvas.drawing.stylize import build_chain, run_chain
from ganvas.errors import GanvasError, UserInputError
from ganvas.io.checkpoint import list_checkpoints, load_checkpoint
from ganvas.io.images import make_grid, save_png, to_uint8
from ganvas.io.provenance import image_metadata
from ganvas.io.runs import RECIPE_FILE, slug, unique_path
from ganvas.plugin.manager import PluginHost
from ganvas.recipe import ComponentRef, Recipe, SampleConfig, parse_recipe, read_recipe_source
from ganvas.seeds import format_seeds
from ganvas.training.loop import method_state
from ganvas.training.method import DrawContext, Drawer, Method

__all__ = ["LoadedRun", "load_run", "finish_images", "render_latents", "write_images", "drawn_recipe", "scale_options"]


@dataclass
class LoadedRun:
    """A run's recipe and its method's drawer (EMA weights or raw) at one checkpoint."""

    run_dir: Path
    recipe: Recipe
    drawer: Drawer
    step: int
    checkpoint: Path
    ema: bool = True
    #: What draws, in words: the architecture (``dcgan``) or, for a method without one, the method.
    maker: str = ""

    @property
    def kind(self) -> type[Dataset]:
        """The dataset type of what the run draws (it renders the items)."""
        return self.drawer.kind

    @property
    def is_final(self) -> bool:
        """Whether the checkpoint is the end of the recipe's training."""
        return self.step == self.recipe.train.steps


def read_run_recipe(run_dir: Path, host: PluginHost) -> Recipe:
    path = run_dir / RECIPE_FILE
    if not path.is_file():
        raise UserInputError(f"'{run_dir}' is not a ganvas run folder (it has no {RECIPE_FILE})")
    raw, label = read_recipe_source(path)  # a damaged file: one line naming it
    from ganvas.plugin.requirements import check_requirements

    check_requirements(raw.get("plugins", []))  # a missing plugin says how to install it
    return parse_recipe(raw, host.registry, source=label)


def load_run(
    run_dir: Path,
    host: PluginHost,
    device: torch.device,
    checkpoint: Path | None = None,
    *,
    ema: bool | None = None,
    step: int | None = None,
) -> LoadedRun:
    """The generator of ``run_dir`` at ``checkpoint`` (or at training ``step``; default: the
    recipe's ``sample.step``, else the newest checkpoint). ``ema`` defaults to ``sample.ema``."""
    configure_threads()
    recipe = read_run_recipe(run_dir, host)
    if checkpoint is None:
        ckpts = list_checkpoints(run_dir / "checkpoints")
        if not ckpts:
            raise UserInputError(
                f"run '{run_dir}' has no checkpoint yet; train it first (ganvas train --resume {run_dir})"
            )
        step = recipe.sample.step if step is None else step
        if step:
            found = dict(ckpts)
            if step not in found:
                raise UserInputError(
                    f"run '{run_dir}' has no checkpoint of step {step}; it has steps "
                    + ", ".join(str(s) for s, _ in ckpts)
                )
            checkpoint = found[step]
        else:
            checkpoint = ckpts[-1][1]
    use_ema = recipe.sample.ema if ema is None else ema
    state = load_checkpoint(checkpoint)
    method = host.get("methods", recipe.method.name)
    missing = [key for key in ("step", "data_shape", "data_kind") if key not in state]
    if missing:
        raise GanvasError(f"checkpoint '{checkpoint}' lacks {', '.join(missing)}: it is damaged or not a ganvas run's")
    ctx = DrawContext(recipe, host, device, tuple(state["data_shape"]), data_kind(state["data_kind"]))
    method_cls: type[Method] = method.load()  # type: ignore[assignment]
    try:
        drawer = method_cls.drawer(ctx, method_state(state), ema=use_ema)
    except (KeyError, RuntimeError, ValueError) as exc:  # load_state_dict of other networks
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise GanvasError(
            f"checkpoint '{checkpoint}' does not fit the run's {method.label} and [model] "
            f"({first}); was it copied from another run?"
        ) from None
    maker = recipe.model.name if "model" in method_cls.uses else recipe.method.name
    return LoadedRun(run_dir, recipe, drawer, int(state["step"]), checkpoint, use_ema, maker)


def finish_images(
    items: torch.Tensor, chain: list[Any], host: PluginHost, size: int | tuple[int, int] | None = None
) -> torch.Tensor:
    """Generator output in [-1, 1] -> uint8 ``(B, C, H, W)``: resized to ``size`` (pixels a side,
    or ``(H, W)``, covering it and centre-cropped; None or 0: as is), then through the chain."""
    canvas = (size, size) if isinstance(size, int) and size else size or None
    if canvas == tuple(items.shape[-2:]):
        canvas = None
    if not chain and canvas is None:
        return to_uint8(items)  # no round trip through [0, 1]: bit-identical to the training grids
    images01 = items.float().add(1).div(2).clamp(0, 1)
    if canvas is not None:
        images01 = fit_canvas(images01, canvas)
    return to_uint8(run_chain(images01, build_chain(chain, host)) * 2 - 1)


@torch.no_grad()
def render_latents(
    run: LoadedRun,
    z: torch.Tensor,
    host: PluginHost,
    *,
    chain: list[Any] | None = None,
    size: int | None = None,
    truncation: float | None = None,
    settings: SampleConfig | None = None,
) -> torch.Tensor:
    """Draw latents ``z`` with the run's drawer: uint8 ``(B, C, H, W)`` pictures through the
    stylizer chain (default: the recipe's; ComponentRefs or modules from :func:`build_chain`), or
    for items that are not pictures (points) one ``(3, H, W)`` rendering of them all.

    ``settings`` (default: the recipe's ``[sample]``) give the canvas, tiling and truncation;
    ``size`` and ``truncation`` override theirs. A drawer that renders at any size paints the
    canvas itself; any other's images are upsampled to it."""
    cfg = run.recipe.sample if settings is None else settings
    if size is not None:
        cfg = replace(cfg, size=size, height=0)
    psi = cfg.truncation if truncation is None else truncation
    canvas = canvas_of(cfg)
    if cfg.tile and canvas is None:  # a tile at the model's own size
        canvas = run.drawer.native_size
    extra = scale_options(cfg)
    if run.drawer.any_size and canvas is not None and run.kind.pictures:
        items = run.drawer.draw(z, truncation=psi, size=canvas, tile=cfg.tile, **extra)
        canvas = None
    else:
        items = run.drawer.draw(z, truncation=psi, **extra)
    if not run.kind.pictures:
        return run.kind.render(items)
    return finish_images(items, run.recipe.stylize if chain is None else chain, host, canvas)


def scale_options(settings: SampleConfig) -> dict[str, Any]:
    """The ``[sample]`` values of drawers with scales (``at``, ``inject``, ``enlarge``) that are
    set: only those are passed, so a drawer without scales never sees them."""
    given = {"at": settings.at, "inject": settings.inject, "enlarge": settings.enlarge}
    return {k: v for k, v in given.items() if v not in (0, "", 1.0)}


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
    check_control(run, cfg)
    items = plan(run, cfg, seeds)
    check_canvas_budget(len(items.seeds) if cfg.grid else 1, canvas_of(cfg))
    check_drawable(run, cfg)
    stylizers = build_chain(chain, host) if run.kind.pictures else []

    def draw(some: Plan, settings: SampleConfig) -> torch.Tensor:
        return render_latents(run, latents_of(run, settings, some), host, chain=stylizers, settings=settings)

    if not run.kind.pictures or cfg.grid:
        picture = draw(items, cfg)
    if not run.kind.pictures:  # one rendering of all the items (a point plot)
        recipe = drawn_recipe(run, replace(cfg, grid=True), chain, seeds)
        target = out if cfg.grid else out / "points.png"
        return [save_png(picture, unique_path(target), image_metadata(recipe, seeds, run.step, host))]
    if cfg.grid:
        meta = image_metadata(drawn_recipe(run, cfg, chain, seeds), seeds, run.step, host)
        columns = cfg.columns or items.columns
        return [save_png(make_grid(picture, columns), out, meta, scale=cfg.scale, resample=cfg.resample)]
    paths = []
    labels: list[int | None] = list(items.labels) if items.labels is not None else [None] * len(items.seeds)
    for seed, label in zip(items.seeds, labels):
        # one at a time: float results can depend on the batch, and the PNG must be what
        # `ganvas run` on it draws again, alone, bit for bit
        one = replace(cfg, classes=run.drawer.classes[label]) if label is not None else cfg
        image = draw(Plan([seed], None if label is None else [label], 0), one)[0]
        meta = image_metadata(drawn_recipe(run, one, chain, [seed]), [seed], run.step, host)
        name = f"seed{seed:04d}" + (f"-{slug(run.drawer.classes[label])}" if label is not None else "")
        paths.append(save_png(image, unique_path(out / f"{name}.png"), meta, scale=cfg.scale, resample=cfg.resample))
    return paths
