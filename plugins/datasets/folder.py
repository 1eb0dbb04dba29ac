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


def class_folders(root: Path, argument: str) -> list[tuple[str, list[Path]]]:
    """``classes = "subfolders"``: each sub-folder of ``root`` a class (sorted by name), with the
    images below it; a sub-folder without images is an error, images beside them are left out."""
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise UserInputError(
            f"dataset folder '{argument}' has no sub-folders, but data.classes = \"subfolders\" takes each "
            'sub-folder as a class: sort the images into one folder per class, or set classes = "none"'
        )
    found = [(folder.name, find_images(folder)) for folder in folders]
    empty = [name for name, paths in found if not paths]
    if empty:
        raise UserInputError(
            f"dataset folder '{argument}': class sub-folder(s) {', '.join(repr(n) for n in empty)} hold no images "
            f"({', '.join(IMAGE_SUFFIXES)}); add images or remove the folder(s)"
        )
    loose = [p for p in root.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    if loose:
        log.warning("%d image(s) directly in '%s' belong to no class sub-folder: left out", len(loose), argument)
    return found


def load(argument: str, *, size: int, channels: int, limit: int, classes: str = "none") -> ImageSet:
    if not argument:
        raise UserInputError("dataset 'folder' needs a path: source = \"folder:PATH\"")
    root = Path(argument).expanduser()
    if not root.is_dir():
        raise UserInputError(f"dataset folder '{argument}' does not exist or is not a folder")
    groups = class_folders(root, argument) if classes == "subfolders" else [("", find_images(root))]
    total = sum(len(paths) for _, paths in groups)
    if not total:
        raise UserInputError(
            f"dataset folder '{argument}' holds no images ({', '.join(IMAGE_SUFFIXES)}, searched recursively)"
        )
    tensors: list[torch.Tensor] = []
    labels: list[int] = []
    skipped: list[str] = []
    for label, (_, paths) in enumerate(groups):
        for path in paths:
            if limit and len(tensors) >= limit:
                break
            try:
                tensors.append(pil_to_tensor(square_resize(open_image(path, channels), size)))
                labels.append(label)
            except UNREADABLE_IMAGE_ERRORS:
                skipped.append(path.name)
    if skipped:
        shown = ", ".join(skipped[:3]) + (" ..." if len(skipped) > 3 else "")
        log.warning("skipped %d unreadable image file(s) in '%s': %s", len(skipped), argument, shown)
    if not tensors:
        raise UserInputError(f"dataset folder '{argument}': none of its {total} image files could be read")
    if classes != "subfolders":
        return ImageSet(torch.stack(tensors), name=f"folder:{argument}")
    names = [name for name, _ in groups]
    return ImageSet(torch.stack(tensors), name=f"folder:{argument}", labels=torch.tensor(labels), classes=names)
