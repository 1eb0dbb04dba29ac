"""The training loop: method-agnostic. It runs a :class:`~ganvas.training.method.Method` step
by step and owns everything around the steps: the run folder's stats, samples and checkpoints,
progress, lifecycle hooks, the NaN stop, Ctrl-C and SIGTERM, and resume.

Read :meth:`Trainer.run` top to bottom. Everything that decides the next step is in the
checkpoint (the method's state plus the global RNGs), so an interrupted and resumed run ends
with the same weights as one that ran straight through.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from ganvas.data.kinds import Dataset
from ganvas.device import configure_threads, resolve_device
from ganvas.errors import GanvasError, UserInputError
from ganvas.io.checkpoint import list_checkpoints
from ganvas.io.images import save_png
from ganvas.io.provenance import image_metadata
from ganvas.io.runs import STATS_FILE
from ganvas.io.status import write_status
from ganvas.seeds import format_seeds, parse_seeds
from ganvas.training import distributed
from ganvas.training.checkpointing import Checkpointing, method_state
from ganvas.training.hooks import HOOK_ERRORS_ENV, HookFailed, HookRunner
from ganvas.training.loggers import Loggers
from ganvas.training.method import Method, TrainContext
from ganvas.training.progress import Progress, format_duration
from ganvas.training.signals import stop_signals
from ganvas.training.stats import StatsAccumulator, progress_fields

if TYPE_CHECKING:
    from ganvas.plugin.manager import PluginHost
    from ganvas.recipe import Recipe

__all__ = [
    "Trainer",
    "TrainingDiverged",
    "TrainingInterrupted",
    "build_callbacks",
    "build_dataset",
    "build_method",
    "method_state",
]


class TrainingDiverged(GanvasError):
    """A loss became NaN or infinite; nothing after the last good checkpoint was written."""


class TrainingInterrupted(GanvasError):
    """Ctrl-C or SIGTERM: a checkpoint was saved and the run can be resumed."""

    exit_code = 130


def build_dataset(recipe: Recipe, host: PluginHost) -> Dataset:
    component = host.get("datasets", recipe.data.name)
    dataset = component.build(recipe.data.argument, **recipe.data.params)
    if not isinstance(dataset, Dataset):
        raise GanvasError(
            f"{component.label} (plugin '{component.plugin}') returned {type(dataset).__name__}, "
            "not a ganvas Dataset (ImageSet or PointSet)"
        )
    return dataset


def build_method(recipe: Recipe, host: PluginHost, data: Dataset, device: torch.device) -> Method:
    """The recipe's method, checked against the data it is given."""
    component = host.get("methods", recipe.method.name)
    cls = component.load()
    world = distributed.current()
    if world.distributed and not getattr(cls, "distributed", False):
        raise UserInputError(
            f"{component.label} trains in one process only; run it without --nproc/torchrun "
            "(methods that train on several: gan)"
        )
    if world.distributed:
        world.check_items(len(data))
    kinds = getattr(cls, "data", ())
    if kinds and not isinstance(data, tuple(kinds)):
        valid = ", ".join(k.kind for k in kinds)
        raise UserInputError(
            f"{component.label} trains on {valid}; data.source '{recipe.data.name}' gives "
            f"{data.kind}: choose another dataset or method"
        )
    method = component.build(TrainContext(recipe, host, data, device), **recipe.method.params)
    if not isinstance(method, Method):
        raise GanvasError(
            f"{component.label} (plugin '{component.plugin}') built {type(method).__name__}, not a ganvas Method"
        )
    return method


def build_callbacks(recipe: Recipe, host: PluginHost) -> list[tuple[str, str, Any]]:
    """The recipe's ``[[callbacks]]``, built: ``(name, plugin, object)`` in recipe order."""
    built = []
    for ref in recipe.callbacks:
        component = host.get("callbacks", ref.name)
        built.append((ref.name, component.plugin, component.build(**ref.params)))
    return built


class Trainer(Checkpointing):
    """Trains one recipe in one run folder. Build it, then call :meth:`run`.

    Under torch.distributed (:mod:`ganvas.training.distributed`) every rank builds one; rank 0
    alone writes the run folder, prints and calls plugins' hooks, and all stop at the same step."""

    def __init__(
        self, recipe: Recipe, run_dir: Path, host: PluginHost, *, quiet: bool = False, device: str | None = None
    ) -> None:
        self.world = distributed.current()
        quiet = quiet or not self.world.main
        self.recipe, self.run_dir, self.host, self.quiet = recipe, Path(run_dir), host, quiet
        self.device = self.world.device(resolve_device(device or recipe.train.device))
        threads, why = configure_threads()
        if self.device.type == "cpu" and why not in ("torch's default", "already set") and not quiet:
            print(f"torch threads: {threads} ({why})", file=sys.stderr)
        torch.manual_seed(recipe.train.seed)
        self.data = build_dataset(recipe, host)
        if getattr(self.data, "streams", False) or self.data.data.numel() * self.data.data.element_size() < 1 << 30:
            self.data.to(self.device)  # small sets live on the device; an on-disk set sends its batches there
        self.method = build_method(recipe, host, self.data, self.device)
        if self.world.rank:  # each rank its own augmentation and dropout draws; rank 0's are a single process's
            torch.manual_seed(recipe.train.seed + self.world.rank * distributed.RANK_SEED_STRIDE)
        self.step = 0
        self.seeds = parse_seeds(recipe.sample.seeds)
        self.stats = StatsAccumulator()
        self.stop_reason: str | None = None
        self._stopping = False  # the stop every process agreed on after the last step
        self.hooks = HookRunner(host, build_callbacks(recipe, host) if self.world.main else [])
        self._pending_eval: dict[str, float] = {}
        self._progress: Progress | None = None
        self.loggers: Loggers | None = None  # open while run() trains
        self._wall_start = time.time()
        self._class_counts = self.data.class_counts()  # for status.json; the data does not change

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> Path:
        """Train to ``train.steps``; returns the last checkpoint. Ctrl-C/SIGTERM save one and raise."""
        cfg, hooks = self.recipe.train, self.hooks
        step_hook = self.step_hook()
        if self.world.main:
            self._check_writable()
        progress = self._progress = Progress(cfg.steps, self.step, self.run_dir.name, quiet=self.quiet)
        hooks.call("on_train_start", trainer=self)
        start_step, started = self.step, time.perf_counter()
        self._interval = [started, 0]  # start time and steps of the current img/s interval
        self._wall_start = time.time()
        self._status("running")
        last_ckpt: Path | None = None
        reason = "crashed"  # until the loop says otherwise: an exception nobody caught
        try:
            with (
                # a second signal aborts a single process; torchrun's agent forwards one itself after Ctrl-C
                stop_signals(self.request_stop, lambda: self.stop_reason is not None and not self.world.distributed),
                Loggers(self.recipe, self.host, self.run_dir, self.step, enabled=self.world.main) as self.loggers,
            ):
                while self.step < cfg.steps:
                    self.advance(step_hook)
                    self._stopping = self._agree_to_stop()
                    last_ckpt = self._after_step(progress, started) or last_ckpt
                    if self._stopping:
                        break
                reason = "interrupted" if self._stopping else "finished"
            if reason == "interrupted":
                self._interrupted(progress)
        except TrainingDiverged:
            reason = "diverged"
            raise
        except HookFailed as failed:
            reason = "crashed"
            self._crashed(failed, progress)
        finally:
            progress.close()
            self._status(reason)
            self._end_hooks(reason)
        elapsed = time.perf_counter() - started
        progress.write(
            f"trained {self.step - start_step} steps in {format_duration(elapsed)} "
            f"({(self.step - start_step) * self.method.images_per_step / max(elapsed, 1e-9):.0f} img/s)"
        )
        if last_ckpt is None:  # resumed a run that was already complete
            last_ckpt = list_checkpoints(self.run_dir / "checkpoints")[-1][1]
        return last_ckpt

    def _agree_to_stop(self) -> bool:
        """Whether to stop after this step: a stop was requested here, or (several processes) on
        any rank. Every rank acts on the agreed answer, never on a signal that lands after it."""
        requested = self.stop_reason is not None
        if not self.world.distributed:
            return requested
        if self.world.any(requested, self.device):
            self.stop_reason = self.stop_reason or "stopped on another process"
            return True
        return False

    def _status(self, state: str) -> None:
        """``status.json``: what ``ganvas runs`` and ``ganvas watch`` read (never fatal: it is a report)."""
        if not self.world.main:
            return
        try:
            write_status(
                self.run_dir,
                state,
                self.step,
                self.recipe.train.steps,
                started=self._wall_start,
                classes=self._class_counts,
            )
        except OSError as exc:
            print(f"warning: could not write the run's status.json: {exc.strerror or exc}", file=sys.stderr)

    def _after_step(self, progress: Progress, started: float) -> Path | None:
        """What the loop does between steps, in order: evaluate, log, sample, checkpoint."""
        cfg, step = self.recipe.train, self.step
        self._interval[1] += 1
        done = step == cfg.steps
        if cfg.eval_every and step % cfg.eval_every == 0 and self.world.main:
            eval_start = time.perf_counter()
            self._pending_eval = self.method.evaluate()
            self._interval[0] += time.perf_counter() - eval_start  # keep img/s about training
        if step % cfg.log_every == 0 or done or self._stopping:
            self._log(progress, started)
        if self._stopping:
            return None
        if cfg.sample_every and (step % cfg.sample_every == 0 or done):
            self._check_finite()
            if self.world.main:
                self.write_samples()
        if done or (cfg.checkpoint_every and step % cfg.checkpoint_every == 0) or step == self.recipe.sample.step:
            return self.save()  # sample.step: a picture is drawn from it
        return None

    def _log(self, progress: Progress, started: float) -> None:
        now = time.perf_counter()
        rate = self._interval[1] * self.method.images_per_step / max(now - self._interval[0], 1e-9)
        line = self._flush_stats(now - started, rate)
        warning = self.method.observe(line) if self.world.main else None
        if warning:
            progress.write(f"warning: {warning}")
        self._interval = [time.perf_counter(), 0]
        assert self.loggers is not None  # open while run() trains
        self.loggers.scalars(self.step, line)
        self._status("running")
        progress.update(self.step, progress_fields(line))

    def _interrupted(self, progress: Progress) -> None:
        self._check_finite()
        checkpoint = self.save()
        progress.close()
        raise TrainingInterrupted(
            f"interrupted at step {self.step}/{self.recipe.train.steps} ({self.stop_reason}); checkpoint saved to "
            f"{checkpoint}; continue with: ganvas train --resume {self.run_dir}"
        )

    def _check_writable(self) -> None:
        """A run folder we cannot write to is a one-line error before the first step, not after it."""
        stats = self.run_dir / STATS_FILE
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            with stats.open("a"):
                pass
        except OSError as exc:
            raise GanvasError(f"cannot write to the run folder '{self.run_dir}': {exc.strerror or exc}") from None

    def step_hook(self) -> Any:
        """``on_step_end`` when a plugin implements it, else None: an empty hook costs nothing."""
        return self.hooks.caller("on_step_end")

    def _crashed(self, failed: HookFailed, progress: Progress) -> None:
        """A plugin's hook raised: keep the work (a checkpoint), name the plugin, say what to do."""
        progress.close()
        saved = "no checkpoint was saved (the weights are not finite)"
        if self.world.distributed:  # the other ranks are not at a checkpoint with us: the last one stands
            saved = "no checkpoint was saved (the other processes were not stopped with it)"
        elif self.method.is_finite():
            saved = f"checkpoint saved to {self.save(hooks=False)}"
        raise GanvasError(
            f"{failed} (at step {self.step}); {saved}; continue with: ganvas train --resume {self.run_dir}; "
            f"to train on without that hook set {HOOK_ERRORS_ENV}=warn, or {failed.disable}"
        ) from failed

    def _end_hooks(self, reason: str) -> None:
        try:
            self.hooks.call("on_train_end", trainer=self, step=self.step, reason=reason)
        except HookFailed as failed:  # the run is over: report, do not mask what ended it
            print(f"warning: {failed}", file=sys.stderr)

    def advance(self, step_hook: Any = None) -> None:
        """One training step plus what follows every step: stats and ``on_step_end``."""
        stats = self.method.train_step(self.step)
        self.step += 1
        self.stats.add(stats)
        if step_hook is not None:
            step_hook(trainer=self, step=self.step, stats=stats)

    def log(self, message: str) -> None:
        """Print one line for the user above the progress bar (hooks and callbacks use this
        instead of ``print``, which would tear the bar); silent with ``--quiet``."""
        if self._progress is not None:
            self._progress.write(str(message))
        elif not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def request_stop(self, reason: str = "stop requested") -> None:
        """Stop after the current step, checkpoint and raise TrainingInterrupted (as Ctrl-C does)."""
        self.stop_reason = reason

    # -- stats -------------------------------------------------------------------------------

    def _flush_stats(self, elapsed: float, images_per_s: float) -> dict[str, Any]:
        line: dict[str, Any] = {"step": self.step, "time_s": round(elapsed, 3), "images_per_s": round(images_per_s, 1)}
        means, bad = self.stats.flush()
        if self.world.distributed:  # every rank's figures averaged; a NaN anywhere stops all ranks
            means = self.world.mean(means, self.device)
            bad = [key for key, value in means.items() if not math.isfinite(value)]
        if bad:
            raise TrainingDiverged(self._diverged_message(", ".join(bad)))
        line.update(means)
        line.update(self.method.log_fields())
        line.update(self._pending_eval)
        self._pending_eval = {}
        return line

    def _check_finite(self) -> None:
        """Refuse to write samples or checkpoints from weights that are no longer finite."""
        if not self.method.is_finite():
            raise TrainingDiverged(self._diverged_message("network weights"))

    def _diverged_message(self, what: str) -> str:
        ckpts = list_checkpoints(self.run_dir / "checkpoints")
        where = f"the last good checkpoint is {ckpts[-1][1]}" if ckpts else "no checkpoint was written"
        return (
            f"training diverged: {what} became NaN/inf by step {self.step}; nothing after it was saved "
            f"({where}). Try lower learning rates (train.lr_g / train.lr_d) or another loss"
        )

    # -- outputs -------------------------------------------------------------------------------

    @torch.no_grad()
    def write_samples(self) -> Path:
        """A grid of the method's images for the recipe's seeds, in ``samples/``."""
        items = self.method.grid(self.seeds)
        path = self.run_dir / "samples" / f"step-{self.step:07d}.png"
        picture = self.data.render_items(items, self.recipe.sample.columns)
        # the recipe that draws this grid again: the same seeds, at this step, unstylized
        drawn = replace(
            self.recipe,
            stylize=[],
            sample=replace(
                self.recipe.sample,
                seeds=format_seeds(self.seeds),
                grid=True,
                truncation=1.0,
                size=0,
                ema=True,
                step=0 if self.step == self.recipe.train.steps else self.step,
            ),
        )
        meta = image_metadata(drawn, self.seeds, self.step, self.host)
        save_png(picture, path, meta, scale=self.recipe.sample.scale, resample=self.recipe.sample.resample)
        if self.loggers is not None:
            self.loggers.image(self.step, "samples", items, path)
        self.hooks.call("on_sample", trainer=self, step=self.step, images=items, path=path)
        return path
