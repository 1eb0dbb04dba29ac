"""``texture``: style/texture transfer by Gram-matrix optimisation, with no pretrained network.

Gatys et al. (2015) showed that the correlations (Gram matrices) of a convolutional network's
features capture a texture; Ustyuzhaninov et al. (ICLR 2017) showed that a single layer of
*random* filters applied at several scales is enough. So: one bank of random 5x5 filters
(+ ReLU) is applied to an image pyramid, and the picture is optimised (L-BFGS) to minimise
``w * texture + (1 - w) * content``, ``w`` rising with ``strength`` (:func:`_weights`):

- *texture*: the mismatch of the features' means and covariances at each scale, and of the
  colour moments, with the reference's; each statistic relative to its size in both pictures,
  the whole relative to the input's own mismatch: 1 at the input, whatever the pictures.
- *content*: the distance to the input's layout (a blur of 1/128 of the picture's size), plus a
  little of its pixels, in units of a clear change (0.15 RMS): colour distance means the same
  whatever the pictures.

So strength means about the same with any picture and reference: 0 returns the input, 0.5 is
clearly both, 1 is the texture with the layout faint. Pictures are made coarse to fine: the
arrangement of the texture settles at 100-200 px, where steps are cheap, then each level (twice
the size, half the steps) refines it, up to the picture's own size (at most 1024 px, or ``size``).

Borders: the old version clamped the canvas inside the loss (a pixel pushed out of range had no
gradient left and stuck at pure red, green or blue), padded the filters' input by replicating the
edge (over-weighting edge pixels) and weighted a blurred content term heavily, whose one-sided blur
at the edges fights the texture hardest there: saturated fringes. Here the canvas is kept in range
by a penalty, the filters see mirror-padded pictures and the content term is normalised.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from tqdm import tqdm

from ganvas.errors import ParamError

from .base import checked
from .ops import gaussian_blur, resize, seeded_generator
from .references import ReferenceModule, match_channels

__all__ = ["texture", "Texture"]

_FILTERS = 32  # random filters in the bank
_KERNEL = 5  # their size
_LEVELS = 4  # pyramid levels the filters see: textures up to about 5 * 2^3 = 40 px across
_AUTO_CAP = 1024  # size=0: the picture's own size, up to this longer side
_BASE = 100  # coarse-to-fine: the coarsest level's longer side (at least)
_LAYOUT = 1 / 128  # the content's layout: a blur of this fraction of the longer side
# a layout change of this RMS (colours in [0, 1]) costs as much as the whole texture mismatch: an
# absolute unit, so the content holds alike whatever the pictures (relative to the layout's distance
# from the reference's mean colour, a picture far from the reference's colours gave way much sooner)
_LAYOUT_SCALE = 0.15
_DETAIL = 0.05  # weight of the pixel-level content against the layout
_RANGE = 100.0  # weight of the penalty on values outside [0, 1]
_RATIO_SCALE, _RATIO_RATE = 10 / 28, 2 * math.log(29)  # texture/content: 10 at strength 0.5, 300 at 1
_NOISE = 0.05  # start noise (times strength): flat regions need a nudge to grow texture


class _RandomFeatures:
    """A fixed bank of random, zero-mean filters applied with ReLU to each level of a pyramid."""

    def __init__(self, channels: int, generator: torch.Generator, like: Tensor) -> None:
        weight = torch.randn(_FILTERS, channels, _KERNEL, _KERNEL, generator=generator)
        weight = weight - weight.mean((2, 3), keepdim=True)  # respond to structure, not to flat colour
        # unit norm, times 2: zero-mean filters see pictures in [0, 1] as they would see them in [-1, 1]
        self.weight = (2 * weight / weight.flatten(1).norm(dim=1).view(-1, 1, 1, 1)).to(like)

    def grams(self, images: Tensor) -> list[Tensor]:
        """The colour moments, then the features' means ``(B, F, 1)`` and covariances ``(B, F, F)`` at each
        pyramid level."""
        out = [_colour_moments(images)]
        level = images
        for i in range(_LEVELS):
            if i:
                # a 1.5-px blur: with less, near-Nyquist patterns alias into the next level and the
                # optimiser paints a faint pixel grid to feed it (avg-pooling's gradients are blocky)
                level = gaussian_blur(level, 1.5)[..., ::2, ::2]
            if min(level.shape[-2:]) < _KERNEL:
                break
            # mirror padding: every pixel, edges included, is seen by as many filter taps (replicate
            # padding over-weights the edge pixels and shows the filters flat, streaky borders)
            padded = F.pad(level, (_KERNEL // 2,) * 4, mode="reflect")
            features = F.relu(F.conv2d(padded, self.weight)).flatten(2)
            # the features' means and covariance, each its own term: in a plain Gram matrix the
            # means' products dwarf the covariance, and a picture matches it with little structure
            means = features.mean(-1, keepdim=True)
            out += [means, _Gram.apply(features) - means @ means.transpose(1, 2)]
        return out


class _Gram(torch.autograd.Function):
    """``f @ f.T / N`` for features ``(B, F, N)``, with a backward pass of one matrix product, not two."""

    @staticmethod
    def forward(ctx: Any, features: Tensor) -> Tensor:
        ctx.save_for_backward(features)
        return features @ features.transpose(1, 2) / features.shape[-1]

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (features,) = ctx.saved_tensors
        return ((grad + grad.transpose(1, 2)) / features.shape[-1]) @ features


def _colour_moments(images: Tensor) -> Tensor:
    """``(B, C+1, C+1)``: the colours' means and second moments (a Gram matrix of ``[rgb, 1]``)."""
    flat = images.flatten(2)
    flat = torch.cat((flat, torch.ones_like(flat[:, :1])), 1)
    return flat @ flat.transpose(1, 2) / flat.shape[-1]


def _style_loss(grams: list[Tensor], targets: list[Tensor], norms: list[Tensor]) -> Tensor:
    """``(B,)``: the mean over the statistics of their squared difference, each over its ``norms``."""
    total = grams[0].new_zeros(grams[0].shape[0])
    for gram, target, norm in zip(grams, targets, norms):
        total = total + (gram - target).square().sum((1, 2)) / norm
    return total / len(grams)


def _norms(grams: list[Tensor], targets: list[Tensor]) -> list[Tensor]:
    """Each statistic's scale: its squared size in the input plus in the reference. Relative to the
    reference alone, a statistic the reference barely has (a flat wall's coarse covariance) would
    outweigh all the others; this way each counts about 1 when the two pictures differ entirely."""
    return [(g.square().sum((1, 2)) + t.square().sum((1, 2))).clamp(min=1e-8) for g, t in zip(grams, targets)]


def _layout(images: Tensor) -> Tensor:
    """The content's broad shapes and colours: a blur at a fixed fraction of the picture's size."""
    return gaussian_blur(images, max(0.5, _LAYOUT * max(images.shape[-2:])))


def _fit(h: int, w: int, longest: int) -> tuple[int, int]:
    """``(h, w)`` shrunk (never enlarged) so that the longer side is at most ``longest``."""
    scale = min(1.0, longest / max(h, w))
    return max(1, round(h * scale)), max(1, round(w * scale))


def _pyramid(h: int, w: int, size: int) -> list[tuple[int, int]]:
    """Working sizes, coarse to fine: the picture fitted to ``size`` (0: up to _AUTO_CAP), halved
    while the half is still at least _BASE px on its longer side."""
    sizes = [_fit(h, w, size or _AUTO_CAP)]
    while max(sizes[0]) >= 2 * _BASE:
        fh, fw = sizes[0]
        sizes.insert(0, (max(1, round(fh / 2)), max(1, round(fw / 2))))
    return sizes


def _level_steps(steps: int, levels: int) -> list[int]:
    """Steps at each level, coarse to fine: ``steps`` at the coarsest, half as many at each finer one."""
    return [max(1, steps >> i) if steps else 0 for i in range(levels)]


class _Level:
    """One picture at one pyramid level: its content targets, the reference's Grams, the weights."""

    def __init__(self, content: Tensor, net: _RandomFeatures, targets: list[Tensor], strength: float) -> None:
        self.net, self.targets, self.strength = net, targets, strength
        self.content = content
        with torch.no_grad():
            self.layout = _layout(content)
            # the texture term is relative to the input's own mismatch: 1 at the input, whatever the pictures
            grams = net.grams(content)
            self.norms = _norms(grams, targets)
            self.scale = _style_loss(grams, targets, self.norms).clamp(min=1e-3)

    def content_loss(self, picture: Tensor) -> Tensor:
        """Layout plus a little pixel detail, in units of a clear layout change (``_LAYOUT_SCALE``)."""
        layout = (_layout(picture) - self.layout).square().mean()
        detail = (picture - self.content).square().mean()
        return (layout + _DETAIL * detail) / _LAYOUT_SCALE**2

    def loss(self, picture: Tensor) -> Tensor:
        """The objective: the texture and content terms weighted by :func:`_weights`, plus the range penalty."""
        texture_weight, content_weight = _weights(self.strength)
        total = texture_weight * (_style_loss(self.net.grams(picture), self.targets, self.norms) / self.scale).sum()
        total = total + content_weight * self.content_loss(picture)
        out_of_range = F.relu(picture - 1).square() + F.relu(-picture).square()
        return total + _RANGE * out_of_range.mean()

    def optimise(self, start: Tensor, steps: int, bar: Any) -> Tensor:
        """``steps`` L-BFGS iterations from ``start``; the picture, unclamped."""
        # contiguous: L-BFGS views the gradient flat, which fails for channels-last inputs (PIL images)
        canvas = start.detach().clone().contiguous().requires_grad_(True)
        optimizer = _lbfgs(canvas, steps)
        done = bar.n

        def closure() -> Tensor:
            optimizer.zero_grad(set_to_none=True)
            loss = self.loss(canvas)
            loss.backward()
            bar.update(done + min(optimizer.state[canvas].get("n_iter", 0), steps) - bar.n)
            return loss

        with torch.enable_grad():
            optimizer.step(closure)  # L-BFGS with a strong-Wolfe line search, ``steps`` iterations
        bar.update(done + steps - bar.n)
        return canvas.detach()


def _weights(strength: float) -> tuple[float, float]:
    """The texture and content weights (summing to 1) for a strength in [0, 1].

    Their ratio grows exponentially, from 0 through about 1.6 (0.25), 10 (0.5) and 55 (0.75) to
    300 (1): the layout gives way gradually, the picture looks like both around 0.5, and at 1
    the texture wins with the layout still faintly there.
    """
    ratio = _RATIO_SCALE * math.expm1(_RATIO_RATE * strength)
    return ratio / (1 + ratio), 1 / (1 + ratio)


def _lbfgs(canvas: Tensor, steps: int) -> torch.optim.LBFGS:
    """L-BFGS over the canvas pixels for exactly ``steps`` iterations (no early stop)."""
    return torch.optim.LBFGS(
        [canvas],
        lr=1,
        max_iter=steps,
        history_size=10,
        line_search_fn="strong_wolfe",
        tolerance_grad=0,
        tolerance_change=0,
    )


def _targets(net: _RandomFeatures, reference: Tensor, sizes: list[tuple[int, int]]) -> list[list[Tensor]]:
    """The reference's Grams at each level: shrunk to the finest level's longer side (never
    enlarged), then by the same factor as the picture at each coarser level."""
    rh, rw = reference.shape[-2:]
    finest = resize(reference, _fit(rh, rw, max(sizes[-1])), "area")
    out = []
    with torch.no_grad():
        for h, w in sizes:
            factor = max(h, w) / max(sizes[-1])
            rh, rw = finest.shape[-2:]
            out.append(net.grams(resize(finest, (max(1, round(rh * factor)), max(1, round(rw * factor))), "area")))
    return out


def _stylize_one(
    image: Tensor, net: _RandomFeatures, targets: list[list[Tensor]], plan: list[tuple[tuple[int, int], int]], **kw: Any
) -> Tensor:
    """One ``(1, C, H, W)`` picture through the coarse-to-fine plan ``[(size, steps), ...]``."""
    strength, bar = kw["strength"], kw["bar"]
    content = resize(image, plan[0][0], "area")
    picture = content + _NOISE * strength * kw["noise"]
    for i, ((size, steps), grams) in enumerate(zip(plan, targets)):
        if i:  # the coarser result, enlarged, plus the detail it lacked (as much as the content keeps)
            coarser, content = content, resize(image, size, "area")
            picture = resize(picture, size, "bicubic") + (1 - strength) * (content - resize(coarser, size, "bicubic"))
        picture = _Level(content, net, grams, strength).optimise(picture, steps, bar)
    return picture.clamp(0, 1)


def texture(
    images: Tensor,
    reference: Tensor,
    progress: bool | None = None,
    *,
    steps: int = 40,
    strength: float = 0.5,
    size: int = 0,
    seed: int = 0,
) -> Tensor:
    """Repaint ``(B, C, H, W)`` images in [0, 1] with the texture of ``reference``; same shape out.

    Args:
        reference: ``(1, 3 or C, h, w)`` texture image in [0, 1]; it is shrunk (never enlarged)
            to the picture's working size, so its texture keeps its size relative to the picture.
        progress: show a progress bar (None: only on a terminal).
        steps: L-BFGS iterations at the coarsest level (finer levels get half as many each); 0
            returns the input.
        strength: from the input (0: returned as is) to the reference's texture (1: the input's
            layout faint); see :func:`_weights`.
        size: working resolution, the longer side in pixels (0: the picture's own, up to 1024);
            pictures of 200 px and more are made coarse to fine from 100-200 px.
        seed: seed of the random filters and of the starting noise.

    Each picture of a batch is optimised on its own: its result does not depend on the others.
    """
    images = checked("texture", images, steps=steps, strength=strength, size=size, seed=seed)
    if 0 < size < 16:
        raise ParamError(f"texture: size: expected 0 (auto) or at least 16, got {size}")
    if steps == 0 or strength == 0:
        return images
    b, c, h, w = images.shape
    sizes = _pyramid(h, w, size)
    plan = list(zip(sizes, _level_steps(steps, len(sizes))))
    generator = seeded_generator(seed)
    net = _RandomFeatures(c, generator, images)
    targets = _targets(net, match_channels(reference, images), sizes)
    noise = torch.randn((1, c, *sizes[0]), generator=generator).to(images)
    total = b * sum(n for _, n in plan)
    disable = None if progress is None else not progress
    with tqdm(total=total, desc="texture", unit="step", leave=False, disable=disable) as bar:
        kw = {"strength": strength, "noise": noise, "bar": bar}
        out = torch.cat([_stylize_one(image[None], net, targets, plan, **kw) for image in images])
    return resize(out, (h, w), "bicubic").clamp(0, 1) if out.shape[-2:] != (h, w) else out


class Texture(ReferenceModule, function=texture):
    """Gram-matrix texture transfer with a random-weight network (see :func:`texture`)."""

    stylizer = "texture"
    #: show a progress bar: None (only on a terminal), True or False
    progress: bool | None = None

    def extra_arguments(self) -> dict[str, Any]:
        return {**super().extra_arguments(), "progress": self.progress}
