"""``folder:PATH``: every image below PATH, centre-cropped to a square and resized."""

from __future__ import annotations

import logging
from pathlib import Path

import torch

from ganvas.data import ImageSet
from ganvas.errors import UserInputError
from ganvas.io import IMAGE_SUFFIXES, UNREADABLE_IMAGE_ERRORS, open_image, pil_to_tensor, square_resize

log = logging.getLogger("ganvas")


def find_images(root: Path) -> list[Path]:
    """Image files below ``root``, recursively, sorted for a stable order."""
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def load(argument: str, *, size: int, channels: int, limit: int) -> ImageSet:
    if not argument:
        raise UserInputError("dataset 'folder' needs a path: source = \"folder:PATH\"")
    root = Path(argument).expanduser()
    if not root.is_dir():
        raise UserInputError(f"dataset folder '{argument}' does not exist or is not a folder")
    paths = find_images(root)
    if not paths:
        raise UserInputError(
            f"dataset folder '{argument}' holds no images ({', '.join(IMAGE_SUFFIXES)}, searched recursively)"
        )
    tensors, skipped = [], []
    for path in paths:
        try:
            tensors.append(pil_to_tensor(square_resize(open_image(path, channels), size)))
        except UNREADABLE_IMAGE_ERRORS:
            skipped.append(path.name)
            continue
        if limit and len(tensors) >= limit:
            break
    if skipped:
        shown = ", ".join(skipped[:3]) + (" ..." if len(skipped) > 3 else "")
        log.warning("skipped %d unreadable image file(s) in '%s': %s", len(skipped), argument, shown)
    if not tensors:
        raise UserInputError(f"dataset folder '{argument}': none of its {len(paths)} image files could be read")
    return ImageSet(torch.stack(tensors), name=f"folder:{argument}")
