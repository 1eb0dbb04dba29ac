"""The ``pyramid`` method (alias ``singan``): art from one picture, as SinGAN (Shaham et al. 2019)
learns it, with ConSinGAN's concurrent stages (Hinz et al. 2021).

A pyramid of the picture runs from a coarsest scale (shorter side ``min_size``) to the picture's
own size. Training walks up it, ``train.steps / scales`` steps per scale (fixed when the run
starts: resuming with more steps trains the finest scale longer); at scale ``k`` the
generator's stage ``k`` (which starts as a copy of stage ``k - 1``) and the ``concurrent - 1``
stages below it train together, the lower ones at a learning rate scaled by ``lr_scale`` per
stage (lower still are frozen). Each step is ``repeats`` WGAN-GP critic steps (gradient penalty
``gp_weight``) and as many generator steps whose loss adds ``rec_weight`` times the
reconstruction error: one fixed noise map at the coarsest scale and none above must give back
the picture. Each stage's noise amplitude is 0.1 times how far the reconstruction from below
misses the picture at that scale, so finer stages add finer detail. Networks and pictures are
channels-last (1.5x faster convolutions on a CPU, measured; what cuDNN prefers too).

Drawing (:mod:`ganvas.plugins.methods.pyramid_drawer`): every seed's latent becomes a noise map
per stage, for any canvas, so ``ganvas sample`` draws variations at any size and aspect ratio
and ``ganvas animate`` walks between them; ``[sample] at`` keeps the scales below it from the
training picture (or from an injected picture); ``[sample] enlarge`` super-resolves.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganvas import UserInputError
from ganvas.data import ImageSet
from ganvas.io import to_uint8
from ganvas.plugins.methods.pyramid_drawer import PyramidDrawer, resize
from ganvas.plugins.methods.pyramid_nets import LATENT, NOISE, PatchDiscriminator, PyramidGenerator, pyramid_sizes
from ganvas.seeds import latents_for_seeds
from ganvas.training import DrawContext, Method, TrainContext

__all__ = ["PyramidMethod"]

FORMAT = torch.channels_last


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
        # the true size ratio between the top scales (scales > 0 spaces them its own way): what enlarging steps by
        self.ratio = min(self.sizes[-2]) / min(self.sizes[-1]) if len(self.sizes) > 1 else params["scale_factor"]
        self.picture = data.batch(torch.tensor([0])).to(self.device)
        self.reals = [resize(self.picture, s).contiguous(memory_format=FORMAT) for s in self.sizes]
        self.G = PyramidGenerator(len(self.sizes), channels, params["width"], params["layers"], params["padding"])
        self.D = PatchDiscriminator(channels, params["width"], params["layers"])
        self.G.to(self.device, memory_format=FORMAT)  # type: ignore[call-overload]  # stubs lack it
        self.D.to(self.device, memory_format=FORMAT)  # type: ignore[call-overload]  # stubs lack it
        self.noise = torch.Generator(device=self.device).manual_seed(ctx.recipe.train.seed + 1)
        self.rec_noise = torch.randn(1, NOISE, *self.sizes[0], generator=self.noise, device=self.device)
        self.amps: list[float] = [1.0]
        self.stage = -1
        self.per_stage = max(1, -(-ctx.recipe.train.steps // len(self.sizes)))  # ceil
        self._begin(0)

    # -- stages -------------------------------------------------------------------------------

    def _begin(self, stage: int) -> None:
        """Enter ``stage``: (the first time) its noise amplitude and a copy of the stage below;
        which stages train; fresh optimizers."""
        if stage > 0 and len(self.amps) <= stage:
            with torch.no_grad():
                below = F.interpolate(self._reconstruct(stage - 1), size=self.sizes[stage], mode="bilinear")
                self.amps.append(0.1 * float(F.mse_loss(below, self.reals[stage]).sqrt()))
                self.G.stages[stage].load_state_dict(self.G.stages[stage - 1].state_dict())
        self.stage = stage
        lr, scale, window = self.ctx.recipe.train.lr_g, self.p["lr_scale"], self.p["concurrent"]
        groups = []
        for k, body in enumerate(self.G.stages):
            depth = stage - k
            body.requires_grad_(0 <= depth < window)
            if 0 <= depth < window:
                groups.append({"params": list(body.parameters()), "lr": lr * scale**depth})
        betas = tuple(self.ctx.recipe.train.betas)
        self.opt_g = torch.optim.Adam(groups, lr=lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=self.ctx.recipe.train.lr_d, betas=betas)

    def _noises(self, stage: int) -> list[Tensor]:
        return [
            torch.randn(1, NOISE, *s, generator=self.noise, device=self.device).contiguous(memory_format=FORMAT)
            for s in self.sizes[: stage + 1]
        ]

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
            scores = self.D(torch.cat([real, fake])).mean(dim=(1, 2, 3))  # one pass: faster than two
            d_real, d_fake = scores[0], scores[1]
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
        (grad,) = torch.autograd.grad(self.D(point).sum(), point, create_graph=True)
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
        lrs = {"LR/G": float(self.opt_g.param_groups[-1]["lr"]), "LR/D": float(self.opt_d.param_groups[0]["lr"])}
        return {"Pyramid/stage": float(self.stage), "Pyramid/amp": self.amps[self.stage], **lrs}

    def grid(self, seeds: list[int]) -> Tensor:
        return self.current_drawer().draw(latents_for_seeds(seeds, LATENT, self.device))

    def current_drawer(self, *, ema: bool = True) -> PyramidDrawer:
        stage = self.stage + 1
        return PyramidDrawer(self.G, self.sizes[:stage], self.amps[:stage], self.rec_noise, self.picture, self.ratio)

    # -- state --------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        return {
            "design": "image",  # pictures pass between stages (before 0.9: features; those runs cannot load)
            "sizes": [list(s) for s in self.sizes],
            "networks": {"width": self.G.width, "layers": self.p["layers"], "padding": self.p["padding"]},
            "scale_factor": self.ratio,
            "stage": self.stage,
            "per_stage": self.per_stage,
            "amps": list(self.amps),
            "picture": to_uint8(self.picture),
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
        if state.get("design") != "image":
            raise ValueError("a pyramid run of an earlier ganvas (features between stages): train it again")
        nets, stage = state["networks"], int(state["stage"]) + 1
        sizes = [(int(h), int(w)) for h, w in state["sizes"]]
        G = PyramidGenerator(
            len(sizes), ctx.data_shape[0], int(nets["width"]), int(nets["layers"]), nets.get("padding", "zeros")
        )
        G.load_state_dict(state["G"])
        G.to(ctx.device, memory_format=FORMAT).eval().requires_grad_(False)  # type: ignore[call-overload]  # stubs lack it
        picture = state["picture"].to(ctx.device).float().div(127.5).sub(1)
        return PyramidDrawer(
            G, sizes[:stage], state["amps"][:stage], state["rec_noise"].to(ctx.device), picture, state["scale_factor"]
        )
