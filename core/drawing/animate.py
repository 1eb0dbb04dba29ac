"""Animations from a trained run: latent walks that loop, training time-lapses, and their files.

A *walk* glides through keyframe seeds along great circles of the latent space (slerp) and back
to the first, so the GIF loops without a jump. A *time-lapse* shows the run's training sample
grids (``samples/step-*.png``) in step order.

Files: ``STEM.gif`` (256 colours, one palette shared by all frames so the loop does not
flicker), ``STEM.png`` (an animated PNG: lossless, carries the metadata as PNG text chunks;
browsers animate APNGs named ``.png``, and image tools that do not know APNG still show its
first frame) and ``STEM.mp4`` (H.264, only when an ``ffmpeg`` executable is on PATH). All loop
forever. Pillow merges identical consecutive frames into one longer frame (timing is kept).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image, PngImagePlugin
from torch import Tensor

from ganvas.errors import GanvasError, UserInputError
from ganvas.io.files import atomic_write
from ganvas.io.formats import ANIMATION_SUFFIXES
from ganvas.io.images import RESAMPLE_FILTERS, open_image, pil_to_tensor

if TYPE_CHECKING:
    from ganvas.drawing.sampler import LoadedRun
    from ganvas.plugin.manager import PluginHost
    from ganvas.recipe import ComponentRef, SampleConfig

__all__ = [
    "slerp",
    "walk_latents",
    "latent_walk",
    "timelapse_frames",
    "save_animation",
    "FORMATS",
    "SUFFIXES",
    "MAX_FRAMES",
]

log = logging.getLogger("ganvas.drawing.animate")

FORMATS = tuple(ANIMATION_SUFFIXES)
"""Animation formats ``save_animation`` writes."""

SUFFIXES = ANIMATION_SUFFIXES
"""The file suffix of each format (an animated PNG is a ``.png``)."""

MAX_FRAMES = 5000
_CHUNK = 16  # frames rendered at once by latent_walk
_STEP_RE = re.compile(r"^step-(\d+)\.png$")


# -- latents ---------------------------------------------------------------------------------------


def slerp(a: Tensor, b: Tensor, t: Tensor | float) -> Tensor:
    """Spherical interpolation from ``a`` to ``b`` (rows ``(..., z)``) at ``t`` in [0, 1].

    The path follows the great circle between the two directions, so two latents of equal norm
    keep that norm all the way (a straight line would cut through the low-norm middle that a
    Gaussian prior almost never samples). ``t`` is a number or a tensor broadcast against the
    rows' leading dimensions (``a`` of shape ``(z,)`` with ``t`` of shape ``(N,)`` gives
    ``(N, z)``). Nearly parallel or opposite rows fall back to a straight line (lerp).
    ``t = 0`` gives ``a`` and ``t = 1`` gives ``b`` exactly.
    """
    t = torch.as_tensor(t, dtype=torch.float64, device=a.device)[..., None]
    a64, b64 = a.double(), b.double()
    cos = (a64 * b64).sum(-1, keepdim=True) / (a64.norm(dim=-1, keepdim=True) * b64.norm(dim=-1, keepdim=True))
    omega = torch.acos(cos.nan_to_num(1.0).clamp(-1, 1))
    sin = torch.sin(omega)
    parallel = sin < 1e-6
    safe = torch.where(parallel, torch.ones_like(sin), sin)
    curved = (torch.sin((1 - t) * omega) / safe) * a64 + (torch.sin(t * omega) / safe) * b64
    straight = (1 - t) * a64 + t * b64
    out = torch.where(parallel, straight, curved)
    out = torch.where(t == 0, a64, torch.where(t == 1, b64, out))
    return out.to(torch.promote_types(a.dtype, b.dtype))


def walk_latents(keyframes: Tensor, frames: int) -> Tensor:
    """A loop through the ``(K, z)`` keyframes and back to the first: ``(frames, z)`` latents.

    Segment ``k`` runs from keyframe ``k`` to keyframe ``k + 1`` (the last back to keyframe 0)
    and gets ``frames // K`` or one more frames, evenly spaced (slerp); keyframe ``k`` is exactly
    frame ``k * frames // K``. The last frame stops one step short of keyframe 0, so played in
    a loop the animation has no repeated frame and no jump.
    """
    if keyframes.ndim != 2:
        raise UserInputError(f"keyframes must be a (K, z) tensor, got shape {tuple(keyframes.shape)}")
    k = keyframes.shape[0]
    if k < 2:
        raise UserInputError(f"a latent walk needs at least 2 keyframe seeds, got {k}")
    if frames < k:
        raise UserInputError(f"{frames} frames cannot visit {k} keyframes; give at least {k} frames")
    if frames > MAX_FRAMES:
        raise UserInputError(f"{frames} frames: at most {MAX_FRAMES}")
    parts = []
    for i in range(k):
        n = (i + 1) * frames // k - i * frames // k
        t = torch.arange(n, dtype=torch.float64) / n
        parts.append(slerp(keyframes[i], keyframes[(i + 1) % k], t))
    return torch.cat(parts).to(keyframes.dtype)


@torch.no_grad()
def latent_walk(
    run: LoadedRun,
    host: PluginHost,
    seeds: list[int],
    frames: int,
    *,
    chain: list[ComponentRef] | None = None,
    size: int | None = None,
    truncation: float | None = None,
    settings: SampleConfig | None = None,
    labels: list[int] | None = None,
) -> Tensor:
    """The run's images along a looping walk through ``seeds``: uint8 ``(frames, C, H, W)``.

    Frame ``k * frames // len(seeds)`` is exactly the image ``ganvas sample --seeds SEED`` draws
    for keyframe ``k`` (same chain, canvas, tiling, truncation and edits: ``settings``, default
    the recipe's ``[sample]``; ``size`` and ``truncation`` override theirs). A conditional run's
    keyframe ``k`` draws class ``labels[k]``: the walk morphs from class to class.
    """
    from ganvas.drawing.control import Plan, latents_of

    if not run.kind.pictures:
        raise UserInputError(
            f"run '{run.run_dir}' learns {run.kind.kind}; animations need an image run "
            "(ganvas animate --timelapse shows its training plots)"
        )
    cfg = run.recipe.sample if settings is None else settings
    z = walk_latents(latents_of(run, cfg, Plan(list(seeds), labels, 0)).cpu(), frames)
    from ganvas.drawing.sampler import render_latents
    from ganvas.drawing.stylize import build_chain

    stylizers = build_chain(run.recipe.stylize if chain is None else chain, host)  # once for all frames

    def draw(rows: Tensor) -> Tensor:
        return render_latents(run, rows, host, chain=stylizers, size=size, truncation=truncation, settings=settings)

    out = torch.cat([draw(z[i : i + _CHUNK]) for i in range(0, len(z), _CHUNK)])
    # float results can depend on the batch: draw the keyframes alone, as `ganvas sample` does
    for k in range(len(seeds)):
        i = k * frames // len(seeds)
        out[i] = draw(z[i : i + 1])[0]
    return out


# -- time-lapse ------------------------------------------------------------------------------------


def sample_grids(run_dir: Path) -> list[Path]:
    """The run's training sample grids, ``samples/step-NNNNNNN.png``, in step order."""
    folder = Path(run_dir) / "samples"
    found = (
        [(int(m.group(1)), p) for p in folder.glob("step-*.png") if (m := _STEP_RE.match(p.name))]
        if folder.is_dir()
        else []
    )
    return [p for _, p in sorted(found)]


def timelapse_frames(run_dir: Path) -> tuple[list[Path], Tensor]:
    """The run's training sample grids in step order, and the uint8 ``(N, C, H, W)`` frames.

    Grayscale runs give ``C = 1``. A grid whose size differs from the newest one (its
    ``[sample]`` scale changed on resume) is resized to match."""
    paths = sample_grids(run_dir)
    if not paths:
        raise UserInputError(f"run '{run_dir}' has no sample grids in samples/; train with train.sample_every > 0")
    modes = set()
    for path in paths:
        with Image.open(path) as img:
            modes.add(img.mode)
    channels = 1 if modes <= {"L", "1", "I", "I;16"} else 3
    images = [open_image(p, channels) for p in paths]
    size = images[-1].size
    images = [img if img.size == size else img.resize(size, Image.Resampling.LANCZOS) for img in images]
    return paths, torch.stack([pil_to_tensor(img) for img in images])


# -- files -----------------------------------------------------------------------------------------


def _to_pil(frames: Tensor, resample: str) -> list[Image.Image]:
    if frames.ndim != 4 or frames.shape[1] not in (1, 3) or frames.dtype != torch.uint8 or not len(frames):
        raise ValueError(f"expected uint8 frames (N, 1 or 3, H, W), got {frames.dtype} {tuple(frames.shape)}")
    if resample not in RESAMPLE_FILTERS:
        raise UserInputError(f"resample '{resample}': expected one of {', '.join(RESAMPLE_FILTERS)}")
    array = frames.detach().cpu().permute(0, 2, 3, 1).numpy()
    return [Image.fromarray(a[:, :, 0] if a.shape[2] == 1 else a) for a in array]


def _enlarge(images: list[Image.Image], scale: int, resample: str) -> list[Image.Image]:
    if scale == 1:
        return images
    return [img.resize((img.width * scale, img.height * scale), RESAMPLE_FILTERS[resample]) for img in images]


def shared_palette(images: Sequence[Image.Image], budget: int = 1 << 18) -> Image.Image:
    """One 256-colour palette for all RGB ``images``, so every frame of a GIF uses the same
    colours and the loop does not flicker: median cut (refined by k-means) over up to ``budget``
    pixels drawn evenly at random from all the frames."""
    pixels = np.stack([np.asarray(img.convert("RGB")) for img in images]).reshape(-1, 3)
    if len(pixels) > budget:
        pick = np.random.default_rng(0).choice(len(pixels), size=budget, replace=False)
        pixels = pixels[np.sort(pick)]
    width = min(len(pixels), 1024)
    strip = pixels[: len(pixels) // width * width].reshape(-1, width, 3)
    return Image.fromarray(np.ascontiguousarray(strip)).quantize(
        256, method=Image.Quantize.MEDIANCUT, kmeans=2, dither=Image.Dither.NONE
    )


def _write_gif(images: list[Image.Image], path: Path, durations: list[float], scale: int, resample: str) -> Path:
    """``images`` unscaled: crisp (nearest) enlargement happens after quantizing, so each dithered
    pixel becomes a solid block; smooth enlargement before, so the palette covers its new colours."""
    crisp = resample == "nearest"
    if not crisp:
        images = _enlarge(images, scale, resample)
    if images[0].mode == "L":
        frames = images  # Pillow writes a grey palette: exact
    else:
        palette = shared_palette(images)
        frames = [img.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG) for img in images]
    if crisp:
        frames = _enlarge(frames, scale, resample)
    # GIF delays are centiseconds: round to the nearest instead of Pillow's truncation
    gif_ms = [max(20, 10 * round(d / 10)) for d in durations]
    return atomic_write(
        path,
        lambda tmp: frames[0].save(
            tmp, format="GIF", save_all=True, append_images=frames[1:], duration=gif_ms, loop=0, disposal=1
        ),
    )


def _write_apng(
    images: list[Image.Image], path: Path, durations: list[float], metadata: Mapping[str, str] | None
) -> Path:
    info = PngImagePlugin.PngInfo()
    for key, value in (metadata or {}).items():
        info.add_itxt(key, value)
    return atomic_write(
        path,
        lambda tmp: images[0].save(
            tmp,
            format="PNG",
            save_all=True,
            append_images=images[1:],
            duration=durations,
            loop=0,
            pnginfo=info,
            default_image=False,
        ),
    )


def _write_mp4(images: list[Image.Image], path: Path, fps: int, hold_frames: int, ffmpeg: str) -> Path:
    w, h = images[0].size
    pad_w, pad_h = w % 2, h % 2  # yuv420p needs even sides: repeat the last column/row
    cmd = [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{w + pad_w}x{h + pad_h}",
        "-framerate",
        str(fps),
        "-i",
        "-",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-crf",
        "18",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
    ]

    def write(tmp: Path) -> None:
        proc = subprocess.Popen(
            [*cmd, str(tmp)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            assert proc.stdin is not None
            for i, img in enumerate(images):
                a = np.asarray(img.convert("RGB"))
                if pad_w or pad_h:
                    a = np.pad(a, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
                data = np.ascontiguousarray(a).tobytes()
                for _ in range(1 + (hold_frames if i == len(images) - 1 else 0)):
                    proc.stdin.write(data)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.wait() != 0:
            tail = err.strip().splitlines()[-1:] or ["no message"]
            raise GanvasError(f"ffmpeg failed writing {path.name} (exit {proc.returncode}): {tail[0]}")

    return atomic_write(path, write)


def save_animation(
    frames: Tensor,
    stem: Path,
    fps: int,
    formats: Sequence[str] = ("gif", "apng"),
    metadata: dict[str, str] | None = None,
    scale: int = 1,
    resample: str = "nearest",
    *,
    hold_last_ms: int = 0,
    overwrite: bool = False,
) -> list[Path]:
    """Write uint8 ``(N, C, H, W)`` frames (C = 1 or 3) as looping animations; the paths written.

    ``formats``: ``gif`` -> ``STEM.gif`` (one shared 256-colour palette, Floyd-Steinberg),
    ``apng`` -> ``STEM.png`` (lossless animated PNG with ``metadata`` as text chunks), ``mp4`` ->
    ``STEM.mp4`` (H.264 yuv420p, odd sides padded) when ``ffmpeg`` is on PATH, else skipped with
    a logged warning. Each frame shows ``1000 / fps`` ms (GIF rounds to 10 ms), the last one
    ``hold_last_ms`` longer; all loop forever. ``scale`` enlarges with ``resample`` (nearest,
    bicubic, lanczos; the GIF is dithered before a nearest enlargement, so pixels stay crisp
    blocks). Files are written atomically; an existing file is an error unless
    ``overwrite``.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UserInputError(f"unknown animation format '{unknown[0]}'; valid: {', '.join(FORMATS)}")
    if not 1 <= fps <= 100:
        raise UserInputError(f"fps {fps}: expected 1 to 100")
    if not 1 <= scale <= 16:
        raise UserInputError(f"scale {scale}: expected 1 to 16")
    stem = Path(stem)
    wanted = list(dict.fromkeys(formats))
    targets = {f: stem.with_name(stem.name + SUFFIXES[f]) for f in wanted}
    if not overwrite:
        for target in targets.values():
            if target.exists():
                raise UserInputError(f"'{target}' already exists; choose another name (or pass --force)")
    images = _to_pil(frames, resample)
    frame_ms = 1000 / fps
    durations = [frame_ms] * len(images)
    durations[-1] += max(0, hold_last_ms)
    big = _enlarge(images, scale, resample) if set(targets) - {"gif"} else images
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, target in targets.items():
        if fmt == "gif":
            written.append(_write_gif(images, target, durations, scale, resample))
        elif fmt == "apng":
            written.append(_write_apng(big, target, durations, metadata))
        else:
            ffmpeg = shutil.which("ffmpeg")
            if ffmpeg is None:
                log.warning("mp4 skipped: no ffmpeg on PATH (install ffmpeg to get %s)", target.name)
                continue
            written.append(_write_mp4(big, target, fps, round(max(0, hold_last_ms) * fps / 1000), ffmpeg))
    return written
