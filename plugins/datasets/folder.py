"""``folder:PATH``: every image below PATH, centre-cropped to a square and resized.

``data.cache`` says where the decoded images live: ``memory`` (decoded at every start, held as
one tensor), ``disk`` (decoded once into an on-disk cache at the training size, reused by later
runs while the files and settings are unchanged, read batch by batch: a folder larger than
memory trains), or ``auto`` (disk when the decoded set would pass 1 GiB).
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch

from ganvas.data import DiskImageSet, ImageSet, cache_dir, cached_items, files_fingerprint
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


#: ``data.cache = "auto"`` keeps a folder on disk when its decoded images would pass this.
AUTO_DISK_BYTES = 1 << 30
CACHE_MODES = ("auto", "memory", "disk")


def decode(path: Path, size: int, channels: int) -> torch.Tensor:
    """One image file as uint8 ``(channels, size, size)``: centre-cropped to a square and resized."""
    return pil_to_tensor(square_resize(open_image(path, channels), size))


def _warn_skipped(skipped: int, names: list[str] | tuple[str, ...], argument: str) -> None:
    if skipped:
        shown = ", ".join(names[:3]) + (" ..." if skipped > 3 else "")
        log.warning("skipped %d unreadable image file(s) in '%s': %s", skipped, argument, shown)


def _groups(argument: str, classes: str) -> tuple[Path, list[tuple[str, list[Path]]]]:
    if not argument:
        raise UserInputError("dataset 'folder' needs a path: source = \"folder:PATH\"")
    root = Path(argument).expanduser()
    if not root.is_dir():
        raise UserInputError(f"dataset folder '{argument}' does not exist or is not a folder")
    groups = class_folders(root, argument) if classes == "subfolders" else [("", find_images(root))]
    if not sum(len(paths) for _, paths in groups):
        raise UserInputError(
            f"dataset folder '{argument}' holds no images ({', '.join(IMAGE_SUFFIXES)}, searched recursively)"
        )
    return root, groups


def _in_memory(argument: str, groups: list[tuple[str, list[Path]]], settings: dict) -> ImageSet:
    """Every image decoded, at every start, straight into one preallocated tensor."""
    size, channels, limit = settings["size"], settings["channels"], settings["limit"]
    total = sum(len(paths) for _, paths in groups)
    data = torch.empty((min(total, limit or total), channels, size, size), dtype=torch.uint8)
    labels: list[int] = []
    skipped: list[str] = []
    for label, (_, paths) in enumerate(groups):
        for path in paths:
            if len(labels) == len(data):
                break
            try:
                data[len(labels)] = decode(path, size, channels)
                labels.append(label)
            except UNREADABLE_IMAGE_ERRORS:
                skipped.append(path.name)
    _warn_skipped(len(skipped), skipped, argument)
    if not labels:
        raise UserInputError(f"dataset folder '{argument}': none of its {total} image files could be read")
    data = data[: len(labels)] if len(labels) == len(data) else data[: len(labels)].clone()
    if settings["classes"] != "subfolders":
        return ImageSet(data, name=f"folder:{argument}")
    names = [name for name, _ in groups]
    return ImageSet(data, name=f"folder:{argument}", labels=torch.tensor(labels), classes=names)


def _on_disk(argument: str, root: Path, groups: list[tuple[str, list[Path]]], settings: dict) -> DiskImageSet:
    """The folder's on-disk cache (built once, reused while nothing changed), read as batches ask."""
    sources = [path for _, paths in groups for path in paths]
    labeled = settings["classes"] == "subfolders"
    labels = [label for label, (_, paths) in enumerate(groups) for _ in paths] if labeled else None
    size, channels = settings["size"], settings["channels"]
    cache = cached_items(
        cache_dir("folders", {"folder": str(root.resolve()), **settings}),
        sources,
        lambda path: decode(path, size, channels),
        (channels, size, size),
        fingerprint=files_fingerprint(root, sources, settings),
        labels=labels,
        skip=UNREADABLE_IMAGE_ERRORS,
        limit=settings["limit"],
        what=f"folder '{argument}'",
    )
    _warn_skipped(cache.skipped, cache.skipped_names, argument)
    if not cache.count:
        raise UserInputError(f"dataset folder '{argument}': none of its {len(sources)} image files could be read")
    classes = [name for name, _ in groups] if labeled else []
    return DiskImageSet.from_cache(cache, name=f"folder:{argument}", classes=classes)


def load(
    argument: str, *, size: int, channels: int, limit: int, classes: str = "none", cache: str = "auto"
) -> ImageSet:
    """The folder's images; ``cache`` picks memory or the on-disk cache (see the module docstring)."""
    if cache not in CACHE_MODES:
        raise UserInputError(f"data.cache = {cache!r}: expected one of {', '.join(CACHE_MODES)}")
    root, groups = _groups(argument, classes)
    total = sum(len(paths) for _, paths in groups)
    decoded = min(total, limit or total) * channels * size * size
    settings = {"size": size, "channels": channels, "classes": classes, "limit": limit}
    if cache == "disk" or (cache == "auto" and decoded > AUTO_DISK_BYTES):
        return _on_disk(argument, root, groups, settings)
    return _in_memory(argument, groups, settings)
