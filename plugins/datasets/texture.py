"""``texture:NAME`` or ``texture:PATH``: random square crops of one large texture picture.

For fully-convolutional "spatial" texture GANs (Jetchev et al., Periodic Spatial GAN), which learn
one stationary texture from crops of it and then paint it at any size. The picture is a built-in
texture ganvas draws itself (:mod:`ganvas.plugins.datasets.procedural.textures`) or a user's
image file. Crops sit at uniformly random positions, deterministic by seed; they are never
flipped, since a texture may have a direction (light, grain, rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ganvas.data import ImageSet
from ganvas.errors import UnknownNameError, UserInputError
from ganvas.io import IMAGE_SUFFIXES, UNREADABLE_IMAGE_ERRORS, open_image, pil_to_tensor
from ganvas.plugins.datasets.procedural.textures import TEXTURES, draw

__all__ = ["NAMES", "DEFAULT_CANVAS", "load", "picture", "random_crops", "unknown_picture"]

#: The built-in textures; the first is the default.
NAMES = tuple(TEXTURES)
#: The side a built-in texture is drawn at when ``canvas = 0`` (which keeps a file as it is).
DEFAULT_CANVAS = 256
#: Crops gathered per step: bounds the temporary copy while filling the dataset.
_CHUNK = 1024


def unknown_picture(kind: str, name: str, names: Sequence[str]) -> UnknownNameError:
    """The one-line error for a ``kind`` (texture, image) ``name`` that is neither a built-in
    picture in ``names`` nor an existing file."""
    error = UnknownNameError(kind, name, list(names))
    error.args = (f"{error.args[0]}; or give the path of an existing image file ({', '.join(IMAGE_SUFFIXES)})",)
    return error


def _read(argument: str, path: Path, channels: int, canvas: int) -> Image.Image:
    """A user's picture, its short side resized to ``canvas`` (0: as it is)."""
    try:
        image = open_image(path, channels)
    except UNREADABLE_IMAGE_ERRORS:
        raise UserInputError(
            f"texture file '{argument}' could not be read as an image ({', '.join(IMAGE_SUFFIXES)})"
        ) from None
    if canvas:
        w, h = image.size
        scale = canvas / min(w, h)
        size = (max(canvas, round(w * scale)), max(canvas, round(h * scale)))
        if size != image.size:
            image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def picture(argument: str, *, channels: int, canvas: int, rng: np.random.Generator) -> Image.Image:
    """The texture picture ``argument`` names: a built-in texture, drawn at ``canvas``, or an image file."""
    name = argument or NAMES[0]
    if name in TEXTURES:
        image = Image.fromarray(draw(name, canvas or DEFAULT_CANVAS, rng))
        return image.convert("L") if channels == 1 else image  # ITU-R 601 luma, as for a file
    path = Path(name).expanduser()
    if path.is_dir():
        raise UserInputError(
            f"texture '{argument}' is a folder; texture:PATH takes one image file (for a folder of images: folder:PATH)"
        )
    if not path.is_file():
        raise unknown_picture("texture", name, NAMES)
    return _read(argument, path, channels, canvas)


def random_crops(image: torch.Tensor, size: int, count: int, rng: np.random.Generator) -> torch.Tensor:
    """``count`` crops ``(count, C, size, size)`` of a uint8 ``(C, H, W)`` picture at uniformly random places."""
    channels, height, width = image.shape
    tops = rng.integers(0, height - size + 1, count)
    lefts = rng.integers(0, width - size + 1, count)
    windows = np.lib.stride_tricks.sliding_window_view(image.numpy(), (size, size), axis=(1, 2))
    crops = torch.empty((count, channels, size, size), dtype=torch.uint8)
    for start in range(0, count, _CHUNK):
        part = windows[:, tops[start : start + _CHUNK], lefts[start : start + _CHUNK]]  # (C, n, size, size)
        crops[start : start + part.shape[1]] = torch.from_numpy(part.transpose(1, 0, 2, 3).copy())
    return crops


def load(argument: str, *, size: int, channels: int, count: int, canvas: int, seed: int) -> ImageSet:
    name = argument or NAMES[0]
    if canvas and canvas < size:
        raise UserInputError(
            f"dataset 'texture': canvas = {canvas} is smaller than size = {size}; "
            f"crops must fit in the picture: make canvas at least {size}"
        )
    drawing, cropping = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    image = picture(name, channels=channels, canvas=canvas, rng=drawing)
    if min(image.size) < size:  # only with canvas = 0: a file as it is, a built-in at DEFAULT_CANVAS
        w, h = image.size
        what = f"draws '{name}' at" if name in TEXTURES else f"keeps texture file '{name}' as it is,"
        raise UserInputError(
            f"dataset 'texture': canvas = 0 {what} {w}x{h} px, smaller than size = {size}; "
            f"give a smaller size or canvas = {size} or more (the side the picture is resized to)"
        )
    crops = random_crops(pil_to_tensor(image), size, count, cropping)
    return ImageSet(crops, name=f"texture:{name}")
