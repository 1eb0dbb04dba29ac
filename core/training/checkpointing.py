"""The training loop's checkpoints: what a step's state is, writing it, and resuming from it.

A checkpoint holds the method's state, the global RNGs (every rank's, when several processes
train) and the recipe; :class:`Checkpointing` is the part of :class:`~ganvas.training.loop.Trainer`
that writes and reads them. Under ``torch.distributed`` every rank takes part in :meth:`save`
(the RNG states are gathered) and rank 0 alone writes the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import torch

from ganvas import __version__
from ganvas.errors import GanvasError
from ganvas.io.checkpoint import checkpoint_path, list_checkpoints, load_checkpoint, prune_checkpoints, save_checkpoint
from ganvas.io.runs import STATS_FILE
from ganvas.training.distributed import RANK_SEED_STRIDE
from ganvas.training.stats import trim_stats

if TYPE_CHECKING:
    from ganvas.data.kinds import Dataset
    from ganvas.plugin.manager import PluginHost
    from ganvas.recipe import Recipe
    from ganvas.training.distributed import World
    from ganvas.training.hooks import HookRunner
    from ganvas.training.method import Method

__all__ = ["Checkpointing", "method_state"]

T = TypeVar("T", bound="Checkpointing")


class Checkpointing:
    """Checkpoint writing and resuming, mixed into the Trainer (which provides the attributes)."""

    if TYPE_CHECKING:  # what the Trainer provides
        world: World
        method: Method
        recipe: Recipe
        device: torch.device
        step: int
        run_dir: Path
        hooks: HookRunner
        data: Dataset

        def __init__(
            self, recipe: Recipe, run_dir: Path, host: PluginHost, *, quiet: bool = False, device: str | None = None
        ) -> None: ...

    def state_dict(self) -> dict[str, Any]:
        """The checkpoint of this step; under torch.distributed every rank must call it (RNGs are gathered)."""
        ranks = self.world.gather(torch.get_rng_state()) if self.world.distributed else []
        return {
            "step": self.step,
            "recipe": self.recipe.to_toml(),
            "ganvas_version": __version__,
            "method": self.recipe.method.name,
            "data_shape": list(self.data.shape),
            "data_kind": self.data.kind,
            "method_state": self.method.state_dict(),
            "rng": {
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if self.device.type == "cuda" else [],
                "ranks": ranks,  # each rank's torch RNG when several processes trained
            },
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.method.load_state_dict(method_state(state))
        self.step = int(state["step"])
        ranks = state["rng"].get("ranks") or []
        if not self.world.distributed:
            torch.set_rng_state(state["rng"]["torch"])
        elif len(ranks) == self.world.size:  # the same number of processes: each continues its own
            torch.set_rng_state(ranks[self.world.rank])
        else:  # another number: rank 0 continues rank 0's, the others start afresh from their seeds
            torch.set_rng_state(state["rng"]["torch"])
            if self.world.rank:
                torch.manual_seed(self.recipe.train.seed + self.step + self.world.rank * RANK_SEED_STRIDE)
        if self.device.type == "cuda" and state["rng"]["cuda"]:
            torch.cuda.set_rng_state_all(state["rng"]["cuda"])

    def save(self, *, hooks: bool = True) -> Path:
        """Write a checkpoint of this step (atomically), keep the newest few, then call on_checkpoint.

        Under torch.distributed every rank calls it; rank 0 writes, the others return the path."""
        folder = self.run_dir / "checkpoints"
        state = self.state_dict()
        if not self.world.main:
            return checkpoint_path(folder, self.step)
        path = save_checkpoint(state, checkpoint_path(folder, self.step))
        prune_checkpoints(folder, self.recipe.train.keep_checkpoints, keep_steps=(self.recipe.sample.step,))
        if hooks:
            self.hooks.call("on_checkpoint", trainer=self, step=self.step, path=path)
        return path

    @classmethod
    def resume(
        cls: type[T],
        run_dir: Path,
        host: PluginHost,
        recipe: Recipe,
        *,
        quiet: bool = False,
        device: str | None = None,
    ) -> T:
        """Rebuild a trainer from ``run_dir``'s newest checkpoint; a run stopped before its first
        checkpoint starts again from step 0. Stats logged after the checkpoint are dropped, so
        ``stats.jsonl`` never repeats a step."""
        ckpts = list_checkpoints(run_dir / "checkpoints")
        trainer = cls(recipe, run_dir, host, quiet=quiet, device=device)
        if ckpts:
            state = load_checkpoint(ckpts[-1][1])
            try:
                trainer.load_state_dict(state)
            except (KeyError, RuntimeError, ValueError) as exc:
                raise GanvasError(
                    f"checkpoint '{ckpts[-1][1]}' does not fit this run's recipe ({type(exc).__name__}: "
                    f"{str(exc).splitlines()[0][:200]}); it may be from another ganvas version or damaged"
                ) from None
        if trainer.world.main:
            trim_stats(run_dir / STATS_FILE, trainer.step)
        return trainer


def method_state(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """The method's part of a checkpoint (checkpoints from before methods hold it at the top level)."""
    if "method_state" in checkpoint:
        return dict(checkpoint["method_state"])
    legacy = dict(checkpoint)
    legacy.setdefault("noise", checkpoint.get("rng", {}).get("noise"))
    return legacy
