"""Parts the any-size architectures share: a convolutional discriminator for any image size, and
the row-chunking that keeps a large canvas within a memory budget."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

__all__ = [
    "ConvDiscriminator",
    "class_projection",
    "class_scores",
    "init_weights",
    "projected",
    "rows_per_chunk",
    "with_class_weights",
]


def class_projection(embed: nn.Linear, labels: Tensor, features: Tensor) -> Tensor:
    """A projection discriminator's class term (Miyato & Koyama 2018): the inner product of the
    class embedding of ``labels`` ``(B, K)`` with the spatially *averaged* ``features``
    ``(B, C, H, W)``. The paper sums them; over a 4x4 map that makes the class term about 30 times
    the unconditional score at initialisation, and the generator then learns washed-out textures
    that please the class term."""
    return (embed(labels) * features.mean(dim=(2, 3))).sum(dim=1)


def class_scores(embed: nn.Linear, features: Tensor) -> Tensor:
    """Every class's projection term at once, ``(B, K)``: the logits of a classifier that shares
    the projection's embedding (what ``method.class_loss`` trains with cross-entropy); the term
    :func:`class_projection` adds for a one-hot label is that label's column."""
    return features.mean(dim=(2, 3)) @ embed.weight


def projected(
    score: Tensor, embed: nn.Linear, labels: Tensor, features: Tensor, class_logits: bool
) -> Tensor | tuple[Tensor, Tensor]:
    """A projection discriminator's output: ``score`` plus the class term, and with
    ``class_logits`` also every class's term (:func:`class_scores`)."""
    score = score + class_projection(embed, labels, features)
    return (score, class_scores(embed, features)) if class_logits else score


def with_class_weights(z: Tensor, z_dim: int, classes: int) -> Tensor:
    """A conditional generator's latent ``(B, z_dim + classes)``: ``z`` as given, or, when it holds
    only the noise, the noise then the even mix of the classes."""
    if z.shape[1] != z_dim:
        return z
    return torch.cat([z, z.new_full((len(z), classes), 1.0 / classes)], dim=1)


class ConvDiscriminator(nn.Module):
    """images ``(B, C, H, W)`` of the training size -> logits ``(B,)``.

    Stride-2 4x4 convolutions halve the image while its shorter side exceeds 4 px (LeakyReLU 0.2,
    batch norm after the first, as in DCGAN), then one linear layer reads the remaining map.
    Works for any side from 8 px, square or not. ``patch=True`` makes it a PatchGAN for textures:
    three halvings, then a 3x3 convolution scores every patch and the scores are averaged.

    With ``classes`` K > 0 it is also a projection discriminator (Miyato & Koyama 2018):
    ``labels`` ``(B, K)`` (class weights, one-hot for one class) add the inner product of a class
    embedding with the spatially averaged last features to the logit (:func:`class_projection`),
    and ``class_logits=True`` also returns every class's term (:func:`class_scores`).
    """

    def __init__(
        self,
        channels: int,
        height: int,
        width: int,
        base: int,
        max_width: int = 512,
        *,
        patch: bool = False,
        classes: int = 0,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        a, b, h, w, halvings = channels, base, height, width, 0
        while min(h, w) > 4 and not (patch and halvings == 3):
            layers.append(nn.Conv2d(a, b, 4, 2, 1, bias=False))
            if halvings:
                layers.append(nn.BatchNorm2d(b))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            a, b, h, w, halvings = b, min(b * 2, max_width), h // 2, w // 2, halvings + 1
        self.features = nn.Sequential(*layers)
        self.patch = patch
        self.head: nn.Module = nn.Conv2d(a, 1, 3, 1, 1) if patch else nn.Linear(a * h * w, 1)
        self.embed = nn.Linear(classes, a, bias=False) if classes else None

    def forward(
        self, x: Tensor, labels: Tensor | None = None, class_logits: bool = False
    ) -> Tensor | tuple[Tensor, Tensor]:
        """Scores ``(B,)``; with ``class_logits`` (a conditional one) also :func:`class_scores`."""
        features = self.features(x)
        if self.patch:
            logits = self.head(features).mean(dim=(1, 2, 3))
        else:
            logits = self.head(features.flatten(1)).flatten()
        if self.embed is None or labels is None:
            return logits
        return projected(logits, self.embed, labels, features, class_logits)


def init_weights(module: nn.Module) -> None:
    """DCGAN initialisation for convolutions (N(0, 0.02)) and batch norm (N(1, 0.02)); linear
    layers keep torch's default."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def rows_per_chunk(width: int, floats_per_pixel: int, budget_bytes: int = 256 << 20) -> int:
    """How many canvas rows of ``width`` px to compute at once so that ``floats_per_pixel``
    float32 values per pixel stay within ``budget_bytes`` (at least one row)."""
    return max(1, math.floor(budget_bytes / (4 * floats_per_pixel * max(width, 1))))
