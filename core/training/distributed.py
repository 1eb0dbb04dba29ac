"""Training on several processes with ``torch.distributed``: who this process is, and the few
collective operations the loop and the methods need.

``torchrun`` (or ``ganvas train --nproc N``, which runs torchrun's elastic agent) starts one
process per rank with ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` set; :func:`join` then
initialises the process group (gloo on CPU, nccl on CUDA). A single process needs none of it:
:func:`current` is then the one-rank :class:`World` and every operation here is a no-op.

What the rest of ganvas relies on:

- ``train.batch`` is the *global* batch; each rank trains on its slice (:meth:`World.shard`) of
  the same global batch of indices and noise, so k steps on N ranks equal k steps of one process
  (up to the order of floating-point sums), and a checkpoint resumes on any number of ranks;
- only rank 0 (:attr:`World.main`) writes the run folder;
- every rank stops at the same step (:meth:`World.any`), so none waits forever in a collective.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
from torch import Tensor, nn

from ganvas.errors import UserInputError

__all__ = ["World", "current", "join", "launched", "leave", "lost_peer", "DEFAULT_TIMEOUT_S", "RANK_SEED_STRIDE"]

#: How long a collective (or the process group's start) may wait for the other ranks.
DEFAULT_TIMEOUT_S = 300
#: Rank r's global torch RNG is seeded with ``train.seed + r * RANK_SEED_STRIDE`` (augmentation
#: and dropout differ per rank; rank 0's is what a single process gets).
RANK_SEED_STRIDE = 7919


@dataclass(frozen=True)
class World:
    """This process's place among the training processes (one rank of one, without torchrun)."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        """Whether this is rank 0: the one that writes the run folder and talks to the user."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    def device(self, device: torch.device) -> torch.device:
        """One GPU per process: ``cuda`` becomes ``cuda:LOCAL_RANK``; other devices are shared."""
        if self.distributed and device.type == "cuda":
            return torch.device("cuda", self.local_rank)
        return device

    def local_batch(self, batch: int) -> int:
        """This rank's part of the global batch ``batch``; a batch the ranks cannot share evenly is an error."""
        if batch % self.size:
            lower, upper = batch // self.size * self.size, -(-batch // self.size) * self.size
            choices = f"{lower} or {upper}" if lower else str(upper)
            raise UserInputError(
                f"train.batch = {batch} is the global batch and must split evenly over {self.size} processes: "
                f"use {choices}"
            )
        return batch // self.size

    def check_items(self, items: int) -> None:
        """Every rank needs at least one item of the data set."""
        if items < self.size:
            raise UserInputError(
                f"the data set has {items} item(s), fewer than the {self.size} processes that would share it: "
                "use fewer processes (--nproc) or more data"
            )

    def shard(self, batch: Tensor) -> Tensor:
        """This rank's contiguous slice of a global batch (indices, noise): rank r gets part r of N."""
        if not self.distributed:
            return batch
        part = batch.shape[0] // self.size
        return batch[self.rank * part : (self.rank + 1) * part]

    def any(self, flag: bool, device: torch.device) -> bool:
        """Whether ``flag`` is true on any rank (every rank gets the same answer)."""
        if not self.distributed:
            return flag
        value = torch.tensor([1.0 if flag else 0.0], device=_collective_device(device))
        torch.distributed.all_reduce(value, op=torch.distributed.ReduceOp.MAX)
        return bool(value.item() > 0)

    def mean(self, values: dict[str, float], device: torch.device) -> dict[str, float]:
        """Each value averaged over the ranks (the same keys, in the same order, on every rank)."""
        if not self.distributed or not values:
            return values
        flat = torch.tensor(list(values.values()), dtype=torch.float64, device=_collective_device(device))
        torch.distributed.all_reduce(flat)
        return {key: float(v) / self.size for key, v in zip(values, flat.tolist())}

    def mean_tensor(self, value: Tensor) -> Tensor:
        """A tensor averaged over the ranks (a copy; the input is left alone)."""
        if not self.distributed:
            return value
        total = value.detach().clone()
        torch.distributed.all_reduce(total)
        return total / self.size

    def gather(self, obj: Any) -> list[Any]:
        """Every rank's ``obj`` (picklable), in rank order, on every rank."""
        if not self.distributed:
            return [obj]
        out: list[Any] = [None] * self.size
        torch.distributed.all_gather_object(out, obj)
        return out

    def broadcast(self, obj: Any) -> Any:
        """Rank 0's ``obj`` on every rank."""
        if not self.distributed:
            return obj
        box = [obj]
        torch.distributed.broadcast_object_list(box, src=0)
        return box[0]

    def wrap(self, module: nn.Module, device: torch.device) -> nn.Module:
        """``module`` in DistributedDataParallel (gradients averaged over the ranks), or itself alone.

        Buffers are not broadcast from rank 0 at every forward: batch-norm statistics stay per
        rank on the CPU (torch's SyncBatchNorm works on CUDA only) and are synchronised on CUDA
        by converting batch norms to SyncBatchNorm first.
        """
        if not self.distributed:
            return module
        from torch.nn.parallel import DistributedDataParallel

        if device.type == "cuda":
            module = nn.SyncBatchNorm.convert_sync_batchnorm(module)
        import warnings

        # a gradient penalty's double backward leaves some gradients in another memory layout than
        # DDP's buckets: a copy, said once per process per layer; not something an artist can act on
        warnings.filterwarnings("ignore", message="Grad strides do not match bucket view strides")
        ids = [device.index] if device.type == "cuda" else None
        # buffers are not re-broadcast from rank 0 before every forward (torch >= 2.10 names it
        # forward_sync_buffers; the initial copy is harmless: every rank starts from the same seed)
        sync = "forward_sync_buffers" if "forward_sync_buffers" in _ddp_parameters() else "broadcast_buffers"
        options: dict[str, Any] = {sync: False}
        return DistributedDataParallel(module, device_ids=ids, **options)


def _ddp_parameters() -> tuple[str, ...]:
    import inspect

    from torch.nn.parallel import DistributedDataParallel

    return tuple(inspect.signature(DistributedDataParallel.__init__).parameters)


def _collective_device(device: torch.device) -> torch.device:
    """nccl reduces CUDA tensors; gloo CPU ones."""
    return device if device.type == "cuda" else torch.device("cpu")


_world = World()


def current() -> World:
    """This process's :class:`World` (one rank of one until :func:`join`)."""
    return _world


def launched() -> bool:
    """Whether torchrun started this process as one of several ranks."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def join(timeout_s: float = DEFAULT_TIMEOUT_S) -> World:
    """Join the process group torchrun set up (gloo, or nccl when CUDA is available); returns the world.

    Without torchrun's variables (a single process) it returns the one-rank world.
    """
    global _world
    if not launched():
        _world = World()
        return _world
    import torch.distributed as dist

    rank, size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_RANK", "0"))
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(local)
    if not dist.is_initialized():
        dist.init_process_group(backend, timeout=timedelta(seconds=timeout_s))
    _world = World(rank=rank, size=size, local_rank=local)
    return _world


def leave() -> None:
    """Leave the process group (at the end of training, whatever ended it)."""
    global _world
    if _world.distributed and torch.distributed.is_initialized():
        import gc

        # the DDP wrappers (held in reference cycles of the trainer) go before their process group,
        # and no rank tears the group down while another still uses it: otherwise a rank can abort
        # at exit ("terminate called without an active exception")
        gc.collect()
        try:
            torch.distributed.barrier()
        except Exception:  # a rank is gone: nothing to wait for
            pass
        torch.distributed.destroy_process_group()
    _world = World()


_LOST_PEER = ("connection closed by peer", "connection reset", "broken pipe", "nccl", "gloo", "timed out", "timeout")


def lost_peer(exc: BaseException, run_dir: Any) -> str | None:
    """A one-line message when ``exc`` is a collective failing because another rank died or hung;
    None for anything else."""
    if not _world.distributed:
        return None
    dist_error = getattr(torch.distributed, "DistError", ())
    text = " ".join(str(exc).split())
    if not (isinstance(exc, dist_error) or (isinstance(exc, RuntimeError) and _mentions_peer(text))):
        return None
    return (
        f"training stopped on rank {_world.rank} of {_world.size}: another training process ended or stopped "
        f"answering ({type(exc).__name__}: {text[:160]}); its own message says why; the run folder {run_dir} "
        "keeps the last checkpoint: continue with ganvas train --resume"
    )


def _mentions_peer(text: str) -> bool:
    lower = text.lower()
    return any(word in lower for word in _LOST_PEER)
