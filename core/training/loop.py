"""The training loop: alternate D and G phases, keep an EMA generator, log, sample, checkpoint.

Read :meth:`Trainer.train_step` top to bottom: the loss owns the maths of each phase; the loop
only schedules them (``n_critic`` D phases, then one G phase) and steps the optimizers.
Everything that decides the next step (weights, optimizers, EMA, data order, RNG states) is in
the checkpoint, so an interrupted and resumed run ends with the same weights as one that ran
straight through.
"""

from __future__ import annotations

import copy
import json
import math
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from ganvas import __version__
from ganvas.io.checkpoint import checkpoint_path, list_checkpoints, load_checkpoint, prune_checkpoints, save_checkpoint
from ganvas.training.components import Augment, Dataset, Loss, Networks, Regularizer, generate, identity
from ganvas.metrics.diversity import CollapseWatch
from ganvas.device import resolve_device
from ganvas.errors import GanvasError, UserInputError
from ganvas.io.images import make_grid, render_points, save_png, to_uint8
from ganvas.plugin.manager import PluginHost
from ganvas.training.progress import Progress, format_duration
from ganvas.recipe.schema import Recipe
from ganvas.io.runs import STATS_FILE
from ganvas.drawing.seeds import format_seeds, latents_for_seeds, parse_seeds

if TYPE_CHECKING:
    from ganvas.plugins.augment.ada import AdaController
    from ganvas.plugins.augment.pipeline import AugmentPipeline

__all__ = ["Trainer", "TrainingDiverged", "TrainingInterrupted", "build_dataset", "build_networks"]


class TrainingDiverged(GanvasError):
    """A loss became NaN or infinite; nothing after the last good checkpoint was written."""


class TrainingInterrupted(GanvasError):
    """Ctrl-C: a checkpoint was saved and the run can be resumed."""

    exit_code = 130


def build_dataset(recipe: Recipe, host: PluginHost) -> Dataset:
    component = host.get("datasets", recipe.data.name)
    dataset = component.build(recipe.data.argument, **recipe.data.params)
    if not isinstance(dataset, Dataset):
        raise GanvasError(f"{component.label} (plugin '{component.plugin}') returned {type(dataset).__name__}, not a ganvas Dataset")
    return dataset


def build_networks(recipe: Recipe, host: PluginHost, data_shape: tuple[int, ...]) -> Networks:
    component = host.get("architectures", recipe.model.name)
    nets = component.build(tuple(data_shape), **recipe.model.params)
    if not isinstance(nets, Networks):
        raise GanvasError(f"{component.label} (plugin '{component.plugin}') returned {type(nets).__name__}, not ganvas Networks")
    return nets


def make_optimizer(name: str, loss: Loss, module: nn.Module, lr: float, betas: list[float]) -> torch.optim.Optimizer:
    """Adam (with ``betas``) or RMSprop; ``auto`` takes the loss's preference."""
    choice = loss.optimizer if name == "auto" else name
    if choice == "rmsprop":
        return torch.optim.RMSprop(module.parameters(), lr=lr)
    return torch.optim.Adam(module.parameters(), lr=lr, betas=(betas[0], betas[1]))


class EpochSampler:
    """Random batches of indices, each item once per epoch; its state is plain data."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.generator = torch.Generator().manual_seed(seed)
        self.order = torch.randperm(size, generator=self.generator)
        self.position = 0

    def next(self, batch: int) -> Tensor:
        parts, need = [], batch
        while need:
            if self.position == self.size:
                self.order = torch.randperm(self.size, generator=self.generator)
                self.position = 0
            take = min(need, self.size - self.position)
            parts.append(self.order[self.position : self.position + take])
            self.position += take
            need -= take
        return parts[0] if len(parts) == 1 else torch.cat(parts)

    def state_dict(self) -> dict[str, Any]:
        return {"rng": self.generator.get_state(), "order": self.order, "position": self.position}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.set_state(state["rng"])
        self.order = state["order"]
        self.position = int(state["position"])


class Trainer:
    """Trains one recipe in one run folder. Build it, then call :meth:`run`."""

    def __init__(self, recipe: Recipe, run_dir: Path, host: PluginHost, *, quiet: bool = False,
                 device: str | None = None) -> None:
        self.recipe, self.run_dir, self.host, self.quiet = recipe, Path(run_dir), host, quiet
        cfg = recipe.train
        self.device = resolve_device(device or cfg.device)
        torch.manual_seed(cfg.seed)
        self.data = build_dataset(recipe, host)
        if self.data.data.numel() * self.data.data.element_size() < 1 << 30:
            self.data.to(self.device)  # small datasets live on the device: no per-batch copies
        self.regularizers: list[Regularizer] = [
            host.get("regularizers", ref.name).build(**ref.params) for ref in recipe.regularize
        ]
        problems = [p for reg in self.regularizers for p in reg.check(cfg.batch)]
        if problems:
            raise UserInputError("; ".join(problems))
        nets = build_networks(recipe, host, self.data.shape)
        d_shape = self.data.shape
        for reg in self.regularizers:
            d_shape = reg.discriminator_shape(d_shape)
        if d_shape != self.data.shape:  # e.g. packing: D judges several items at once
            nets.discriminator = build_networks(recipe, host, d_shape).discriminator
        for reg in self.regularizers:
            nets.discriminator = reg.wrap_discriminator(nets.discriminator)
        self.z_dim = nets.z_dim
        self.G = nets.generator.to(self.device)
        self.D = nets.discriminator.to(self.device)
        # ema = 0 turns the EMA off: samples come from G itself
        self.G_ema = copy.deepcopy(self.G).eval().requires_grad_(False) if cfg.ema > 0 else self.G
        # load_state_dict copies in place, so these stay valid across resume; built once, used every step
        self._ema_params, self._params = list(self.G_ema.parameters()), list(self.G.parameters())
        self._ema_buffers = list(zip(self.G_ema.buffers(), self.G.buffers()))
        loss_component = host.get("losses", recipe.loss.name)
        self.loss: Loss = loss_component.build(**recipe.loss.params)
        self.n_critic = cfg.n_critic or self.loss.n_critic
        self.augment: Augment = identity
        self.augment_pipeline: AugmentPipeline | None = None  # set when the recipe has augment.policy
        self.ada: AdaController | None = None  # set when augment.ada = true
        self._build_augment(host)
        self.opt_g = make_optimizer(cfg.optimizer, self.loss, self.G, cfg.lr_g, cfg.betas)
        self.opt_d = make_optimizer(cfg.optimizer, self.loss, self.D, cfg.lr_d, cfg.betas)
        self.watch = CollapseWatch(self.data, self.z_dim, self.device, cfg.seed)
        self.sampler = EpochSampler(len(self.data), cfg.seed)
        self.noise = torch.Generator(device=self.device).manual_seed(cfg.seed + 1)
        self.step = 0
        self.seeds = parse_seeds(recipe.sample.seeds)
        self.fixed_z = latents_for_seeds(self.seeds, self.z_dim, self.device)
        self._stop_requested = False
        self._stats_sum: dict[str, Tensor] = {}
        self._stats_count = 0
        self._pending_eval: dict[str, float] = {}
        self._swd_reals: tuple[Tensor, Tensor] | None = None
        self._swd_floor = 0.0

    # -- one step ---------------------------------------------------------------------------

    def train_step(self) -> dict[str, Tensor]:
        """``n_critic`` discriminator phases, one generator phase, one EMA update."""
        batch, stats = self.recipe.train.batch, {}
        if self.recipe.train.lr_decay != "none":
            self._set_learning_rates()
        for reg in self.regularizers:
            reg.start_step(self.step, self.recipe.train.steps)
        self.D.requires_grad_(True)
        for _ in range(self.n_critic):
            real = self.data.batch(self.sampler.next(batch))
            z = torch.randn(batch, self.z_dim, device=self.device, generator=self.noise)
            self.opt_d.zero_grad(set_to_none=True)
            result = self.loss.d_phase(self.G, self.D, real, z, self.augment)
            result.loss.backward()
            self.opt_d.step()
            self.loss.after_d_step(self.D)
            stats.update(result.stats)
            if self.ada is not None:
                self._observe_ada(self.ada, result.stats, batch)
        for reg in self.regularizers:  # extra D phases (R1), on the steps each one chooses
            extra = reg.d_reg(self.step, self.D, real, self.augment)
            if extra is not None:
                self.opt_d.zero_grad(set_to_none=True)
                extra.loss.backward()
                self.opt_d.step()
                stats.update(extra.stats)
        self.D.requires_grad_(False)  # G's phase needs gradients through D, not for D
        z = torch.randn(batch, self.z_dim, device=self.device, generator=self.noise)
        self.opt_g.zero_grad(set_to_none=True)
        result = self.loss.g_phase(self.G, self.D, real, z, self.augment)
        result.loss.backward()
        self.opt_g.step()
        stats.update(result.stats)
        self._update_ema()
        self.step += 1
        return stats

    def _build_augment(self, host: PluginHost) -> None:
        """The recipe's augmentation pipeline (and ADA controller) when ``augment.policy`` is set."""
        cfg = self.recipe.augment
        policy = str(cfg.get("policy", "") or "")
        if not policy.strip():
            return
        if self.data.kind != "images":
            raise UserInputError(f"augment.policy = {policy!r} needs an image dataset; "
                                 f"'{self.recipe.data.name}' gives points: remove [augment]")
        from ganvas.plugins.augment.ada import AdaController
        from ganvas.plugins.augment.pipeline import build_pipeline, parse_policy

        params = {name: dict(cfg[name]) for name in parse_policy(policy) if isinstance(cfg.get(name), dict)}
        adaptive = bool(cfg.get("ada", False))
        p = cfg.get("p")
        p = (0.0 if adaptive else 1.0) if p is None else float(p)
        pipeline = build_pipeline(host, policy, p, adaptive=adaptive, params=params).to(self.device)
        self.augment_pipeline = pipeline
        self.augment = pipeline
        if adaptive:
            self.ada = AdaController(pipeline, target=float(cfg.get("ada_target", 0.6)),
                                     interval=int(cfg.get("ada_interval", 4)), kimg=float(cfg.get("ada_kimg", 500.0)))

    def _observe_ada(self, ada: AdaController, stats: dict[str, Tensor], batch: int) -> None:
        """Feed ADA this D phase's r_t sample (a device tensor: no sync)."""
        sign = stats.get("D/real_sign")
        if sign is None:
            raise GanvasError(
                f"augment.ada needs the loss to report 'D/real_sign' (mean sign of D's real logits) from "
                f"d_phase; loss '{self.recipe.loss.name}' does not: set augment.ada = false"
            )
        ada.observe(sign, batch)

    def _set_learning_rates(self) -> None:
        """The schedule is a function of the step alone, so resuming needs no extra state."""
        cfg = self.recipe.train
        start = cfg.decay_start * cfg.steps
        progress = min(max((self.step - start) / max(cfg.steps - start, 1), 0.0), 1.0)
        factor = 1 - progress if cfg.lr_decay == "linear" else 0.5 * (1 + math.cos(math.pi * progress))
        for opt, base in ((self.opt_g, cfg.lr_g), (self.opt_d, cfg.lr_d)):
            for group in opt.param_groups:
                group["lr"] = base * factor

    @torch.no_grad()
    def _update_ema(self) -> None:
        beta = self.recipe.train.ema
        if beta <= 0:
            return
        beta = min(beta, (1 + self.step) / (10 + self.step))  # warm-up: early weights fade fast
        torch._foreach_lerp_(self._ema_params, self._params, 1.0 - beta)
        for ema_buf, buf in self._ema_buffers:
            ema_buf.copy_(buf)

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> Path:
        """Train to ``train.steps``; returns the last checkpoint. Ctrl-C saves one and raises."""
        cfg = self.recipe.train
        hook = self.host.pm.hook
        step_hook = self.step_hook()
        progress = Progress(cfg.steps, self.step, self.run_dir.name, quiet=self.quiet)
        hook.on_train_start(trainer=self)
        start_step, started = self.step, time.perf_counter()
        interval_start, interval_steps = started, 0
        last_ckpt: Path | None = None
        reason = "finished"
        try:
            with self._catch_ctrl_c(), (self.run_dir / STATS_FILE).open("a") as stats_file:
                while self.step < cfg.steps:
                    self.advance(step_hook)
                    interval_steps += 1
                    done = self.step == cfg.steps
                    if cfg.eval_every and self.data.kind == "images" and self.step % cfg.eval_every == 0:
                        eval_start = time.perf_counter()
                        self._pending_eval = self.evaluate_swd()
                        interval_start += time.perf_counter() - eval_start  # keep img/s about training
                    if self.step % cfg.log_every == 0 or done or self._stop_requested:
                        now = time.perf_counter()
                        line = self._flush_stats(now - started, interval_steps * cfg.batch / max(now - interval_start, 1e-9))
                        warning = self.watch.observe(self.G_ema, line)
                        if warning:
                            progress.write(f"warning: {warning}")
                        interval_start, interval_steps = time.perf_counter(), 0
                        stats_file.write(json.dumps(line) + "\n")
                        stats_file.flush()
                        progress.update(self.step, _progress_fields(line))
                    if self._stop_requested:
                        reason = "interrupted"
                        break
                    if cfg.sample_every and (self.step % cfg.sample_every == 0 or done):
                        self._check_finite()
                        self.write_samples()
                    if (done or (cfg.checkpoint_every and self.step % cfg.checkpoint_every == 0)
                            or self.step == self.recipe.sample.step):  # sample.step: a picture is drawn from it
                        last_ckpt = self.save()
            if reason == "interrupted":
                self._check_finite()
                last_ckpt = self.save()
                progress.close()
                raise TrainingInterrupted(
                    f"interrupted at step {self.step}/{cfg.steps}; checkpoint saved to {last_ckpt}; "
                    f"continue with: ganvas train --resume {self.run_dir}"
                )
        except TrainingDiverged:
            reason = "diverged"
            raise
        finally:
            progress.close()
            hook.on_train_end(trainer=self, step=self.step, reason=reason)
        elapsed = time.perf_counter() - started
        progress.write(
            f"trained {self.step - start_step} steps in {format_duration(elapsed)} "
            f"({(self.step - start_step) * cfg.batch / max(elapsed, 1e-9):.0f} img/s)"
        )
        if last_ckpt is None:  # resumed a run that was already complete
            last_ckpt = list_checkpoints(self.run_dir / "checkpoints")[-1][1]
        return last_ckpt

    def step_hook(self) -> Any:
        """``on_step_end`` when a plugin implements it, else None: an empty hook costs nothing."""
        return self.host.pm.hook.on_step_end if self.host.has_impls("on_step_end") else None

    def advance(self, step_hook: Any = None) -> None:
        """One training step plus what the loop does after every step: stats and ``on_step_end``."""
        stats = self.train_step()
        self._accumulate(stats)
        if step_hook is not None:
            step_hook(trainer=self, step=self.step, stats=stats)

    @contextmanager
    def _catch_ctrl_c(self) -> Iterator[None]:
        """The first Ctrl-C finishes the current step and checkpoints; a second one aborts."""
        try:
            previous = signal.getsignal(signal.SIGINT)
        except ValueError:  # not the main thread: no signal handling
            yield
            return

        def handler(signum: int, frame: Any) -> None:
            if self._stop_requested:
                raise KeyboardInterrupt
            self._stop_requested = True

        try:
            signal.signal(signal.SIGINT, handler)
        except ValueError:
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def request_stop(self) -> None:
        """Stop after the current step, checkpoint and raise TrainingInterrupted (as Ctrl-C does)."""
        self._stop_requested = True

    # -- stats -------------------------------------------------------------------------------

    def _accumulate(self, stats: dict[str, Tensor]) -> None:
        for key, value in stats.items():
            previous = self._stats_sum.get(key)
            self._stats_sum[key] = value.detach().float() if previous is None else previous + value.detach()
        self._stats_count += 1

    def _flush_stats(self, elapsed: float, images_per_s: float) -> dict[str, Any]:
        line: dict[str, Any] = {"step": self.step, "time_s": round(elapsed, 3), "images_per_s": round(images_per_s, 1)}
        if self._stats_sum:
            means = torch.stack(list(self._stats_sum.values())).cpu() / max(self._stats_count, 1)
            for key, value in zip(self._stats_sum, means.tolist()):
                line[key] = value
            bad = [k for k, v in zip(self._stats_sum, means.tolist()) if not math.isfinite(v)]
            if bad:
                raise TrainingDiverged(self._diverged_message(", ".join(bad)))
        if self.augment_pipeline is not None:
            line["Augment/p"] = float(self.augment_pipeline.p)
        line.update(self._pending_eval)
        self._pending_eval = {}
        self._stats_sum, self._stats_count = {}, 0
        return line

    def _check_finite(self) -> None:
        """Refuse to write samples or checkpoints from weights that are no longer finite."""
        flat = torch.cat([p.detach().flatten() for p in self.G.parameters()] +
                         [p.detach().flatten() for p in self.D.parameters()])
        if not bool(torch.isfinite(flat).all()):
            raise TrainingDiverged(self._diverged_message("network weights"))

    def _diverged_message(self, what: str) -> str:
        ckpts = list_checkpoints(self.run_dir / "checkpoints")
        where = f"the last good checkpoint is {ckpts[-1][1]}" if ckpts else "no checkpoint was written"
        return (
            f"training diverged: {what} became NaN/inf by step {self.step}; nothing after it was saved "
            f"({where}). Try lower learning rates (train.lr_g / train.lr_d) or another loss"
        )

    # -- evaluation ----------------------------------------------------------------------------

    @torch.no_grad()
    def evaluate_swd(self, samples: int = 256) -> dict[str, float]:
        """Laplacian SWD x1e3 of ``samples`` EMA images vs real ones, and the real-vs-real floor.

        Uses its own generators (fixed latents, fixed real sets), so it changes no training RNG
        state: a run with evaluations trains exactly as one without.
        """
        from ganvas.metrics.swd import swd

        if self._swd_reals is None:
            n = max(min(samples, len(self.data) // 2), 1)
            order = torch.randperm(len(self.data), generator=torch.Generator().manual_seed(self.recipe.train.seed))
            self._swd_reals = (self.data.batch(order[:n]).cpu(), self.data.batch(order[n : 2 * n]).cpu())
            self._swd_floor = swd(self._swd_reals[1], self._swd_reals[0])["average"]
        real_a, _ = self._swd_reals
        fake = generate(self.G_ema, latents_for_seeds(list(range(len(real_a))), self.z_dim, self.device))
        result = swd(fake.float().cpu().clamp(-1, 1), real_a)
        return {"SWD/avg": result["average"], "SWD/real_floor": self._swd_floor,
                **{f"SWD/{level}px": value for level, value in result["levels"].items()}}

    # -- outputs -------------------------------------------------------------------------------

    @torch.no_grad()
    def write_samples(self) -> Path:
        """A grid of the EMA generator's images for the recipe's seeds, in ``samples/``."""
        images = generate(self.G_ema, self.fixed_z)
        path = self.run_dir / "samples" / f"step-{self.step:07d}.png"
        picture = render(images, self.data, self.recipe.sample.columns)
        from ganvas.drawing.sampler import image_metadata

        # the recipe that draws this grid again: the same seeds, at this step, unstylized
        drawn = replace(self.recipe, stylize=[], sample=replace(
            self.recipe.sample, seeds=format_seeds(self.seeds), grid=True, truncation=1.0, size=0, ema=True,
            step=0 if self.step == self.recipe.train.steps else self.step))
        meta = image_metadata(drawn, self.seeds, self.step, self.host)
        save_png(picture, path, meta, scale=self.recipe.sample.scale, resample=self.recipe.sample.resample)
        self.host.pm.hook.on_sample(trainer=self, step=self.step, images=images, path=path)
        return path

    # -- checkpoints ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "recipe": self.recipe.to_toml(),
            "ganvas_version": __version__,
            "data_shape": list(self.data.shape),
            "data_kind": self.data.kind,
            "z_dim": self.z_dim,
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "G_ema": self.G_ema.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "sampler": self.sampler.state_dict(),
            "watch": self.watch.state_dict(),
            "augment": self._augment_state(),
            "rng": {
                "noise": self.noise.get_state(),
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if self.device.type == "cuda" else [],
            },
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.G_ema.load_state_dict(state["G_ema"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.sampler.load_state_dict(state["sampler"])
        self.watch.load_state_dict(state["watch"])
        augment = state.get("augment")  # absent in checkpoints from before augmentation plugins
        if augment and self.augment_pipeline is not None:
            self.augment_pipeline.load_state_dict(augment["pipeline"])
            if self.ada is not None and augment.get("ada") is not None:
                self.ada.load_state_dict(augment["ada"])
        self.noise.set_state(state["rng"]["noise"])
        torch.set_rng_state(state["rng"]["torch"])
        if self.device.type == "cuda" and state["rng"]["cuda"]:
            torch.cuda.set_rng_state_all(state["rng"]["cuda"])
        self.step = int(state["step"])

    def _augment_state(self) -> dict[str, Any] | None:
        if self.augment_pipeline is None:
            return None
        return {"pipeline": self.augment_pipeline.state_dict(),
                "ada": self.ada.state_dict() if self.ada is not None else None}

    def save(self) -> Path:
        folder = self.run_dir / "checkpoints"
        path = save_checkpoint(self.state_dict(), checkpoint_path(folder, self.step))
        prune_checkpoints(folder, self.recipe.train.keep_checkpoints, keep_steps=(self.recipe.sample.step,))
        self.host.pm.hook.on_checkpoint(trainer=self, step=self.step, path=path)
        return path

    @classmethod
    def resume(cls, run_dir: Path, host: PluginHost, recipe: Recipe, *, quiet: bool = False,
               device: str | None = None) -> Trainer:
        """Rebuild a trainer from ``run_dir``'s newest checkpoint."""
        ckpts = list_checkpoints(run_dir / "checkpoints")
        if not ckpts:
            raise UserInputError(f"run '{run_dir}' has no checkpoint to resume from (checkpoints/ is empty)")
        trainer = cls(recipe, run_dir, host, quiet=quiet, device=device)
        trainer.load_state_dict(load_checkpoint(ckpts[-1][1]))
        return trainer


def _progress_fields(line: dict[str, Any]) -> dict[str, str]:
    fields = {k.split("/", 1)[1] if k.startswith("Loss/") else k: f"{v:.3f}" for k, v in line.items() if k.startswith("Loss/")}
    if "Augment/p" in line:
        fields["p"] = f"{line['Augment/p']:.3f}"
    fields["img/s"] = f"{line['images_per_s']:.0f}"
    return fields


def render(items: Tensor, data: Dataset | None, columns: int = 0, kind: str | None = None) -> Tensor:
    """Generated items as one uint8 picture: an image grid, or a scatter plot for points."""
    kind = kind or (data.kind if data is not None else "images")
    if kind == "points":
        reference = data.data[:5000] if data is not None else None
        return render_points(items, reference)
    return make_grid(to_uint8(items), columns)
