"""Adaptive discriminator augmentation (Karras et al. 2020): steer ``p`` by D's overfitting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from ganvas.training.augment.pipeline import AugmentPipeline

__all__ = ["AdaController"]


class AdaController:
    """Adjusts ``pipeline.p`` from r_t = E[sign(D(real))] toward ``target``.

    Call :meth:`observe` after every discriminator minibatch with the mean sign of D's real
    logits (a 0-d tensor, left on the device) and the batch size. Every ``interval`` minibatches,
    ``p <- clip(p + sign(r_t - target) * images / (kimg * 1000), 0, 1)`` where ``images`` is the
    number of real images seen in the interval, so p can cross [0, 1] in ``kimg`` thousand
    images. All of it runs on tensors: no host/device sync, ever.
    """

    def __init__(self, pipeline: AugmentPipeline, target: float = 0.6, interval: int = 4, kimg: float = 500.0) -> None:
        self.pipeline, self.target, self.interval, self.kimg = pipeline, float(target), int(interval), float(kimg)
        device = pipeline.p.device
        self.sign_sum = torch.zeros((), device=device)
        self.batches = 0
        self.images = 0
        #: averages a tensor over the training processes (identity in one process): r_t is the
        #: sign of D's real logits over the global batch, so p moves alike on every rank
        self.reduce: Callable[[Tensor], Tensor] = lambda value: value

    def observe(self, real_sign: Tensor, batch: int) -> None:
        """Accumulate one minibatch's mean sign(D(real)) (0-d tensor in [-1, 1]) of ``batch`` images."""
        self.sign_sum = self.sign_sum + real_sign.detach().float().to(self.sign_sum.device)
        self.batches += 1
        self.images += batch
        if self.batches >= self.interval:
            self.update()

    def update(self) -> None:
        """Apply the accumulated interval to ``p`` and start a new interval."""
        if self.batches == 0:
            return
        r_t = self.reduce(self.sign_sum) / self.batches
        step = torch.sign(r_t - self.target) * (self.images / (self.kimg * 1000.0))
        p = self.pipeline.p
        p.copy_((p + step.to(p.device)).clamp(0.0, 1.0))
        self.sign_sum = torch.zeros_like(self.sign_sum)
        self.batches = 0
        self.images = 0

    def state_dict(self) -> dict[str, Any]:
        """The partial interval (p itself is in the pipeline's state)."""
        return {"sign_sum": self.sign_sum.detach().cpu(), "batches": self.batches, "images": self.images}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.sign_sum = state["sign_sum"].to(self.pipeline.p.device).float()
        self.batches = int(state["batches"])
        self.images = int(state["images"])
