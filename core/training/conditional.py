"""Class-conditional training and drawing: labels bound to a discriminator, class weights in the
generator's latent, and the drawer of a conditional generator.

A conditional generator (an architecture with the ``conditional`` trait) takes z of
``z_dim + K``: the noise, then the class weights (one-hot for one class; a mix blends them, which
is how an animation morphs from one class to another). Its discriminator takes ``labels=``; the
method binds a batch's labels with :class:`LabelBound`, so losses and regularisers call
``D(x)`` as for any discriminator. Real and generated items of one step share the real batch's
labels, so the generated classes follow the data's class balance.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganvas.errors import UserInputError, did_you_mean
from ganvas.seeds import latents_for_seeds

__all__ = ["LabelBound", "one_hot", "class_latents", "select_classes"]


class LabelBound(nn.Module):
    """``D(x)`` as ``D(x, labels=self.labels)``: set :attr:`labels` before each phase.

    While :meth:`collecting` class losses (``method.class_loss``, AC-GAN's auxiliary classifier:
    Odena et al. 2017), each call asks D for its class logits too (``class_logits=True``) and keeps
    their cross-entropy against the bound labels; the phase adds them to its loss."""

    def __init__(self, discriminator: nn.Module) -> None:
        super().__init__()
        self.net = discriminator
        self.labels: Tensor | None = None
        self._terms: list[Tensor] | None = None

    def forward(self, x: Tensor) -> Tensor:
        labels = self.labels
        if labels is not None and len(labels) != len(x):
            raise RuntimeError(f"{len(x)} items for {len(labels)} bound labels")
        if self._terms is None or labels is None or not torch.is_grad_enabled():  # no_grad calls train nothing
            return self.net(x, labels=labels)
        score, logits = self.net(x, labels=labels, class_logits=True)
        self._terms.append(F.cross_entropy(logits.float(), labels))
        return score

    @contextmanager
    def collecting(self, enabled: bool = True) -> Iterator[list[Tensor]]:
        """Within it, the class cross-entropy of every call made with gradients on lands in the
        yielded list (none when not ``enabled``; a relativistic loss's ``no_grad`` look at the
        real batch in G's phase adds none)."""
        terms: list[Tensor] = []
        self._terms = terms if enabled else None
        try:
            yield terms
        finally:
            self._terms = None


def one_hot(labels: Tensor, classes: int) -> Tensor:
    """Integer labels ``(B,)`` as float class weights ``(B, classes)``."""
    return F.one_hot(labels.long(), classes).float()


def class_latents(seeds: list[int], labels: list[int] | None, z_dim: int, classes: int, device: Any) -> Tensor:
    """One latent per seed: its noise (the same as an unconditional run's) then its class's one-hot
    (``labels``; None: seed ``s`` draws class ``s mod classes``)."""
    labels = [s % classes for s in seeds] if labels is None else labels
    noise = latents_for_seeds(seeds, z_dim, device)
    return torch.cat([noise, one_hot(torch.tensor(labels, device=noise.device), classes)], dim=1)


def select_classes(text: str, classes: tuple[str, ...], option: str = "--class") -> list[int]:
    """``"mondrian"`` or ``"circles,mondrian"`` as class indices; empty: every class. A name that
    is not a class lists the valid ones and suggests the closest."""
    if not classes:
        raise UserInputError(f"{option} needs a class-conditional run (method.conditional = true); this one is not")
    names = [n.strip() for n in text.split(",") if n.strip()] if text.strip() else list(classes)
    chosen = []
    for name in names:
        if name not in classes:
            raise UserInputError(f"{option} '{name}' is not one of this run's classes; {did_you_mean(name, classes)}")
        chosen.append(classes.index(name))
    return chosen
