"""``image:PATH`` or ``image:NAME``: one picture, for methods that learn from a single image.

``PATH`` is a png, jpg, webp or bmp file of any aspect ratio, grayscale or colour; transparency
is composited on white (with a note). It is shrunk so its longer side is ``size`` px (a smaller
picture keeps its own size, with a note: enlarging would only blur it). A large JPEG is decoded
at a reduced scale (Pillow's draft mode), so a 20,000-px photo never sits in memory at full size;
other formats are decoded whole, up to :data:`MAX_DECODE_PIXELS`.

``NAME`` is a picture ganvas paints itself, no download: ``landscape`` (a photo-like 3:2
landscape) or one of the textures of ``texture:`` (``cobbles``, ``marble``, ``scales``, ``weave``);
or one it ships (:data:`SHIPPED`, public domain, sources in ``pictures/SOURCES.md``): ``hubble``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ganvas.data import ImageSet
from ganvas.errors import UserInputError
from ganvas.io import IMAGE_SUFFIXES, UNREADABLE_IMAGE_ERRORS, pil_to_tensor
from ganvas.plugins.datasets.procedural.textures import TEXTURES, draw
from ganvas.plugins.datasets.texture import unknown_picture
from ganvas.plugins.stylizers.pictures import landscape

__all__ = ["BUILTIN", "SHIPPED", "NAMES", "MAX_DECODE_PIXELS", "load", "item_shape", "read_picture", "picture_channels"]

log = logging.getLogger("ganvas")

#: The pictures ganvas paints itself, with their height / width.
BUILTIN: dict[str, float] = {"landscape": 2 / 3, **{name: 1.0 for name in TEXTURES}}
#: The pictures ganvas ships, by name: files in ``pictures/`` (public domain, at most 256 px).
SHIPPED: dict[str, Path] = {"hubble": Path(__file__).with_name("pictures") / "hubble.jpg"}
#: Every name ``image:NAME`` takes.
NAMES: tuple[str, ...] = (*BUILTIN, *SHIPPED)
#: The most pixels a non-JPEG file is decoded at (about 800 MB as RGB); JPEGs decode smaller.
MAX_DECODE_PIXELS = 2**28


def _fit(width: int, height: int, size: int) -> tuple[int, int]:
    """``(width, height)`` shrunk so the longer side is ``size`` (never enlarged)."""
    scale = min(1.0, size / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _open_header(path: Path, argument: str) -> Image.Image:
    """The file opened lazily (its header read, no pixels), however many pixels it claims."""
    if not path.is_file():
        if path.is_dir():
            raise UserInputError(
                f"image '{argument}' is a folder; image:PATH takes one picture (a folder: folder:PATH)"
            )
        raise unknown_picture("image", argument, list(NAMES))
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # decoding is bounded below: a draft, or MAX_DECODE_PIXELS
    try:
        return Image.open(path)
    except UNREADABLE_IMAGE_ERRORS:
        raise UserInputError(
            f"image '{argument}' is not a picture Pillow can read ({', '.join(IMAGE_SUFFIXES)}); is it empty or damaged?"
        ) from None
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def read_picture(argument: str, size: int, channels: int, *, note_small: bool = True) -> Image.Image:
    """The file ``argument`` names, decoded at most about ``size`` px on its longer side where the
    format allows, then shrunk to exactly that (RGB, or L with ``channels = 1``); ``note_small``:
    say so when the picture is smaller."""
    path = Path(argument).expanduser()
    with _open_header(path, argument) as image:
        width, height = image.size
        target = _fit(width, height, size)
        if image.format == "JPEG":
            image.draft("RGB" if channels == 3 else "L", target)  # decode at 1/2, 1/4 or 1/8 scale
        decoded = image.size[0] * image.size[1]
        if decoded > MAX_DECODE_PIXELS:
            raise UserInputError(
                f"image '{argument}' is {width}x{height} px ({decoded / 1e6:.0f} MP), more than ganvas decodes "
                f"({MAX_DECODE_PIXELS / 1e6:.0f} MP) for {image.format or 'this format'}; save it smaller, or as JPEG"
            )
        try:
            image.load()
        except UNREADABLE_IMAGE_ERRORS:
            raise UserInputError(f"image '{argument}' is damaged: its pixels could not be read") from None
        picture = _flatten(image, argument).convert("RGB" if channels == 3 else "L")
    if max(width, height) < size and note_small:
        log.warning(
            "image '%s' is %dx%d px, smaller than data.size = %d: used at its own size", argument, width, height, size
        )
    if picture.size != target:
        picture = picture.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return picture


def _flatten(image: Image.Image, argument: str) -> Image.Image:
    """``image`` without transparency: composited on white, with a note."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        log.warning("image '%s' has transparency: composited on white", argument)
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return image


def _painted(name: str, size: int, channels: int, seed: int) -> torch.Tensor:
    """A built-in picture, uint8 ``(C, H, W)`` with its longer side ``size``."""
    width, height = size, max(1, round(size * BUILTIN[name]))
    if name == "landscape":
        picture = landscape(height, width, seed=seed).mul(255).round().to(torch.uint8)[0]
    else:
        picture = torch.from_numpy(draw(name, size, np.random.default_rng(seed))).permute(2, 0, 1).contiguous()
    if channels == 1:  # ITU-R 601 luma, as Pillow converts a file
        luma = (picture.float() * torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)).sum(0, keepdim=True)
        picture = luma.round().clamp(0, 255).to(torch.uint8)
    return picture


def load(argument: str, *, size: int, channels: int, seed: int, note_small: bool = True) -> ImageSet:
    """One picture as a one-item ImageSet ``(1, C, H, W)``."""
    name = argument.strip() or "landscape"
    if name in BUILTIN:
        return ImageSet(_painted(name, size, channels, seed)[None], name=f"image:{name}")
    if name in SHIPPED:
        picture = pil_to_tensor(read_picture(str(SHIPPED[name]), size, channels, note_small=note_small))
        return ImageSet(picture[None], name=f"image:{name}")
    picture = pil_to_tensor(read_picture(name, size, channels, note_small=note_small))
    return ImageSet(picture[None], name=f"image:{Path(name).name}")


def item_shape(argument: str, params: dict) -> tuple[int, ...] | None:
    """The picture's shape ``(C, H, W)`` from its header alone (None when the file is unreadable:
    loading then says why)."""
    name, size, channels = argument.strip() or "landscape", params["size"], params["channels"]
    if name in BUILTIN:
        return (channels, max(1, round(size * BUILTIN[name])), size)
    try:
        with _open_header(SHIPPED.get(name) or Path(name).expanduser(), name) as image:
            width, height = _fit(image.size[0], image.size[1], size)
    except UserInputError:
        return None
    return (channels, height, width)


#: Pillow modes of one channel (the rest are colour, or colour once transparency is flattened).
GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "F"})


def picture_channels(argument: str) -> int | None:
    """1 (greyscale) or 3 (colour): what the file ``argument`` names holds, from its header; None
    for a built-in or shipped picture's name (drawn in either) or an unreadable file (reading it says why)."""
    name = argument.strip() or "landscape"
    if name in NAMES:
        return None
    try:
        with _open_header(Path(name).expanduser(), name) as image:
            return 1 if image.mode in GREY_MODES else 3
    except UserInputError:
        return None
