"""The ``gan`` method: a GAN, unconditional or class-conditional, trained as DCGAN and its successors are.

One step is ``n_critic`` discriminator phases, the regularisers' extra D phases (R1) on the
steps they choose, one generator phase and an EMA update of G. The loss owns the maths of each
phase (stylegan2-ada's split); this module only schedules them and steps the optimizers. The
architecture (``[model]``) gives the networks, ``[[regularize]]`` wraps or penalises D and
``[augment]`` transforms every D input, real and fake, in both phases. ``[train]``'s speed
settings (precision, channels_last, compile: :class:`ganvas.training.Speed`) apply to both phases;
the regularisers' phases (R1's second derivatives) stay in fp32.

``conditional = true`` binds each batch's labels to D (:class:`~ganvas.training.LabelBound`);
``class_loss`` > 0 adds AC-GAN's auxiliary classifier on top of the projection discriminator.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import torch
from torch import Tensor, nn

from ganvas import GanvasError, UserInputError
from ganvas.data import BatchFeed, EpochSampler, ImageSet, PointSet
from ganvas.metrics import CollapseWatch
from ganvas.seeds import latents_for_seeds
from ganvas.training import (
    EMA,
    Augment,
    DrawContext,
    GeneratorDrawer,
    LabelBound,
    Loss,
    Method,
    Networks,
    PhaseResult,
    Regularizer,
    Speed,
    TrainContext,
    build_networks,
    class_latents,
    current_world,
    generate,
    identity,
    one_hot,
    optimizer_step,
)
from ganvas.training.augment import AdaController, AugmentPipeline, build_pipeline

Phase = Callable[[nn.Module, nn.Module, Tensor, Tensor, Augment], PhaseResult]  # Loss.d_phase, Loss.g_phase

__all__ = ["GanMethod", "make_optimizer", "lr_factor", "ema_beta"]


def ema_beta(train: Any) -> float:
    """The generator EMA's decay per step: from ``train.ema_kimg`` (a half-life in thousands of
    images, StyleGAN2-ADA's, the same meaning at any batch and number of processes) when set,
    else ``train.ema`` (per step)."""
    if train.ema_kimg > 0:
        return 0.5 ** (train.batch / (train.ema_kimg * 1000.0))
    return float(train.ema)


def make_optimizer(name: str, loss: Loss, module: nn.Module, lr: float, betas: list[float]) -> torch.optim.Optimizer:
    """Adam (with ``betas``) or RMSprop; ``auto`` takes the loss's preference."""
    choice = loss.optimizer if name == "auto" else name
    if choice == "rmsprop":
        return torch.optim.RMSprop(module.parameters(), lr=lr)
    return torch.optim.Adam(module.parameters(), lr=lr, betas=(betas[0], betas[1]))


class GanMethod(Method):
    """Unconditional GAN: see the module docstring."""

    data = (ImageSet, PointSet)
    uses = frozenset({"model", "loss", "regularize", "augment"})
    distributed = True  # trains under torchrun: see ganvas.training.distributed
    speed_settings = True  # reads train.precision, train.channels_last and train.compile

    def __init__(
        self,
        ctx: TrainContext,
        *,
        n_critic: int = 0,
        collapse_watch: bool = True,
        conditional: bool = False,
        class_loss: float = 0.0,
    ) -> None:
        super().__init__(ctx)
        recipe, host, device = ctx.recipe, ctx.host, ctx.device
        cfg = recipe.train
        self.world = current_world()
        self.batch, self.device = cfg.batch, device
        self.local_batch = self.world.local_batch(cfg.batch)
        self.regularizers: list[Regularizer] = [
            host.get("regularizers", ref.name).build(**ref.params) for ref in recipe.regularize
        ]
        problems = [p for reg in self.regularizers for p in reg.check(self.local_batch)]
        if problems:
            raise UserInputError("; ".join(problems))
        self.classes = self._classes(conditional)
        self.class_loss = class_loss
        nets = self._networks()
        if class_loss > 0:
            _check_class_logits(nets.discriminator, conditional, recipe.model.name)
        self.z_dim = nets.z_dim
        self.G, self.D = nets.generator.to(device), nets.discriminator.to(device)
        # train.precision, channels_last, compile: all off by default, and then no-ops
        self.speed = Speed.from_recipe(cfg, device, ctx.data.shape)
        self.speed.networks(self.G, self.D)
        self.scalers = {"G": self.speed.scaler(), "D": self.speed.scaler()}  # fp16 only
        # under torchrun G and D train through DistributedDataParallel (gradients averaged over the
        # ranks): D in its phases, G in its own; the other network is called bare (no gradients to sync)
        self.G_call, self.G_train = self.speed.compile_pair(self.G, self.world.wrap(self.G, device))
        D_call, D_train = self.speed.compile_pair(self.D, self.world.wrap(self.D, device))
        self.D_in: nn.Module = LabelBound(D_call) if self.classes else D_call  # what the loss calls in G's phase
        self.D_phase: nn.Module = LabelBound(D_train) if self.classes else D_train
        self.ema = EMA(self.G, ema_beta(cfg))
        self.loss: Loss = host.get("losses", recipe.loss.name).build(**recipe.loss.params)
        self.n_critic = n_critic or self.loss.n_critic
        self.augment: Augment = identity
        self.pipeline: AugmentPipeline | None = None
        self.ada: AdaController | None = None
        self._build_augment()
        self.opt_g = make_optimizer(cfg.optimizer, self.loss, self.G, cfg.lr_g, cfg.betas)
        self.opt_d = make_optimizer(cfg.optimizer, self.loss, self.D, cfg.lr_d, cfg.betas)
        self.watch = CollapseWatch(ctx.data, self.z_dim, device, cfg.seed) if collapse_watch else None
        self.sampler = EpochSampler(len(ctx.data), cfg.seed)
        # batches in the sampler's order: read ahead by DataLoader workers from an on-disk cache
        self.feed = BatchFeed(ctx.data, self.sampler, self.batch, shard=self.world.shard)
        self.noise = torch.Generator(device=device).manual_seed(cfg.seed + 1)
        self._grid_z: tuple[list[int], Tensor] | None = None
        self._swd_reals: tuple[Tensor, Tensor, float] | None = None

    def _classes(self, conditional: bool) -> tuple[str, ...]:
        """The class names a conditional run learns; () for an unconditional one."""
        data = self.ctx.data
        if not conditional:
            return ()
        if not data.labeled:
            raise UserInputError(
                f"method.conditional = true needs data with labels; '{self.ctx.recipe.data.name}' has none: use "
                'procedural:mixed, mnist: (with its labels file beside it) or folder: with data.classes = "subfolders"'
            )
        if any(reg.discriminator_shape(data.shape) != data.shape for reg in self.regularizers):
            raise UserInputError("method.conditional cannot be combined with packing ([[regularize]] 'pack')")
        return data.classes

    def _networks(self) -> Networks:
        recipe, host, shape = self.ctx.recipe, self.ctx.host, self.ctx.data.shape
        nets = build_networks(recipe, host, shape, classes=len(self.classes))
        d_shape = shape
        for reg in self.regularizers:
            d_shape = reg.discriminator_shape(d_shape)
        if d_shape != shape:  # e.g. packing: D judges several items at once
            nets.discriminator = build_networks(recipe, host, d_shape).discriminator
        for reg in self.regularizers:
            nets.discriminator = reg.wrap_discriminator(nets.discriminator)
        return nets

    def _build_augment(self) -> None:
        """The recipe's augmentation pipeline (and ADA controller) when ``augment.policy`` is set."""
        cfg = self.ctx.recipe.augment
        if not cfg.policy.strip():
            return
        if not self.ctx.data.pictures:
            raise UserInputError(
                f"augment.policy = {cfg.policy!r} needs an image dataset; "
                f"'{self.ctx.recipe.data.name}' gives {self.ctx.data.kind}: remove [augment]"
            )
        pipeline = build_pipeline(self.ctx.host, cfg.policy, cfg.p, adaptive=cfg.ada, params=cfg.ops)
        self.pipeline = self.augment = pipeline.to(self.device)
        if cfg.ada:
            self.ada = AdaController(pipeline, target=cfg.ada_target, interval=cfg.ada_interval, kimg=cfg.ada_kimg)
            self.ada.reduce = self.world.mean_tensor

    # -- one step ---------------------------------------------------------------------------

    def train_step(self, step: int) -> dict[str, Tensor]:
        """``n_critic`` discriminator phases, the regularisers' D phases, one G phase, the EMA."""
        cfg, stats = self.ctx.recipe.train, {}
        schedule_learning_rates(step, cfg, (self.opt_g, cfg.lr_g), (self.opt_d, cfg.lr_d))
        for reg in self.regularizers:
            reg.start_step(step, cfg.steps)
        self.D.requires_grad_(True)
        for _ in range(self.n_critic):
            index, real = self.feed.next()  # the global batch's indices; this rank's slice of the items
            real = self.speed.batch(real.to(self.device, non_blocking=True))
            z = self._z(index)
            result = self._phase("D", self.loss.d_phase, self.G_call, self.D_phase, real, z)
            optimizer_step(self.opt_d, result.loss, self.scalers["D"])
            self.loss.after_d_step(self.D)
            stats.update(result.stats)
            if self.ada is not None:
                self._observe_ada(self.ada, result.stats)
        for reg in self.regularizers:  # extra D phases (R1), on the steps each one chooses; in fp32
            extra = reg.d_reg(step, self.D_phase, real, self.augment)
            if extra is not None:
                optimizer_step(self.opt_d, extra.loss, self.scalers["D"])
                stats.update(extra.stats)
        self.D.requires_grad_(False)  # G's phase needs gradients through D, not for D
        z = self._z(index)
        result = self._phase("G", self.loss.g_phase, self.G_train, self.D_in, real, z)
        optimizer_step(self.opt_g, result.loss, self.scalers["G"])
        stats.update(result.stats)
        self.ema.update(step)
        return stats

    def _phase(self, name: str, run: Phase, G: nn.Module, D: nn.Module, real: Tensor, z: Tensor) -> PhaseResult:
        """One loss phase under the speed settings' autocast; with ``method.class_loss`` (AC-GAN's
        auxiliary classifier) plus that weight times the class cross-entropy of every D call in it:
        D learns to tell the classes of real and generated images apart, G to draw the asked one."""
        collect: AbstractContextManager[list[Tensor]] = (
            D.collecting(self.class_loss > 0) if isinstance(D, LabelBound) else nullcontext([])
        )
        with self.speed.autocast(), collect as terms:
            result = run(G, D, real, z, self.augment)
        if not terms:
            return result
        term = torch.stack(terms).sum()
        return PhaseResult(result.loss + self.class_loss * term, result.stats | {f"Loss/{name}_class": term.detach()})

    def _z(self, index: Tensor) -> Tensor:
        """Noise for this rank's slice of the global batch ``index``; a conditional run's carries
        the real batch's classes (bound to D too). The whole global batch's noise is drawn on
        every rank, so the noise does not depend on the number of processes."""
        noise = self.world.shard(torch.randn(self.batch, self.z_dim, device=self.device, generator=self.noise))
        if not self.classes:
            return noise
        labels = one_hot(self.ctx.data.labels_at(self.world.shard(index)), len(self.classes)).to(self.device)
        self.D_in.labels = self.D_phase.labels = labels  # LabelBounds when there are classes
        return torch.cat([noise, labels], dim=1)

    def _latents(self, seeds: list[int]) -> Tensor:
        """Latents for drawing while training: seed ``s`` draws class ``s mod K`` when conditional."""
        if not self.classes:
            return latents_for_seeds(seeds, self.z_dim, self.device)
        return class_latents(seeds, None, self.z_dim, len(self.classes), self.device)

    def _observe_ada(self, ada: AdaController, stats: dict[str, Tensor]) -> None:
        """Feed ADA this D phase's r_t sample (a device tensor: no sync)."""
        sign = stats.get("D/real_sign")
        if sign is None:
            raise GanvasError(
                f"augment.ada needs the loss to report 'D/real_sign' (mean sign of D's real logits) from "
                f"d_phase; loss '{self.ctx.recipe.loss.name}' does not: set augment.ada = false"
            )
        ada.observe(sign, self.batch)  # the global batch; r_t is averaged over the ranks (ada.reduce)

    # -- what the loop asks -----------------------------------------------------------------

    def is_finite(self) -> bool:
        flat = torch.cat([p.detach().flatten() for p in (*self.G.parameters(), *self.D.parameters())])
        return bool(torch.isfinite(flat).all())

    def log_fields(self) -> dict[str, float]:
        fields = {"LR/G": float(self.opt_g.param_groups[0]["lr"]), "LR/D": float(self.opt_d.param_groups[0]["lr"])}
        return fields | ({"Augment/p": float(self.pipeline.p)} if self.pipeline is not None else {})

    def observe(self, line: dict[str, Any]) -> str | None:
        return self.watch.observe(self.ema.model, line) if self.watch is not None else None

    def grid(self, seeds: list[int]) -> Tensor:
        if self._grid_z is None or self._grid_z[0] != seeds:
            self._grid_z = (list(seeds), self._latents(seeds))
        return generate(self.ema.model, self._grid_z[1])

    @torch.no_grad()
    def evaluate(self, samples: int = 256) -> dict[str, float]:
        """Laplacian SWD x1e3 of ``samples`` EMA images vs real ones, and the real-vs-real floor.

        Uses its own generators (fixed latents, fixed real sets), so it changes no training RNG
        state: a run with evaluations trains exactly as one without.
        """
        from ganvas.metrics import laplacian_swd as swd

        data = self.ctx.data
        if not data.pictures:
            return {}
        if self._swd_reals is None:
            n = max(min(samples, len(data) // 2), 1)
            order = torch.randperm(len(data), generator=torch.Generator().manual_seed(self.ctx.recipe.train.seed))
            a, b = data.batch(order[:n]).cpu(), data.batch(order[n : 2 * n]).cpu()
            self._swd_reals = (a, b, swd(b, a)["average"])
        real_a, _, floor = self._swd_reals
        fake = generate(self.ema.model, self._latents(list(range(len(real_a)))))
        result = swd(fake.float().cpu().clamp(-1, 1), real_a)
        return {
            "SWD/avg": result["average"],
            "SWD/real_floor": floor,
            **{f"SWD/{level}px": value for level, value in result["levels"].items()},
        }

    # -- state ----------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "z_dim": self.z_dim,
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "G_ema": self.ema.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "sampler": self.sampler.state_dict(),
            "watch": self.watch.state_dict() if self.watch is not None else None,
            "augment": None
            if self.pipeline is None
            else {"pipeline": self.pipeline.state_dict(), "ada": self.ada.state_dict() if self.ada else None},
            "noise": self.noise.get_state(),
            "classes": list(self.classes),
        }
        if self.scalers["G"] is not None:  # fp16: the gradient scalers' loss scales, for an exact resume
            state["scalers"] = {name: scaler.state_dict() for name, scaler in self.scalers.items()}
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.ema.load_state_dict(state["G_ema"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.sampler.load_state_dict(state["sampler"])
        if self.watch is not None and state.get("watch"):
            self.watch.load_state_dict(state["watch"])
        augment = state.get("augment")
        if augment and self.pipeline is not None:
            self.pipeline.load_state_dict(augment["pipeline"])
            if self.ada is not None and augment.get("ada") is not None:
                self.ada.load_state_dict(augment["ada"])
        self.noise.set_state(state["noise"])
        for name, scaler in self.scalers.items():
            if scaler is not None and state.get("scalers"):
                scaler.load_state_dict(state["scalers"][name])

    def current_drawer(self, *, ema: bool = True) -> GeneratorDrawer:
        ctx = DrawContext(self.ctx.recipe, self.ctx.host, self.device, self.ctx.data.shape, type(self.ctx.data))
        generator = self.ema.model if ema else self.G
        traits = _render_traits(ctx)
        return GeneratorDrawer(generator, self.z_dim, type(self.ctx.data), self.device, classes=self.classes, **traits)

    @classmethod
    def drawer(cls, ctx: DrawContext, state: dict[str, Any], *, ema: bool = True) -> GeneratorDrawer:
        classes = tuple(state.get("classes") or ())
        nets = build_networks(ctx.recipe, ctx.host, ctx.data_shape, classes=len(classes))
        generator = nets.generator
        generator.load_state_dict(state["G_ema" if ema else "G"])
        generator.to(ctx.device).eval().requires_grad_(False)
        return GeneratorDrawer(generator, nets.z_dim, ctx.kind, ctx.device, classes=classes, **_render_traits(ctx))


def _check_class_logits(discriminator: nn.Module, conditional: bool, architecture: str) -> None:
    """``method.class_loss`` needs a conditional run whose discriminator gives class logits."""
    if not conditional:
        raise UserInputError(
            "method.class_loss needs method.conditional = true (it trains D to tell the classes apart)"
        )
    inner: Any = discriminator
    while isinstance(getattr(inner, "inner", None), nn.Module):  # regularisers' wrappers pass class_logits= on
        inner = inner.inner
    if "class_logits" not in inspect.signature(inner.forward).parameters:
        raise UserInputError(
            f"method.class_loss needs a discriminator that gives class logits (forward(x, labels, class_logits=True)); "
            f"architecture '{architecture}'s does not: set method.class_loss = 0 or use dcgan or cppn"
        )


def _render_traits(ctx: DrawContext) -> dict[str, Any]:
    """What the recipe's architecture declares about drawing: any size, tiles, the native size."""
    traits = ctx.host.get("architectures", ctx.recipe.model.name).traits
    native = (ctx.data_shape[1], ctx.data_shape[2]) if len(ctx.data_shape) == 3 else None
    return {"any_size": bool(traits.get("any_size")), "tiles": bool(traits.get("tiles")), "native_size": native}


def schedule_learning_rates(step: int, train: Any, *optimizers: tuple[torch.optim.Optimizer, float]) -> None:
    """Set each ``(optimizer, base rate)``'s rate for ``step`` by ``train.lr_decay`` (none: as is)."""
    if train.lr_decay == "none":
        return
    factor = lr_factor(step, train.steps, train.lr_decay, train.decay_start)
    for opt, base in optimizers:
        for group in opt.param_groups:
            group["lr"] = base * factor


def lr_factor(step: int, steps: int, decay: str, start: float) -> float:
    """The learning-rate schedule's factor at ``step``: a function of the step alone."""
    begin = start * steps
    progress = min(max((step - begin) / max(steps - begin, 1), 0.0), 1.0)
    return 1 - progress if decay == "linear" else 0.5 * (1 + math.cos(math.pi * progress))
