"""What each built-in stylizer is called, where it lives and which parameters it declares.

This module imports no torch: the plugin hook registers from it (so ``ganvas --help`` stays
fast) and the pure functions check their arguments against the same declarations, so the
command line, recipes and Python callers share one set of names, defaults and ranges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganvas.errors import ParamError, did_you_mean
from ganvas.plugin import Param

__all__ = ["StylizerSpec", "SPECS", "PRESET_NAMES", "REFERENCE_PARAM", "spec_of", "check_params"]

#: Built-in palettes for ``palette`` and ``pixel`` (colours in quantize.PRESETS).
PRESET_NAMES: tuple[str, ...] = ("", "pico8", "gameboy", "cga", "sepia", "grayscale")

#: The parameter that names a reference image file (palette, color-transfer, texture).
REFERENCE_PARAM = "reference"


@dataclass(frozen=True)
class StylizerSpec:
    """A built-in stylizer: registered name, lazy factory, one-line help and parameters."""

    name: str
    factory: str
    help: str
    params: tuple[Param, ...]
    aliases: tuple[str, ...] = ()


def _seed(what: str) -> Param:
    return Param("seed", int, 0, f"random seed for {what}", min=0)


def _dither() -> Param:
    return Param("dither", float, 0.0, "ordered (Bayer 8x8) dithering strength; 0 is off", min=0, max=1)


def _reference(what: str, required: bool = True) -> Param:
    return Param(
        REFERENCE_PARAM, Path, None if required else "", f"path of the image whose {what} to use", required=required
    )


_MODULE = "ganvas.plugins.stylizers"

SPECS: tuple[StylizerSpec, ...] = (
    StylizerSpec(
        "oil",
        f"{_MODULE}.oil:Oil",
        "oil painting: Kuwahara patches dragged along the contours, bristle relief thick where textured",
        (
            Param(
                "radius", int, 0, "brush radius in pixels; 0: auto, 4 px per 512 px of the shorter side", min=0, max=64
            ),
            Param(
                "variant",
                str,
                "multiscale",
                "classic: 4 quadrants (blocky); smooth: 9 soft-weighted windows; "
                "multiscale: a broad pass then a detail pass",
                choices=("classic", "smooth", "multiscale"),
            ),
            Param(
                "sharpness", float, 8.0, "how strongly the smooth variants prefer the flattest window", min=0.5, max=16
            ),
            Param("strokes", float, 1.0, "drag the paint along the contours, in strokes of 4 radii", min=0, max=3),
            Param(
                "relief", float, 1.0, "impasto: bristle marks lit from the top left, thick where textured", min=0, max=3
            ),
            _seed("the bristle marks"),
        ),
    ),
    StylizerSpec(
        "watercolor",
        f"{_MODULE}.watercolor:Watercolor",
        "watercolour: soft washes, darkened pigment edges, granulation and paper texture",
        (
            Param(
                "smoothing",
                float,
                0.0,
                "size of the washes in pixels (edge-preserving smoothing); 0: auto, 12 px per 512 px",
                min=0,
                max=400,
            ),
            Param("edges", float, 1.0, "pigment pooling (darker rims) at the wash borders", min=0, max=4),
            Param("granulation", float, 0.5, "pigment settling in the paper grain and in soft clouds", min=0, max=2),
            Param("paper", float, 0.5, "how much the paper's tooth shows", min=0, max=2),
            Param(
                "wobble",
                float,
                1.0,
                "the wash borders wander from the shapes by at most this many px per 512 px of the shorter side",
                min=0,
                max=10,
            ),
            Param("blooms", float, 0.5, "cauliflower backruns near wash borders: pale, dark-fringed", min=0, max=2),
            _seed("paper, granulation, blooms and wobble"),
        ),
        aliases=("watercolour",),
    ),
    StylizerSpec(
        "ink",
        f"{_MODULE}.ink:Ink",
        "ink drawing: XDoG lines, solid black shadows, hatched mid-tones, optional colour wash",
        (
            Param(
                "sigma", float, 0.0, "line scale in pixels (larger: bolder); 0: auto, 1 px per 512 px", min=0, max=20
            ),
            Param("detail", float, 0.5, "how many faint edges become lines", min=0, max=1),
            Param("hatching", int, 2, "hatch layers for the mid-tones (0: lines and solid shadows only)", min=0, max=4),
            Param("spacing", float, 0.0, "hatch line spacing in pixels; 0: auto, 5 px per 512 px", min=0, max=128),
            Param("color", float, 0.0, "colour wash under the ink (0: black on white)", min=0, max=1),
            _seed("the hatch lines' wobble"),
        ),
    ),
    StylizerSpec(
        "posterize",
        f"{_MODULE}.quantize:Posterize",
        "reduce to N colours chosen by k-means in Lab",
        (Param("colors", int, 8, "number of colours", min=2, max=64), _dither(), _seed("k-means")),
    ),
    StylizerSpec(
        "palette",
        f"{_MODULE}.quantize:Palette",
        "map colours to a palette taken from a reference image (k-means in Lab) or a preset",
        (
            _reference("colours", required=False),
            Param("preset", str, "", "a built-in palette instead of a reference", choices=PRESET_NAMES),
            Param("colors", int, 8, "colours taken from the reference", min=2, max=64),
            _dither(),
            _seed("k-means"),
        ),
    ),
    StylizerSpec(
        "pixel",
        f"{_MODULE}.quantize:Pixel",
        "pixel art: downscale, reduce the palette, crisp nearest-neighbour upscale",
        (
            Param(
                "block",
                int,
                0,
                "size of one art pixel in image pixels; 0: auto, 1/80 of the shorter side",
                min=0,
                max=256,
            ),
            Param("colors", int, 16, "palette size (k-means in Lab)", min=2, max=64),
            Param("preset", str, "", "a built-in palette instead of k-means", choices=PRESET_NAMES),
            _dither(),
            _seed("k-means"),
        ),
        aliases=("pixelart",),
    ),
    StylizerSpec(
        "halftone",
        f"{_MODULE}.halftone:Halftone",
        "print halftone: CMYK dot screens at the classic angles (C 15, M 75, Y 0, K 45 degrees)",
        (
            Param("cell", float, 0.0, "dot spacing in pixels; 0: auto, 1/140 of the shorter side", min=0, max=128),
            Param("angle", float, 0.0, "extra rotation of all screens in degrees", min=-90, max=90),
            Param("mono", bool, False, "one black screen only"),
        ),
    ),
    StylizerSpec(
        "color-transfer",
        f"{_MODULE}.color_transfer:ColorTransfer",
        "match a reference image's colour statistics in Lab (Reinhard et al. 2001)",
        (_reference("colour mood"), Param("strength", float, 1.0, "0 keeps the input, 1 matches fully", min=0, max=1)),
        aliases=("colour-transfer",),
    ),
    StylizerSpec(
        "upscale",
        f"{_MODULE}.upscale:Upscale",
        "a resampler: bicubic 2x or 4x with steeper edges (a halo-free shock filter); it adds no detail. "
        "For learned super-resolution train the superres recipe and chain model:run=RUN",
        (
            Param("factor", int, 2, "enlargement", choices=(2, 4)),
            Param("sharpness", float, 1.0, "edge sharpening; 0 is plain bicubic", min=0, max=2),
        ),
    ),
    StylizerSpec(
        "vignette",
        f"{_MODULE}.finishing:Vignette",
        "darken the corners",
        (
            Param("strength", float, 0.5, "darkening at the corners", min=0, max=1),
            Param("radius", float, 0.6, "where darkening starts (0 centre, 1 corner)", min=0, max=1.5),
            Param("softness", float, 0.6, "width of the fall-off", min=0.05, max=2),
        ),
    ),
    StylizerSpec(
        "grain",
        f"{_MODULE}.finishing:Grain",
        "film grain, strongest in the mid-tones",
        (
            Param("amount", float, 0.08, "grain strength", min=0, max=1),
            Param(
                "size", float, 0.0, "grain size in pixels; 0: auto, 1 px per 512 px of the shorter side", min=0, max=32
            ),
            Param("color", bool, False, "coloured grain instead of monochrome"),
            _seed("the grain"),
        ),
    ),
    StylizerSpec(
        "sharpen",
        f"{_MODULE}.finishing:Sharpen",
        "unsharp mask",
        (
            Param("amount", float, 1.0, "how much detail is added back", min=0, max=5),
            Param("radius", float, 1.0, "blur radius (Gaussian sigma) in pixels", min=0.3, max=20),
            Param("threshold", float, 0.0, "leave differences below this alone (noise)", min=0, max=1),
        ),
    ),
    StylizerSpec(
        "texture",
        f"{_MODULE}.texture:Texture",
        "texture/style transfer from a reference image (Gram matrices of a random-weight CNN)",
        (
            _reference("texture"),
            Param("steps", int, 40, "L-BFGS steps at the coarsest level (finer levels: half each)", min=0, max=100_000),
            Param("strength", float, 0.5, "from the input (0) to the reference's texture (1)", min=0, max=1),
            Param(
                "size",
                int,
                0,
                "working resolution, longer side (0: the picture's own, up to 1024; coarse to fine from ~128)",
                min=0,
                max=4096,
            ),
            _seed("the network weights and start noise"),
        ),
    ),
    StylizerSpec(
        "edge-preserving",
        f"{_MODULE}.smoothing:EdgePreserving",
        "edge-preserving smoothing (domain transform, Gastal & Oliveira 2011): flat regions, crisp edges",
        (
            Param("sigma_s", float, 20.0, "spatial extent of the smoothing in pixels", min=1, max=500),
            Param(
                "sigma_r", float, 0.4, "colour difference that counts as an edge (sum over channels)", min=0.01, max=3
            ),
            Param("iterations", int, 3, "alternating horizontal/vertical passes", min=1, max=10),
        ),
        aliases=("smooth",),
    ),
)


def _model_run() -> Param:
    from ganvas.io import newest_checkpoint

    return Param(
        "run",
        Path,
        None,
        "a pix2pix or cycle run: its folder (the newest checkpoint) or a checkpoint file",
        required=True,
        locate=newest_checkpoint,
        pinned=True,
    )


SPECS += (
    StylizerSpec(
        "model",
        f"{_MODULE}.model:Model",
        "a trained repair or restyle run (pix2pix, cycle) as a stylizer: a learned denoiser, super-resolution or style",
        (
            _model_run(),
            Param("reverse", bool, False, "cycle runs: translate the other way", choices=None),
            Param("strength", float, 1.0, "blend of the model's picture over the input (0: the input)", min=0, max=1),
            Param("tile", int, 512, "largest piece run at once (overlapping tiles beyond)", min=64, max=8192),
            Param("ensemble", int, 1, "average over 4 flips or 8 flips and transposes (more work)", choices=(1, 4, 8)),
        ),
        aliases=("learned",),
    ),
)

_BY_NAME: dict[str, StylizerSpec] = {spec.name: spec for spec in SPECS}


def spec_of(name: str) -> StylizerSpec:
    """The built-in stylizer ``name``."""
    return _BY_NAME[name]


def check_params(stylizer: str, values: Mapping[str, Any]) -> None:
    """Check keyword arguments of a pure function against ``stylizer``'s declared parameters.

    Raises ParamError naming the stylizer, the parameter, what is valid and what was given.
    """
    declared = {p.name: p for p in spec_of(stylizer).params}
    for key, value in values.items():
        param = declared.get(key)
        if param is None:
            raise ParamError(f"{stylizer}: unknown parameter '{key}'; {did_you_mean(key, declared)}")
        try:
            param.check(value)
        except ParamError as exc:
            raise ParamError(f"{stylizer}: {key}: {exc}") from None
