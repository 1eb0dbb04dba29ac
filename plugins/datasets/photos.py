"""``photos:NAMES``: random crops of scikit-image's bundled public-domain photos (the ``photos``
extra), for repair training and benchmarks without a download.

The photos ship inside scikit-image itself (``skimage/data``; their licences are in its
``README.txt``: public domain or CC0, as NASA's and the authors' releases say). ``NAMES`` is a
comma-separated list, or ``train`` (the benchmark's training photos) or ``test`` (its held-out
ones: the astronaut and the cat) or ``all``.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from ganvas.data import ImageSet
from ganvas.errors import UnknownNameError, UserInputError
from ganvas.plugins.datasets.texture import random_crops

__all__ = ["PHOTOS", "GROUPS", "load", "photo", "names_of"]

#: Name -> file in skimage/data (colour photos only).
PHOTOS = {
    "astronaut": "astronaut.png",
    "chelsea": "chelsea.png",
    "coffee": "coffee.png",
    "rocket": "rocket.jpg",
    "hubble": "hubble_deep_field.jpg",
    "ihc": "ihc.png",
    "motorcycle": "motorcycle_left.png",
    "retina": "retina.jpg",
}
GROUPS = {
    "train": ("coffee", "rocket", "hubble", "ihc", "motorcycle", "retina"),
    "test": ("astronaut", "chelsea"),
    "all": tuple(PHOTOS),
}


def names_of(argument: str) -> tuple[str, ...]:
    """The photo names ``argument`` stands for (``train`` by default)."""
    names: list[str] = []
    for part in (argument or "train").split(","):
        part = part.strip()
        if part in GROUPS:
            names += GROUPS[part]
        elif part in PHOTOS:
            names.append(part)
        else:
            raise UnknownNameError("photo", part, [*PHOTOS, *GROUPS])
    return tuple(dict.fromkeys(names))


def photo(name: str, channels: int = 3, canvas: int = 0) -> Image.Image:
    """One bundled photo as a PIL image, its short side resized to ``canvas`` (0: as it is)."""
    try:
        import skimage
    except ImportError:
        raise UserInputError(
            "data 'photos:' reads scikit-image's bundled photos; install them with: pip install 'ganvas[photos]'"
        ) from None
    from pathlib import Path

    path = Path(skimage.__file__).parent / "data" / PHOTOS[name]
    if not path.is_file():
        raise UserInputError(f"photo '{name}' is missing from scikit-image at {path}; reinstall scikit-image")
    image = Image.open(path).convert("L" if channels == 1 else "RGB")
    if canvas:
        w, h = image.size
        scale = canvas / min(w, h)
        image = image.resize((max(canvas, round(w * scale)), max(canvas, round(h * scale))), Image.Resampling.LANCZOS)
    return image


def load(argument: str, *, size: int, channels: int, count: int, canvas: int, seed: int) -> ImageSet:
    names = names_of(argument)
    rng = np.random.default_rng(seed)
    per = [count // len(names) + (1 if i < count % len(names) else 0) for i in range(len(names))]
    parts = []
    for name, n in zip(names, per):
        image = photo(name, channels, canvas)
        if min(image.size) < size:
            raise UserInputError(
                f"data 'photos:{name}': the photo is {image.size[0]}x{image.size[1]} px, smaller than size = {size}"
            )
        array = np.asarray(image)
        array = array[..., None] if array.ndim == 2 else array
        if n:
            parts.append(random_crops(torch.from_numpy(array.copy()).permute(2, 0, 1).contiguous(), size, n, rng))
    return ImageSet(torch.cat(parts), name=f"photos:{','.join(names)}")
