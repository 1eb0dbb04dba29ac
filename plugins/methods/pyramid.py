"""The ``pyramid`` method (alias ``singan``): art from one picture, as SinGAN (Shaham et al. 2019)
learns it, with ConSinGAN's concurrent stages (Hinz et al. 2021).

A pyramid of the picture runs from a coarsest scale (shorter side ``min_size``) to the picture's
own size. Training walks up it, ``train.steps / scales`` steps per scale (fixed when the run
starts: resuming with more steps trains the finest scale longer); at scale ``k`` the
generator's stage ``k`` and the ``concurrent - 1`` stages below it train together, the lower
ones at a learning rate scaled by ``lr_scale`` per stage (lower still are frozen). Each step is a
WGAN-GP critic step (gradient penalty ``gp_weight``) and a generator step whose loss adds
``rec_weight`` times the reconstruction error: one fixed noise map at the coarsest scale and none
above must give back the picture. Each stage's noise amplitude is 0.1 times how far the
reconstruction from below misses the picture at that scale, so finer stages add finer detail.

Drawing: every seed's latent becomes a noise map per stage, for any canvas (``--size WxH`` keeps
the pyramid's ratios), so ``ganvas sample`` draws variations at any size and aspect ratio and
``ganvas animate`` walks between them.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganvas import UserInputError
from ganvas.data import ImageSet
from ganvas.plugins.methods.pyramid_nets import (
    LATENT,
    NOISE,
    PatchDiscriminator,
    PyramidGenerator,
    hash_noise,
    pyramid_sizes,
)
from ganvas.seeds import latents_for_seeds, truncate
from ganvas.training import DrawContext, Drawer, Method, TrainContext

__all__ = ["PyramidMethod", "PyramidDrawer"]


class PyramidDrawer(Drawer):
    """Draws a trained pyramid: seeds -> latents -> noise maps at every scale -> a picture."""

    any_size = True

    def __init__(self, G: PyramidGenerator, sizes: list[tuple[int, int]], amps: list[float], device: torch.device):
        self.G, self.sizes, self.amps, self.device = G, sizes, amps, device
        self.native_size = sizes[-1]

    def latents(self, seeds: list[int]) -> Tensor:
        return latents_for_seeds(seeds, LATENT, self.device)

    @torch.no_grad()
    def draw(
        self, latents: Tensor, *, truncation: float = 1.0, size: tuple[int, int] | None = None, tile: bool = False
    ) -> Tensor:
        sizes = self.sizes if size is None else _scaled(self.sizes, size)
        z = truncate(latents.to(self.device), truncation)
        was = self.G.training
        self.G.eval()
        try:
            return torch.cat(
                [self.G([hash_noise(row[None], k, s) for k, s in enumerate(sizes)], self.amps) for row in z]
            )
        finally:
            self.G.train(was)


def _scaled(sizes: list[tuple[int, int]], canvas: tuple[int, int]) -> list[tuple[int, int]]:
    """The pyramid's scales for a canvas of another size: each scale's ratio to the finest kept."""
    height, width = sizes[-1]
    return [(max(1, round(canvas[0] * h / height)), max(1, round(canvas[1] * w / width))) for h, w in sizes]


class PyramidMethod(Method):
    """Single-image pyramid GAN: see the module docstring."""

    data = (ImageSet,)
    uses = frozenset()

    def __init__(self, ctx: TrainContext, **params: Any) -> None:
        super().__init__(ctx)
        self.p, self.device = params, ctx.device
        data = ctx.data
        if len(data) != 1:
            raise UserInputError(
                f"method 'pyramid' learns one picture; data.source '{ctx.recipe.data.name}' gives {len(data)}: "
                'use source = "image:PATH" (or image:landscape)'
            )
        channels, height, width = data.shape
        if min(height, width) < params["min_size"]:
            raise UserInputError(
                f"method 'pyramid': the picture is {width}x{height} px, smaller than its coarsest scale "
                f"(min_size = {params['min_size']}); give a larger picture or a smaller min_size"
            )
        self.sizes = pyramid_sizes(height, width, params["scales"], params["min_size"], params["scale_factor"])
        real = data.batch(torch.tensor([0]))
        self.reals = [_resize(real, s) for s in self.sizes]
        self.G = PyramidGenerator(len(self.sizes), channels, params["width"], params["layers"]).to(self.device)
        self.D = PatchDiscriminator(channels, params["width"], params["layers"]).to(self.device)
        self.noise = torch.Generator(device=self.device).manual_seed(ctx.recipe.train.seed + 1)
        self.rec_noise = torch.randn(1, NOISE, *self.sizes[0], generator=self.noise, device=self.device)
        self.amps: list[float] = [1.0]
        self.stage = -1
        self.per_stage = max(1, -(-ctx.recipe.train.steps // len(self.sizes)))  # ceil
        self._begin(0)

    # -- stages -------------------------------------------------------------------------------

    def _begin(self, stage: int) -> None:
        """Enter ``stage``: its noise amplitude, which stages train, fresh optimizers."""
        if stage > 0 and len(self.amps) <= stage:
            with torch.no_grad():
                below = F.interpolate(self._reconstruct(stage - 1), size=self.sizes[stage], mode="bilinear")
                self.amps.append(0.1 * float(F.mse_loss(below, self.reals[stage]).sqrt()))
        self.stage = stage
        lr, scale, window = self.ctx.recipe.train.lr_g, self.p["lr_scale"], self.p["concurrent"]
        groups = []
        for k, body in enumerate(self.G.bodies):
            depth = stage - k
            body.requires_grad_(0 <= depth < window)
            if 0 <= depth < window:
                groups.append({"params": list(body.parameters()), "lr": lr * scale**depth})
        groups.append({"params": list(self.G.tail.parameters()), "lr": lr})
        betas = tuple(self.ctx.recipe.train.betas)
        self.opt_g = torch.optim.Adam(groups, lr=lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=self.ctx.recipe.train.lr_d, betas=betas)

    def _noises(self, stage: int) -> list[Tensor]:
        return [torch.randn(1, NOISE, *s, generator=self.noise, device=self.device) for s in self.sizes[: stage + 1]]

    def _reconstruct(self, stage: int) -> Tensor:
        """The fixed-noise path: the coarsest reconstruction noise, no noise above it."""
        noises = [self.rec_noise] + [torch.zeros(1, NOISE, *s, device=self.device) for s in self.sizes[1 : stage + 1]]
        return self.G(noises, self.amps)

    # -- one step -----------------------------------------------------------------------------

    def train_step(self, step: int) -> dict[str, Tensor]:
        """``repeats`` critic steps, then ``repeats`` generator steps (SinGAN's 3 and 3)."""
        stage = min(step // self.per_stage, len(self.sizes) - 1)
        if stage != self.stage:
            self._begin(stage)
        real, stats = self.reals[stage], {}
        self.D.requires_grad_(True)
        for _ in range(self.p["repeats"]):
            with torch.no_grad():
                fake = self.G(self._noises(stage), self.amps)
            d_real, d_fake = self.D(real).mean(), self.D(fake).mean()
            penalty = self._gradient_penalty(real, fake)
            d_loss = d_fake - d_real + self.p["gp_weight"] * penalty
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()
        self.D.requires_grad_(False)
        for _ in range(self.p["repeats"]):
            rec = F.mse_loss(self._reconstruct(stage), real)
            g_loss = -self.D(self.G(self._noises(stage), self.amps)).mean() + self.p["rec_weight"] * rec
            self.opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            self.opt_g.step()
        stats.update({"Loss/D": d_loss, "Loss/G": g_loss, "Loss/G/rec": rec, "Loss/D/gp": penalty})
        stats.update({"D/real": d_real, "D/fake": d_fake})
        return {k: v.detach() for k, v in stats.items()}

    def _gradient_penalty(self, real: Tensor, fake: Tensor) -> Tensor:
        """WGAN-GP: (|grad D| - 1)^2 at a random mix of the real and a fake picture, the gradient
        of the sum of the patch scores (as SinGAN: the mean's gradient is 1/patches as large, and
        pushing it to 1 blows the critic's scale up)."""
        mix = torch.rand(1, 1, 1, 1, generator=self.noise, device=self.device)
        point = (mix * real + (1 - mix) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(self.D.net(point).sum(), point, create_graph=True)
        return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()

    # -- what the loop asks -------------------------------------------------------------------

    def is_finite(self) -> bool:
        flat = torch.cat([p.detach().flatten() for p in (*self.G.parameters(), *self.D.parameters())])
        return bool(torch.isfinite(flat).all())

    @property
    def images_per_step(self) -> int:
        """The one picture, seen once per generator step."""
        return int(self.p["repeats"])

    def log_fields(self) -> dict[str, float]:
        return {"Pyramid/stage": float(self.stage), "Pyramid/amp": self.amps[self.stage]}

    def grid(self, seeds: list[int]) -> Tensor:
        return self._drawer(self.stage).draw(latents_for_seeds(seeds, LATENT, self.device))

    def _drawer(self, stage: int) -> PyramidDrawer:
        return PyramidDrawer(self.G, self.sizes[: stage + 1], self.amps[: stage + 1], self.device)

    def current_drawer(self, *, ema: bool = True) -> PyramidDrawer:
        return self._drawer(self.stage)

    # -- state --------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        return {
            "sizes": [list(s) for s in self.sizes],
            "networks": {"width": self.G.width, "layers": self.p["layers"]},
            "stage": self.stage,
            "per_stage": self.per_stage,
            "amps": list(self.amps),
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rec_noise": self.rec_noise,
            "noise": self.noise.get_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.amps = list(state["amps"])
        self.per_stage = int(state["per_stage"])  # the schedule of the first start: more steps train the finest longer
        self._begin(state["stage"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.rec_noise = state["rec_noise"].to(self.device)
        self.noise.set_state(state["noise"])

    @classmethod
    def drawer(cls, ctx: DrawContext, state: dict[str, Any], *, ema: bool = True) -> PyramidDrawer:
        nets = state["networks"]
        sizes = [tuple(s) for s in state["sizes"]]
        stage = int(state["stage"])
        G = PyramidGenerator(len(sizes), ctx.data_shape[0], int(nets["width"]), int(nets["layers"]))
        G.load_state_dict(state["G"])
        G.to(ctx.device).eval().requires_grad_(False)
        return PyramidDrawer(
            G, [(int(h), int(w)) for h, w in sizes[: stage + 1]], state["amps"][: stage + 1], ctx.device
        )


def _resize(image: Tensor, size: tuple[int, int]) -> Tensor:
    """``image`` resized to ``size`` (antialiased when shrinking), in [-1, 1]."""
    if tuple(image.shape[-2:]) == size:
        return image
    return F.interpolate(image, size=size, mode="bicubic", align_corners=False, antialias=True).clamp(-1, 1)
