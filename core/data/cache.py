"""An on-disk cache of decoded items: a data set larger than memory is decoded once, then read.

A cache is a folder holding ``items.u8`` (``count`` items of a fixed uint8 shape, one after
another) and ``manifest.json`` (format version, item shape, count, labels, the files that could
not be read, and a *fingerprint* of the sources: their relative paths, sizes and modification
times with the settings they were decoded at). It is reused while the fingerprint matches and
rebuilt when it does not. A build writes to temporary names and renames them; the manifest,
written last, is removed first, so an interrupted build never leaves a cache that looks whole.

Caches live in ``$GANVAS_CACHE_DIR``, else ``$XDG_CACHE_HOME/ganvas``, else ``~/.cache/ganvas``;
deleting that folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ganvas.errors import GanvasError
from ganvas.io.files import write_text_atomic

__all__ = ["CACHE_VERSION", "ItemCache", "cache_root", "cache_dir", "files_fingerprint", "cached_items"]

log = logging.getLogger("ganvas")

#: Bumped whenever what a cache holds for the same sources would change (decoding, layout).
CACHE_VERSION = 1
ITEMS_FILE, MANIFEST_FILE = "items.u8", "manifest.json"
#: Skipped files named in a manifest (the count is always exact).
_NAMES_KEPT = 100


def cache_root() -> Path:
    """Where ganvas keeps caches: ``$GANVAS_CACHE_DIR``, ``$XDG_CACHE_HOME/ganvas`` or ``~/.cache/ganvas``."""
    given = os.environ.get("GANVAS_CACHE_DIR", "").strip()
    if given:
        return Path(given).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "ganvas"


def cache_dir(kind: str, key: Mapping[str, Any]) -> Path:
    """The cache folder for ``key`` (settings that change what is decoded) under ``cache_root()/kind``."""
    digest = hashlib.sha256(json.dumps(dict(key), sort_keys=True, default=str).encode()).hexdigest()[:20]
    return cache_root() / kind / digest


def files_fingerprint(root: Path, files: Sequence[Path], settings: Mapping[str, Any]) -> str:
    """A hash of ``files`` (paths relative to ``root``, sizes, modification times) and ``settings``:
    it changes when a file is added, removed, renamed or rewritten, or a setting changes."""
    digest = hashlib.sha256(json.dumps([CACHE_VERSION, dict(settings)], sort_keys=True, default=str).encode())
    for path in files:
        try:
            stat = path.stat()
            size, mtime = stat.st_size, stat.st_mtime_ns
        except OSError:  # gone since it was listed: the build will skip it
            size, mtime = -1, -1
        digest.update(f"{path.relative_to(root).as_posix()}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class ItemCache:
    """A complete cache: ``count`` uint8 items of ``shape`` in :attr:`items_path`."""

    directory: Path
    shape: tuple[int, ...]
    count: int
    #: One label per item (the source's label, in item order), or None.
    labels: torch.Tensor | None
    #: How many sources could not be read, and the names of (at most 100 of) them.
    skipped: int
    skipped_names: tuple[str, ...]

    @property
    def items_path(self) -> Path:
        """The items file: ``count * prod(shape)`` bytes."""
        return self.directory / ITEMS_FILE

    @property
    def item_bytes(self) -> int:
        """Bytes per item."""
        return math.prod(self.shape)


def _runs(labels: Sequence[int]) -> list[list[int]]:
    """Labels as ``[label, repeat]`` runs (a folder's classes come in order: a handful of runs)."""
    runs: list[list[int]] = []
    for label in labels:
        if runs and runs[-1][0] == label:
            runs[-1][1] += 1
        else:
            runs.append([label, 1])
    return runs


def _read_manifest(directory: Path, fingerprint: str, shape: tuple[int, ...]) -> tuple[ItemCache | None, bool]:
    """The cache in ``directory`` if it is whole and matches; and whether there was one at all."""
    try:
        manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, False
    if (
        not isinstance(manifest, dict)
        or manifest.get("version") != CACHE_VERSION
        or manifest.get("fingerprint") != fingerprint
        or tuple(manifest.get("shape", ())) != shape
    ):
        return None, True
    count = int(manifest["count"])
    try:
        if (directory / ITEMS_FILE).stat().st_size != count * math.prod(shape):
            return None, True
    except OSError:
        return None, True
    runs = manifest.get("labels")
    labels = None
    if runs is not None:
        values = [label for label, repeat in runs for _ in range(repeat)]
        labels = torch.tensor(values, dtype=torch.long)
    names = tuple(manifest.get("skipped_names", ()))
    return ItemCache(directory, shape, count, labels, int(manifest.get("skipped", 0)), names), True


def _progress(total: int, what: str) -> Any:
    """A tqdm bar on a terminal (stderr), nothing otherwise: like the training progress."""
    from tqdm import tqdm

    interactive = sys.stderr.isatty()
    return tqdm(total=total, desc=f"caching {what}", unit="item", leave=False, disable=not interactive)


@dataclass
class _Build:
    """What a build needs besides the sources."""

    decode: Callable[[Path], torch.Tensor]
    shape: tuple[int, ...]
    skip: tuple[type[BaseException], ...]
    limit: int
    what: str


def _write_items(tmp: Path, sources: Sequence[Path], labels: Sequence[int] | None, how: _Build) -> dict[str, Any]:
    """Decode ``sources`` into ``tmp``, one item after another; returns the manifest's counts."""
    kept_labels: list[int] = []
    skipped: list[str] = []
    count = 0
    with open(tmp, "wb") as out, _progress(len(sources), how.what) as bar:
        for position, path in enumerate(sources):
            if how.limit and count >= how.limit:
                break
            bar.update(1)
            try:
                item = how.decode(path)
            except how.skip:
                skipped.append(path.name)
                continue
            if item.dtype != torch.uint8 or tuple(item.shape) != how.shape:
                raise GanvasError(f"{how.what}: '{path}' decoded to {item.dtype} {tuple(item.shape)}, not {how.shape}")
            out.write(item.contiguous().numpy().tobytes())
            count += 1
            if labels is not None:
                kept_labels.append(int(labels[position]))
    return {
        "count": count,
        "labels": _runs(kept_labels) if labels is not None else None,
        "skipped": len(skipped),
        "skipped_names": skipped[:_NAMES_KEPT],
    }


def _build(
    directory: Path, fingerprint: str, sources: Sequence[Path], labels: Sequence[int] | None, how: _Build
) -> ItemCache:
    """Decode the sources into ``directory``: items first under a temporary name, the manifest last."""
    tmp = directory / f".{ITEMS_FILE}.{os.getpid()}.tmp"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / MANIFEST_FILE).unlink(missing_ok=True)  # from here on the old cache is not whole
        counts = _write_items(tmp, sources, labels, how)
        os.replace(tmp, directory / ITEMS_FILE)
        manifest = {"version": CACHE_VERSION, "fingerprint": fingerprint, "shape": list(how.shape), **counts}
        write_text_atomic(directory / MANIFEST_FILE, json.dumps(manifest, indent=1))
    except OSError as exc:
        raise GanvasError(
            f"cannot write the cache of {how.what} in '{directory}': {exc.strerror or exc} (set GANVAS_CACHE_DIR "
            'to a folder with room, or data.cache = "memory")'
        ) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    found, _ = _read_manifest(directory, fingerprint, how.shape)
    if found is None:  # another process rebuilt it in between with other sources: ours is gone
        raise GanvasError(f"the cache of {how.what} in '{directory}' changed while it was built: run again")
    return found


def cached_items(
    directory: Path,
    sources: Sequence[Path],
    decode: Callable[[Path], torch.Tensor],
    shape: tuple[int, ...],
    *,
    fingerprint: str,
    labels: Sequence[int] | None = None,
    skip: tuple[type[BaseException], ...] = (),
    limit: int = 0,
    what: str = "the data",
) -> ItemCache:
    """The cache of ``sources`` in ``directory``: reused when its fingerprint matches, else built.

    ``decode(path)`` gives one uint8 item of ``shape``; a source whose decode raises one of
    ``skip`` is left out and counted (the cache remembers it, so a reuse reports it too).
    ``labels`` gives one label per source; ``limit`` stops after that many items (0: all).
    A build shows a progress bar on a terminal and logs one line (``what`` names the data).
    """
    shape = tuple(shape)
    found, existed = _read_manifest(directory, fingerprint, shape)
    if found is not None:
        return found
    if existed:
        log.info("%s changed since its cache was built: rebuilding the cache", what)
    else:
        log.info("caching %s: %d file(s) decoded once into '%s'", what, len(sources), directory)
    return _build(directory, fingerprint, sources, labels, _Build(decode, shape, skip, limit, what))
