"""Base classes of the adversarial components plugins provide: networks, losses, regularisers.

A loss owns its training phases (see stylegan2-ada's ``loss.py``): a method only schedules
``d_phase`` ``n_critic`` times, then ``g_phase``, and backpropagates what they return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

if TYPE_CHECKING:
    from ganvas.plugin.manager import PluginHost
    from ganvas.recipe import Recipe

__all__ = [
    "build_networks",
    "Networks",
    "Loss",
    "LogitLoss",
    "PhaseResult",
    "Regularizer",
    "Augment",
    "identity",
    "generate",
]

Augment = Callable[[Tensor], Tensor]


def identity(x: Tensor) -> Tensor:
    """The augmentation that changes nothing."""
    return x


@dataclass
class Networks:
    """What an architecture factory returns: a generator, a discriminator and the latent size."""

    generator: nn.Module
    discriminator: nn.Module
    z_dim: int


@dataclass
class PhaseResult:
    """A phase's loss to backpropagate and its stats (detached tensors, named ``Loss/D/...``)."""

    loss: Tensor
    stats: dict[str, Tensor] = field(default_factory=dict)


class Loss:
    """A GAN objective that owns its phases.

    Subclasses implement ``d_phase`` and ``g_phase`` (and may add regularisation to them);
    the trainer zeroes gradients, calls a phase, backpropagates ``result.loss`` and steps.
    """

    #: Suggested number of D phases per G phase when a recipe does not set ``train.n_critic``.
    n_critic: int = 1
    #: Optimizer used when a recipe says ``train.optimizer = "auto"``: ``adam`` or ``rmsprop``.
    optimizer: str = "adam"

    def d_phase(self, G: nn.Module, D: nn.Module, real: Tensor, z: Tensor, augment: Augment) -> PhaseResult:
        raise NotImplementedError

    def g_phase(self, G: nn.Module, D: nn.Module, real: Tensor, z: Tensor, augment: Augment) -> PhaseResult:
        """``real`` is the last D phase's real batch (relativistic losses compare against it)."""
        raise NotImplementedError

    def after_d_step(self, D: nn.Module) -> None:
        """Called after each discriminator optimizer step (WGAN clips weights here)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LogitLoss(Loss):
    """A loss defined by two functions of discriminator logits; the phases are shared.

    Subclasses implement ``d_loss(real_logits, fake_logits)`` and ``g_loss(fake_logits)``.
    """

    def d_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        raise NotImplementedError

    def g_loss(self, fake_logits: Tensor) -> Tensor:
        raise NotImplementedError

    def d_phase(self, G: nn.Module, D: nn.Module, real: Tensor, z: Tensor, augment: Augment) -> PhaseResult:
        with torch.no_grad():
            fake = G(z)
        real_logits = D(augment(real))
        fake_logits = D(augment(fake))
        loss = self.d_loss(real_logits, fake_logits)
        return PhaseResult(
            loss,
            {
                "Loss/D": loss.detach(),
                "D/real": real_logits.detach().mean(),
                "D/real_sign": real_logits.detach().sign().mean(),  # r_t for adaptive augmentation
                "D/fake": fake_logits.detach().mean(),
            },
        )

    def g_phase(self, G: nn.Module, D: nn.Module, real: Tensor, z: Tensor, augment: Augment) -> PhaseResult:
        fake_logits = D(augment(G(z)))
        loss = self.g_loss(fake_logits)
        return PhaseResult(loss, {"Loss/G": loss.detach()})


class Regularizer:
    """A training regulariser that composes with any loss (``[[regularize]]`` in a recipe).

    It may change the discriminator's input shape (packing), wrap the discriminator (spectral
    norm, packing, instance noise), add a discriminator regularisation phase (R1) that the trainer
    runs after the D phase on the steps ``d_reg`` returns a result for, and follow a schedule
    through ``start_step`` (instance noise annealing).
    """

    def check(self, batch: int) -> list[str]:
        """Problems with the recipe's batch size (e.g. packing needs a multiple of m)."""
        return []

    def discriminator_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The item shape the discriminator must accept, given the data's item shape."""
        return shape

    def wrap_discriminator(self, D: nn.Module) -> nn.Module:
        return D

    def d_reg(self, step: int, D: nn.Module, real: Tensor, augment: Augment) -> PhaseResult | None:
        """A loss to backpropagate into D on this step, or None (the default: no phase)."""
        return None

    def start_step(self, step: int, total_steps: int) -> None:
        """Called before each training step (0-based ``step`` of ``total_steps``): for schedules."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@torch.no_grad()
def generate(G: nn.Module, z: Tensor, batch: int = 256, **options: Any) -> Tensor:
    """``G(z, **options)`` in eval mode, in chunks, so each seed's image is independent of the
    others (``options``: ``size=(H, W)`` for generators that render at any size)."""
    was_training = G.training
    G.eval()
    try:
        return torch.cat([G(chunk, **options) for chunk in z.split(batch)])
    finally:
        G.train(was_training)


def build_networks(recipe: Recipe, host: PluginHost, data_shape: tuple[int, ...], classes: int = 0) -> Networks:
    """The recipe's architecture (``[model]``) built for items of ``data_shape``; with ``classes``
    K > 0, class-conditional (architectures with the ``conditional`` trait only)."""
    from ganvas.errors import GanvasError, UserInputError

    component = host.get("architectures", recipe.model.name)
    if classes and not component.traits.get("conditional"):
        conditional = [c.name for c in host.registry.components("architectures") if c.traits.get("conditional")]
        raise UserInputError(
            f"method.conditional needs a class-conditional architecture; {component.label} is not: "
            f"use [model] name = one of {', '.join(conditional) or '(none installed)'}"
        )
    extra = {"classes": classes} if classes else {}
    nets = component.load()(tuple(data_shape), **extra, **component.resolve(recipe.model.params))
    if not isinstance(nets, Networks):
        raise GanvasError(
            f"{component.label} (plugin '{component.plugin}') returned {type(nets).__name__}, not ganvas Networks"
        )
    label = f"{component.label} (plugin '{component.plugin}')"
    check_networks(nets, tuple(data_shape), label)
    if component.traits.get("any_size") and len(data_shape) == 3:
        check_any_size(nets, tuple(data_shape), label, tiles=bool(component.traits.get("tiles")))
    return nets


def check_any_size(nets: Networks, data_shape: tuple[int, ...], label: str, *, tiles: bool = False) -> None:
    """The ``any_size`` (and ``tiles``) trait's contract, checked with a dry run: the generator
    paints a canvas of another aspect ratio when given ``size=(H, W)``, and a tile of the training
    size with ``tile=True``."""
    from ganvas.errors import GanvasError
    from ganvas.plugin.loading import describe

    G = nets.generator
    channels, height, width = data_shape
    wanted = [((height, width + width // 2), False)] + ([((height, width), True)] if tiles else [])
    was_training = G.training
    G.eval()
    z = torch.zeros(1, nets.z_dim, device=next(G.parameters(), torch.zeros(0)).device)
    try:
        for size, tile in wanted:
            call = f"generator(z, size={size}{', tile=True' if tile else ''})"
            try:
                with torch.no_grad():
                    out = G(z, size=size, tile=True) if tile else G(z, size=size)
            except Exception as exc:
                raise GanvasError(
                    f"{label} declares any_size{' and tiles' if tiles else ''}: {call} failed: {describe(exc)}"
                ) from exc
            if tuple(out.shape) != (1, channels, *size):
                raise GanvasError(f"{label}: {call} gave {tuple(out.shape)}; expected {(1, channels, *size)}")
    finally:
        G.train(was_training)


def check_networks(nets: Networks, data_shape: tuple[int, ...], label: str) -> None:
    """The architecture contract, checked with a dry forward pass at build time: G maps z of shape
    ``(B, z_dim)`` to items ``(B, *data_shape)`` and D maps those to one logit each, ``(B,)`` or
    ``(B, 1)``. It runs in eval mode without gradients on zeros, so it changes no weights, batch-norm
    statistics or random state; a violation is a one-line error naming the component and its plugin."""
    from ganvas.errors import GanvasError
    from ganvas.plugin.loading import describe

    G, D = nets.generator, nets.discriminator
    modes = (G.training, D.training)
    G.eval()
    D.eval()
    try:
        with torch.no_grad():
            z = torch.zeros(2, nets.z_dim, device=next(G.parameters(), torch.zeros(0)).device)
            step = f"its generator on z of shape (2, {nets.z_dim})"
            try:
                items = G(z)
                step = f"its discriminator on items of shape (2, {', '.join(map(str, data_shape))})"
                logits = D(items)
            except Exception as exc:
                raise GanvasError(f"{label}: {step} failed: {describe(exc)}") from exc
    finally:
        G.train(modes[0])
        D.train(modes[1])
    if tuple(items.shape) != (2, *data_shape):
        raise GanvasError(
            f"{label}: its generator gave {tuple(items.shape)} for z of shape (2, {nets.z_dim}); "
            f"expected (2, {', '.join(map(str, data_shape))}), items of the data's shape"
        )
    if logits.shape[0] != 2 or logits.numel() != 2:
        raise GanvasError(
            f"{label}: its discriminator gave {tuple(logits.shape)} for 2 items; "
            "expected one logit per item, (2,) or (2, 1)"
        )
