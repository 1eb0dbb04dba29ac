"""Images that stay on disk: :class:`DiskImageSet` reads the items a batch asks for from an
:class:`~ganvas.data.cache.ItemCache` file, and :class:`BatchFeed` reads batches ahead with
``torch.utils.data.DataLoader`` workers, in the order a method's :class:`EpochSampler` gives.

A method that wants the read-ahead builds one feed next to its sampler and takes batches from it::

    self.sampler = EpochSampler(len(ctx.data), seed)
    self.feed = BatchFeed(ctx.data, self.sampler, batch)       # any Dataset; disk sets read ahead
    ...
    index, real = self.feed.next()        # instead of: index = sampler.next(batch); data.batch(index)

(``BatchFeed(..., shard=world.shard)`` reads only this rank's part of each batch.)

The sampler stays the method's and stays in its state: the feed draws from it only as batches
are taken, reading ahead on a copy. A sampler that was reloaded (a resume) or drawn from
elsewhere gives other indices than the ones read ahead; the feed notices, drops what it read
and starts again from the sampler, so the batches are exactly those of ``sampler.next`` +
``data.batch``, and the DataLoader never touches the global RNGs a checkpoint saves.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from ganvas.data.kinds import Dataset, ImageSet
from ganvas.data.order import EpochSampler
from ganvas.errors import GanvasError

__all__ = ["DiskImageSet", "BatchFeed"]


class _ItemReader:
    """Reads items of ``item_bytes`` at given indices from a file with positioned reads: nothing is
    mapped, so a process's resident memory is only the buffers it reads into. Picklable (workers)."""

    def __init__(self, path: Path, item_bytes: int) -> None:
        self.path, self.item_bytes = Path(path), item_bytes
        self._fd: int | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "item_bytes": self.item_bytes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path, self.item_bytes = state["path"], state["item_bytes"]
        self._fd, self._pid, self._lock = None, 0, threading.Lock()

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked worker opens its own
            self._fd, self._pid = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0)), os.getpid()
        return self._fd

    def _pread(self, fd: int, view: np.ndarray, offset: int) -> None:
        buffer, done = view.data, 0  # a flat uint8 view of the caller's array
        while done < len(buffer):  # a read may return less than asked: go on until the end
            if hasattr(os, "preadv"):
                got = os.preadv(fd, [buffer[done:]], offset + done)
            else:  # pragma: no cover - Windows: seek and read, one thread at a time
                with self._lock:
                    os.lseek(fd, offset + done, os.SEEK_SET)
                    got = os.readv(fd, [buffer[done:]])
            if not got:
                raise GanvasError(f"the cache file '{self.path}' is shorter than its manifest says: delete its folder")
            done += got

    def read(self, indices: Sequence[int], out: np.ndarray) -> None:
        """Items ``indices`` into ``out`` (``(n, item_bytes)`` uint8); runs of consecutive indices in one read."""
        fd, size, start = self._file(), self.item_bytes, 0
        while start < len(indices):
            end = start + 1
            while end < len(indices) and indices[end] == indices[end - 1] + 1:
                end += 1
            self._pread(fd, out[start:end].reshape(-1), indices[start] * size)
            start = end

    def close(self) -> None:
        """Close this process's file (it reopens on the next read)."""
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None

    def __del__(self) -> None:
        try:
            self.close()
        except OSError:  # pragma: no cover
            pass


class DiskImageSet(ImageSet):
    """An :class:`ImageSet` whose uint8 ``(N, C, H, W)`` items stay in a cache file on disk.

    :meth:`batch` reads only the items asked for (into a reused buffer: the process's memory does
    not grow with the data set) and serves them, like any image set, as float in [-1, 1] on the
    device given to :meth:`to`. ``data`` is the file mapped read-only-to-disk (copy-on-write), for
    code that indexes it directly; pages it touches count as the process's memory.
    """

    #: Items are read from disk as they are asked for (a method may read ahead: :class:`BatchFeed`).
    streams: ClassVar[bool] = True

    def __init__(
        self,
        path: Path,
        count: int,
        shape: Sequence[int],
        name: str = "",
        *,
        labels: Tensor | None = None,
        classes: Sequence[str] = (),
    ) -> None:
        shape = tuple(int(s) for s in shape)
        if len(shape) != 3 or count < 1:
            raise ValueError(f"a disk image set needs a (C, H, W) item shape and items, got {shape} x {count}")
        self.path = Path(path)
        self.device = torch.device("cpu")
        self.reader = _ItemReader(self.path, math.prod(shape))
        self._buffer = np.empty((0, math.prod(shape)), dtype=np.uint8)
        mapped = np.memmap(self.path, dtype=np.uint8, mode="c", shape=(count, *shape))
        super().__init__(torch.from_numpy(mapped), name, labels=labels, classes=classes)

    @classmethod
    def from_cache(cls, cache: Any, name: str = "", classes: Sequence[str] = ()) -> DiskImageSet:
        """The set of an :class:`~ganvas.data.cache.ItemCache` (labels from the cache when ``classes``)."""
        labels = cache.labels if classes else None
        return cls(cache.items_path, cache.count, cache.shape, name, labels=labels, classes=classes)

    def to(self, device: torch.device) -> DiskImageSet:
        """Serve batches on ``device``; the items stay on disk (labels, small, move)."""
        self.device = torch.device(device)
        if self.labels is not None:
            self.labels = self.labels.to(self.device)
        return self

    def positions(self, indices: Tensor) -> list[int]:
        """``indices`` as item numbers in ``0..N-1`` (negative ones count from the end, as in tensors)."""
        flat = torch.as_tensor(indices).detach().to("cpu", torch.long).reshape(-1)
        n = len(self)
        if len(flat) and (int(flat.min()) < -n or int(flat.max()) >= n):
            raise IndexError(f"index out of range for a data set of {n} items")
        return torch.where(flat < 0, flat + n, flat).tolist()

    def read(self, indices: Tensor) -> Tensor:
        """The uint8 items at ``indices`` on the CPU, in a buffer the next read reuses (copy to keep)."""
        wanted = self.positions(indices)
        if len(self._buffer) < len(wanted):
            self._buffer = np.empty((len(wanted), self.reader.item_bytes), dtype=np.uint8)
        out = self._buffer[: len(wanted)]
        self.reader.read(wanted, out)
        return torch.from_numpy(out).view(len(wanted), *self.shape)

    def serve(self, items: Tensor, non_blocking: bool = False) -> Tensor:
        """uint8 items (from :meth:`read` or a worker) as model-space floats on the set's device."""
        return items.to(self.device, non_blocking=non_blocking).float().div_(127.5).sub_(1.0)

    def batch(self, indices: Tensor) -> Tensor:
        """Items at ``indices``, read from disk, as float in [-1, 1] on the set's device."""
        return self.serve(self.read(indices))

    def loader_items(self) -> _Items:
        """A map-style torch Dataset whose item ``[i, j, ...]`` is ``(indices, uint8 items)`` (for DataLoader)."""
        return _Items(self.reader, len(self), self.shape)


class _Items(torch.utils.data.Dataset):
    """What DataLoader workers read: a key is a whole batch's list of indices."""

    def __init__(self, reader: _ItemReader, count: int, shape: tuple[int, ...]) -> None:
        self.reader, self.count, self.shape = reader, count, shape

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, key: list[int]) -> tuple[Tensor, Tensor]:
        items = np.empty((len(key), self.reader.item_bytes), dtype=np.uint8)
        self.reader.read(key, items)
        return torch.tensor(key, dtype=torch.long), torch.from_numpy(items).view(len(key), *self.shape)


class _Ahead:
    """DataLoader's sampler: index batches drawn from a copy of the method's sampler (each cut to
    ``shard``'s part), forever. It runs in the main process."""

    def __init__(self, batch: int, shard: Callable[[Tensor], Tensor]) -> None:
        self.batch, self.shard = batch, shard
        self.copy: EpochSampler | None = None

    def __iter__(self) -> Iterator[list[int]]:
        copy, batch = self.copy, self.batch
        assert copy is not None
        while True:
            yield self.shard(copy.next(batch)).tolist()


def _whole(index: Tensor) -> Tensor:
    return index


def _copy_sampler(sampler: EpochSampler) -> EpochSampler:
    """An independent sampler in ``sampler``'s state (no new permutation is drawn)."""
    copy = EpochSampler.__new__(EpochSampler)
    copy.size, copy.generator = sampler.size, torch.Generator()
    copy.load_state_dict({k: v.clone() if isinstance(v, Tensor) else v for k, v in sampler.state_dict().items()})
    return copy


class BatchFeed:
    """Batches in ``sampler``'s order, ``(indices, model-space items)``, read ahead by ``workers``
    DataLoader processes when ``data`` is a :class:`DiskImageSet` (other sets, or ``workers=0``,
    read each batch when it is taken). See the module's docstring for how a method uses one.

    ``shard`` cuts each batch of indices to the part this process trains on (distributed
    training: ``world.shard``); only that part is read, the sampler still draws whole batches.
    ``ahead`` batches per worker are read ahead.
    """

    def __init__(
        self,
        data: Dataset,
        sampler: EpochSampler,
        batch: int,
        *,
        workers: int = 2,
        ahead: int = 2,
        shard: Callable[[Tensor], Tensor] | None = None,
    ) -> None:
        if batch < 1 or workers < 0 or ahead < 1:
            raise ValueError(f"BatchFeed needs batch >= 1, workers >= 0, ahead >= 1; got {batch}, {workers}, {ahead}")
        self.data, self.sampler, self.batch = data, sampler, batch
        self.workers = workers if isinstance(data, DiskImageSet) else 0
        self.ahead = ahead
        self.shard: Callable[[Tensor], Tensor] = shard or _whole
        self._source = _Ahead(batch, self.shard)
        self._loader: torch.utils.data.DataLoader | None = None
        self._batches: Iterator[tuple[Tensor, Tensor]] | None = None
        #: How many times the read-ahead started over (the first start included).
        self.restarts = 0

    def next(self) -> tuple[Tensor, Tensor]:
        """The sampler's next ``batch`` indices (all of them) and the items of ``shard``'s part of
        them, in model space on the data's device: ``data.batch(shard(sampler.next(batch)))``."""
        if not self.workers:
            index = self.sampler.next(self.batch)
            return index, self.data.batch(self.shard(index))
        before = _copy_sampler(self.sampler)
        index = self.sampler.next(self.batch)
        part = self.shard(index)
        if self._batches is not None:
            got, items = next(self._batches)
            if torch.equal(got, part):
                return index, self._serve(items)
        self._start(before)  # the first batch, or the sampler moved on its own: read from where it is
        assert self._batches is not None
        got, items = next(self._batches)
        if not torch.equal(got, part):  # pragma: no cover - a copy in the same state draws the same
            raise GanvasError("BatchFeed: the read-ahead drew other indices than the sampler")
        return index, self._serve(items)

    def _serve(self, items: Tensor) -> Tensor:
        data = self.data
        assert isinstance(data, DiskImageSet)
        return data.serve(items, non_blocking=data.device.type == "cuda")

    def _start(self, sampler: EpochSampler) -> None:
        """(Re)start the read-ahead from ``sampler`` (a copy in the state to continue from)."""
        data = self.data
        assert isinstance(data, DiskImageSet)
        self._source.copy = sampler
        if self._loader is None:
            self._loader = torch.utils.data.DataLoader(
                data.loader_items(),
                batch_size=None,  # a key is a whole batch: no collation
                sampler=self._source,
                num_workers=self.workers,
                persistent_workers=True,
                prefetch_factor=self.ahead,
                pin_memory=data.device.type == "cuda",
                generator=torch.Generator(),  # its own: the global RNGs a checkpoint saves stay untouched
            )
        self._batches = iter(self._loader)
        self.restarts += 1

    def close(self) -> None:
        """Stop the workers (a later :meth:`next` starts them again)."""
        batches, self._batches, self._loader = self._batches, None, None
        shutdown = getattr(batches, "_shutdown_workers", None)
        if shutdown is not None:
            shutdown()

    def __enter__(self) -> BatchFeed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
