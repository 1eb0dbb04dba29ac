"""The ``pix2pix`` method (alias ``repair``): paired image-to-image translation (Isola et al.
2017) on pairs made on the fly: every clean picture, cropped and flipped at random, is damaged
by the recipe's ``[corrupt]`` component (noise, lower resolution, holes, lost colour, a sketch)
and a U-Net learns to undo it.

Each step: one PatchGAN critic step on (input, clean) against (input, repaired) pairs, then one
generator step on ``adversarial`` times the GAN loss plus ``l1`` times the L1 distance to the
clean picture (pix2pix's lambda = 100) plus ``perceptual`` times the distance of random-weight
CNN features. ``adversarial = 0`` trains a plain regression network (the highest PSNR; GAN
terms trade PSNR for sharper texture). ``holdout`` pictures, spread evenly over the data set, are never
trained on: the sample grids show them (damaged | repaired | clean) and ``train.eval_every``
logs ``PSNR/model`` against ``PSNR/input`` on them.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganvas import UserInputError
from ganvas.data import EpochSampler, ImageSet
from ganvas.io import to_uint8
from ganvas.plugins.methods.gan import schedule_learning_rates
from ganvas.plugins.methods.translate_drawer import TranslateDrawer
from ganvas.plugins.methods.translate_nets import (
    PatchCritic,
    RandomFeatures,
    UNet,
    check_critic_crop,
    critic_layers,
    to_device,
)
from ganvas.training import DrawContext, Method, TrainContext, build_corruption, corrupt

__all__ = ["Pix2PixMethod", "gan_terms", "psnr", "random_crops", "split_holdout"]

LAST = torch.channels_last


def gan_terms(kind: str, real: Tensor | None, fake: Tensor) -> Tensor:
    """The critic's loss (``real`` given) or the generator's (``real`` None) on patch logits."""
    if kind == "lsgan":
        if real is None:
            return (fake - 1).pow(2).mean()
        return 0.5 * ((real - 1).pow(2).mean() + fake.pow(2).mean())
    if kind == "hinge":
        if real is None:
            return -fake.mean()
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    if real is None:  # bce, pix2pix's "vanilla"
        return F.softplus(-fake).mean()
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def psnr(a: Tensor, b: Tensor) -> float:
    """PSNR in dB of pictures in [-1, 1] (computed on [0, 1])."""
    mse = float(((a - b) / 2).pow(2).mean())
    return 10 * math.log10(1 / max(mse, 1e-12))


def random_crops(images: Tensor, size: int, generator: torch.Generator, flip: bool = True) -> Tensor:
    """One random ``size`` crop per picture (and a random left-right flip): ``(B, C, size, size)``."""
    b, _, h, w = images.shape
    if size <= 0 or (size >= h and size >= w):
        crops = images
    else:
        tops = torch.randint(0, h - size + 1, (b,), generator=generator).tolist()
        lefts = torch.randint(0, w - size + 1, (b,), generator=generator).tolist()
        crops = torch.stack([img[:, t : t + size, l : l + size] for img, t, l in zip(images, tops, lefts)])
    if flip:
        flips = torch.rand(b, generator=generator) < 0.5
        crops = torch.where(flips.view(b, 1, 1, 1).to(crops.device), crops.flip(-1), crops)
    return crops


def split_holdout(n: int, holdout: int) -> tuple[Tensor, Tensor]:
    """``(held, kept)`` indices of ``n`` pictures: ``holdout`` held out evenly over the set (not at
    its end: photos come ordered by photo, folders by name), the rest kept for training."""
    held = ((torch.arange(holdout) + 0.5) * n / max(holdout, 1)).long()
    kept = torch.ones(n, dtype=torch.bool)
    kept[held] = False
    return held, torch.arange(n)[kept]


class Pix2PixMethod(Method):
    """Paired repair training: see the module docstring."""

    data = (ImageSet,)
    uses = frozenset({"corrupt"})

    def __init__(self, ctx: TrainContext, **params: Any) -> None:
        super().__init__(ctx)
        self.p, self.device, cfg = params, ctx.device, ctx.recipe.train
        self.corruption, self.label = build_corruption(ctx.host, ctx.recipe.corrupt.name, ctx.recipe.corrupt.params)
        self._check_data()
        channels = ctx.data.shape[0]
        extra = 1 if getattr(self.corruption, "masks", False) else 0
        # channels-last: convolutions on CPUs (oneDNN) and GPUs run faster in that layout
        self.G = to_device(UNet(channels + extra, channels, params["width"], params["depth"]), self.device)
        self.D = to_device(PatchCritic(2 * channels + extra, params["d_width"], critic_layers(self.crop)), self.device)
        self.features = RandomFeatures(channels).to(self.device) if params["perceptual"] else None
        betas = tuple(cfg.betas)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=cfg.lr_g, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=cfg.lr_d, betas=betas)
        self.held, self.train_index = split_holdout(len(ctx.data), self.holdout)
        self.sampler = EpochSampler(len(self.train_index), cfg.seed)
        self.crops = torch.Generator().manual_seed(cfg.seed + 2)
        self._checked = self._warned = False
        self.noise = torch.Generator(device=self.device).manual_seed(cfg.seed + 1)
        # the pictures grids and drawings show: held out of training, else (too little data) the first ones
        shown = self.held if self.holdout else torch.arange(min(4, len(ctx.data)))
        self.demos = ctx.data.batch(shown).to(self.device)

    def _check_data(self) -> None:
        data, p = self.ctx.data, self.p
        n = len(data)
        self.holdout = p["holdout"] if n >= 2 * p["holdout"] + 1 else 0
        if n - self.holdout < 1:
            raise UserInputError(
                f"method 'pix2pix': data.source '{self.ctx.recipe.data.name}' gives no pictures to train on"
            )
        _, h, w = data.shape
        crop = p["crop"] or min(h, w)
        if crop > min(h, w):
            raise UserInputError(
                f"method 'pix2pix': crop = {crop} is larger than the {w}x{h} px pictures; give crop <= {min(h, w)} (0: whole pictures)"
            )
        scale = int(getattr(self.corruption, "scale", 1))
        if crop % scale:
            raise UserInputError(
                f"method 'pix2pix': crop = {crop} is not a multiple of the {self.label}'s factor {scale}; "
                f"give crop = {crop - crop % scale}"
            )
        if p["adversarial"]:
            check_critic_crop("method 'pix2pix'", crop, critic_layers(crop))
        self.crop = crop

    def _pairs(self) -> tuple[Tensor, Tensor]:
        """A batch of (network input, clean) pairs in [-1, 1]."""
        clean = self.ctx.data.batch(self.train_index[self.sampler.next(self.ctx.recipe.train.batch)])
        clean = random_crops(clean, self.crop, self.crops).to(self.device)
        inputs = corrupt(self.corruption, clean.add(1).div(2), self.noise, self.label, finite=not self._checked) * 2 - 1
        self._checked = True  # later batches: no values check, so no wait for the device each step
        return inputs.contiguous(memory_format=LAST), clean.contiguous(memory_format=LAST)

    def train_step(self, step: int) -> dict[str, Tensor]:
        cfg = self.ctx.recipe.train  # pix2pix's schedule: lr_decay = "linear" (constant, then to 0)
        schedule_learning_rates(step, cfg, (self.opt_g, cfg.lr_g), (self.opt_d, cfg.lr_d))
        inputs, clean = self._pairs()
        p, stats = self.p, {}
        fake = self.G(inputs)
        if p["adversarial"]:
            self.D.requires_grad_(True)
            logits = self.D(torch.cat([torch.cat([inputs, clean], 1), torch.cat([inputs, fake.detach()], 1)]))
            real_logits, fake_logits = logits.chunk(2)
            d_loss = gan_terms(p["gan_loss"], real_logits, fake_logits)
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()
            self.D.requires_grad_(False)
            adv = gan_terms(p["gan_loss"], None, self.D(torch.cat([inputs, fake], 1)))
            stats.update(
                {"Loss/D": d_loss, "D/real": real_logits.mean(), "D/fake": fake_logits.mean(), "Loss/G/adv": adv}
            )
        else:
            adv = torch.zeros((), device=self.device)
        l1 = (fake - clean).abs().mean()
        g_loss = p["adversarial"] * adv + p["l1"] * l1
        stats["Loss/G/l1"] = l1
        if self.features is not None:
            perceptual = self.features.distance(fake, clean)
            g_loss = g_loss + p["perceptual"] * perceptual
            stats["Loss/G/perceptual"] = perceptual
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        stats["Loss/G"] = g_loss
        return {k: v.detach() for k, v in stats.items()}

    # -- what the loop asks -------------------------------------------------------------------

    def is_finite(self) -> bool:
        return all(bool(torch.isfinite(t).all()) for t in (*self.G.parameters(), *self.D.parameters()))

    def observe(self, line: dict[str, Any]) -> str | None:
        """Warn once when the repairs leave the picture range: an L1 distance above 2 (pictures in
        [-1, 1]) means the generator's outputs ran away, though no loss is NaN yet."""
        l1 = line.get("Loss/G/l1")
        if self._warned or l1 is None or l1 <= 2:
            return None
        self._warned = True
        return (
            f"method 'pix2pix': training diverged at step {line.get('step')} (L1 {l1:.3g}: the repairs left the "
            "picture range); stop it and train again with a lower train.lr_g or method.adversarial"
        )

    def log_fields(self) -> dict[str, float]:
        return {"LR/G": float(self.opt_g.param_groups[0]["lr"]), "LR/D": float(self.opt_d.param_groups[0]["lr"])}

    def grid(self, seeds: list[int]) -> Tensor:
        """Damaged | repaired | clean for held-out pictures (training pictures when none are held out)."""
        damaged, repaired, clean = self.current_drawer().pairs(seeds[:8])
        return torch.cat([damaged, repaired, clean], dim=-1)

    @torch.no_grad()
    def evaluate(self) -> dict[str, float]:
        """PSNR on the held-out pictures, damaged with fixed seeds: the model's and the input's."""
        if not self.holdout:
            return {}
        damaged, repaired, clean = self.current_drawer().pairs(list(range(self.holdout)))
        return {"PSNR/model": psnr(repaired, clean), "PSNR/input": psnr(damaged, clean)}

    def current_drawer(self, *, ema: bool = True) -> TranslateDrawer:
        return TranslateDrawer(self.G, self.corruption, self.demos, self.device, self.label)

    # -- state --------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        return {
            "networks": {"channels": self.ctx.data.shape[0], "width": self.p["width"], "depth": self.p["depth"]},
            "masks": bool(getattr(self.corruption, "masks", False)),
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "sampler": self.sampler.state_dict(),
            "crops": self.crops.get_state(),
            "noise": self.noise.get_state(),
            "demos": to_uint8(self.demos),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.sampler.load_state_dict(state["sampler"])
        self.crops.set_state(state["crops"])
        self.noise.set_state(state["noise"])

    @classmethod
    def drawer(cls, ctx: DrawContext, state: dict[str, Any], *, ema: bool = True) -> TranslateDrawer:
        corruption, label = build_corruption(ctx.host, ctx.recipe.corrupt.name, ctx.recipe.corrupt.params)
        nets = state["networks"]
        extra = 1 if state.get("masks") else 0
        G = UNet(int(nets["channels"]) + extra, int(nets["channels"]), int(nets["width"]), int(nets["depth"]))
        G.load_state_dict(state["G"])
        G.to(ctx.device).eval().requires_grad_(False)
        demos = state["demos"].to(ctx.device).float().div(127.5).sub(1)
        return TranslateDrawer(G, corruption, demos, ctx.device, label)
