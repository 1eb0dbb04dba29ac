"""Options shared by several commands."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


class FiniteFloatRange(click.FloatRange):
    """A float range that also refuses nan and inf (click's own lets nan through every bound)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number is not None and not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


F = Callable[..., Any]

#: The smallest canvas side ``--size`` takes.
MIN_CANVAS = 8


class CanvasSize(click.ParamType):
    """``--size PX`` (a square) or ``--size WxH``: converted to ``(width, height)``. Memory is
    checked later, where the number of images drawn at once is known."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        text = str(value).strip().lower()
        width_text, sep, height_text = text.partition("x")
        try:
            width, height = int(width_text), int(height_text if sep else width_text)
        except ValueError:
            self.fail(f"{value!r} is not a size; give pixels (2048) or WIDTHxHEIGHT (1920x1080)", param, ctx)
        if min(width, height) < MIN_CANVAS:
            self.fail(
                f"{value!r}: a canvas needs at least {MIN_CANVAS} px a side; leave --size out for the model's own size",
                param,
                ctx,
            )
        return width, height


def canvas_settings(size: tuple[int, int] | None, tile: bool | None, scale: int | None) -> dict[str, Any]:
    """``--size``, ``--tile`` and ``--scale`` as ``[sample]`` values, the given ones only. A canvas
    size is the size of the file: unless ``--scale`` says otherwise, it is not enlarged again."""
    given: dict[str, Any] = {} if scale is None else {"scale": scale}
    if size is not None:
        width, height = size
        given.update(size=width, height=0 if height == width else height)
        given.setdefault("scale", 1)
    if tile:
        given["tile"] = True
    return given


def scale_settings(at: int | None, inject: str | None, enlarge: float | None) -> dict[str, Any]:
    """``--at``, ``--inject`` and ``--enlarge`` as ``[sample]`` values, the given ones only; an
    injected file's path made absolute, so the image's recipe finds it from anywhere."""
    given: dict[str, Any] = {k: v for k, v in (("at", at), ("enlarge", enlarge)) if v is not None}
    if inject is not None:
        path = Path(inject).expanduser()
        given["inject"] = str(path.resolve()) if path.exists() else inject
    return given


def edit_settings(edits: tuple[str, ...]) -> dict[str, Any]:
    """``--edit`` options as ``[sample] edit``, checked and in a canonical form."""
    if not edits:
        return {}
    from ganvas.training.directions import format_edits, parse_edits

    return {"edit": format_edits(parse_edits(",".join(edits)))}


def runs_dir(f: F) -> F:
    return click.option(
        "--runs-dir",
        type=click.Path(file_okay=False),
        default=None,
        help="Where run folders live [default: $GANVAS_RUNS_DIR or ./runs].",
    )(f)


def device(f: F) -> F:
    return click.option(
        "--device",
        type=click.Choice(("auto", "cpu", "cuda", "mps")),
        default=None,
        help="Device to use; auto prefers cuda, then mps, then cpu [default: the recipe's train.device].",
    )(f)


def ensemble(f: F) -> F:
    """``--ensemble 1|4|8`` (an int): repairs averaged over flips and transposes (EDSR's self-ensemble)."""
    return click.option(
        "--ensemble",
        type=click.Choice(["1", "4", "8"]),
        default="1",
        show_default=True,
        callback=lambda _ctx, _param, value: int(value),
        help="Average the network over 4 flips (or 8 flips and transposes) of each picture: a little more "
        "accurate, 4 or 8 times the work (EDSR's self-ensemble).",
    )(f)


def launch(f: F) -> F:
    """``--nproc``, ``--nnodes``, ``--rdzv-endpoint``, ``--rdzv-timeout``: training on several processes."""
    from ganvas.cli.launch import describe_options

    for option in reversed(describe_options()):
        f = option(f)
    return f


def quiet(f: F) -> F:
    return click.option("-q", "--quiet", is_flag=True, help="No progress output.")(f)


def overrides(f: F) -> F:
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY.PATH=VALUE",
        help="Override a recipe value, e.g. --set train.steps=500 (repeatable).",
    )(f)


def json_flag(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


#: How methods with scales (pyramid) draw: from which scale, from whose picture, how much larger.
SCALE_OPTIONS = (
    click.option(
        "--at",
        type=click.IntRange(min=0),
        default=None,
        metavar="N",
        help="Methods with scales (pyramid): start at scale N, the scales below from the training "
        "picture (or --inject); higher keeps more of its layout [default: 0, all from noise].",
    ),
    click.option(
        "--inject",
        default=None,
        metavar="PICTURE",
        help="Methods with scales: start from this picture at scale --at (paint-to-image, harmonisation).",
    ),
    click.option(
        "--enlarge",
        type=FiniteFloatRange(1, 16),
        default=None,
        metavar="F",
        help="Methods that enlarge (pyramid): super-resolve the training picture (or --inject's) F times.",
    ),
)


#: Moves along a generator's latent directions (SeFa), recorded as ``[sample] edit``.
EDIT_OPTION = click.option(
    "--edit",
    "edits",
    multiple=True,
    metavar="D=S",
    help="Move S along latent direction D (SeFa; `ganvas explore RUN` shows them), e.g. "
    "--edit 2=+1.5 --edit 5=-1 (repeatable; recorded in the image's recipe).",
)


def drawing(f: F) -> F:
    """How a trained run draws: checkpoint, EMA or raw weights, truncation, size and stylizers."""
    for option in reversed(
        (
            click.option(
                "--checkpoint",
                type=click.Path(dir_okay=False, exists=True),
                default=None,
                help="Use this checkpoint file [default: the recipe's sample.step, else the newest].",
            ),
            click.option(
                "--step",
                type=click.IntRange(min=1),
                default=None,
                help="Use the run's checkpoint of this training step.",
            ),
            click.option(
                "--ema/--no-ema",
                default=None,
                help="The EMA generator (smoother) or the raw one [default: sample.ema, true].",
            ),
            click.option(
                "--truncation",
                "psi",
                type=FiniteFloatRange(0, 2),
                default=None,
                metavar="PSI",
                help="Pull latents toward the mean: 1 plain, 0 the mean image, 0.7 safer [default: sample.truncation].",
            ),
            click.option(
                "--size",
                type=CanvasSize(),
                default=None,
                metavar="PX|WxH",
                help="Canvas size, e.g. 2048 or 1920x1080: rendered natively by architectures that render at "
                "any size (cppn, spatial), else upsampled; before the stylizers, so they paint at full size.",
            ),
            click.option(
                "--tile",
                is_flag=True,
                default=None,
                help="Paint a seamless tile: opposite edges match (architectures that tile, e.g. spatial).",
            ),
            *SCALE_OPTIONS,
            EDIT_OPTION,
            click.option(
                "-s",
                "--stylize",
                "stylize_specs",
                multiple=True,
                metavar="NAME[:KEY=VALUE,...]",
                help="Stylizer chain replacing the recipe's (repeatable, applied in order).",
            ),
            click.option("--no-stylize", is_flag=True, help="Draw without the recipe's stylizer chain."),
        )
    ):
        f = option(f)
    return f
