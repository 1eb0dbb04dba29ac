"""The ``cycle`` method (aliases ``cyclegan``, ``restyle``): unpaired image-to-image translation
(CycleGAN, Zhu et al. 2017). Domain A is the recipe's ``[data]``; domain B is the data source
``target`` names (``texture:marble``, ``procedural:mondrian``, ``folder:paintings``), made at the
size and channels of A's pictures. No pairs: two U-Nets learn A->B and B->A, two PatchGAN
critics tell each domain's real pictures from translated ones, and the cycle loss (A->B->A must
give A back) keeps a picture's content while its style changes.

Each step, on random crops (flipped at random) of an A batch and a B batch: one generator step
on the GAN loss of both directions plus ``cycle`` times the L1 cycle loss plus ``identity``
times the L1 identity loss (a B picture through A->B should stay itself; CycleGAN's 0.5 lambda:
it keeps colours from drifting), then one step of each critic on real pictures against
translated ones drawn through a pool of the last ``pool`` translations (Shrivastava et al. 2017:
a critic that sees older fakes too does not chase the generator in circles). Adam takes
``train.lr_g``, ``lr_d`` and ``betas``; ``train.lr_decay = "linear"`` is CycleGAN's schedule.
The generators end in ``tanh`` as CycleGAN's do; residual ones, which start as the identity,
stay there (the L1 losses' pull does not fade near zero and outweighs the GAN loss's).

``holdout`` pictures of A, spread evenly over the set, are never trained on: the sample grids
show them (A | A->B | A->B->A) and ``train.eval_every`` logs the Laplacian SWD of their
translations to B's pictures (``SWD/translated``) beside that of the pictures as they are
(``SWD/input``): a translated SWD below the input's means they moved toward B's style. With
none held out, the first pictures of A stand in.
"""

from __future__ import annotations

from itertools import chain
from typing import Any, ClassVar

import torch
from torch import Tensor

from ganvas import UserInputError
from ganvas.data import EpochSampler, ImageSet
from ganvas.errors import ParamError
from ganvas.io import to_uint8
from ganvas.metrics import laplacian_swd
from ganvas.plugins.methods.cycle_drawer import CycleDrawer
from ganvas.plugins.methods.gan import schedule_learning_rates
from ganvas.plugins.methods.pix2pix import gan_terms, random_crops, split_holdout
from ganvas.plugins.methods.translate_nets import PatchCritic, UNet, check_critic_crop, critic_layers, to_device
from ganvas.training import DrawContext, Method, TrainContext

__all__ = ["CycleMethod", "ImagePool", "build_target"]

LABEL = "method 'cycle'"
#: Channels-last: convolutions on CPUs (oneDNN) and GPUs run faster in that layout.
LAST = torch.channels_last
#: What a checkpoint holds of the method as the parts' own state dicts.
_PARTS = ("G_ab", "G_ba", "D_a", "D_b", "opt_g", "opt_d", "sampler_a", "sampler_b")


class ImagePool:
    """The last ``size`` translated pictures (Shrivastava et al. 2017; CycleGAN's image buffer).

    :meth:`query` stores each new picture until the pool is full; after that each new picture,
    with probability 1/2, replaces a stored one at random and the stored one is returned in its
    place, else it is returned as it is. ``size`` 0 returns pictures unchanged. Its randomness
    comes from its own generator, saved with the pictures, so a resumed run draws the same."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.images: list[Tensor] = []
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return len(self.images)

    @torch.no_grad()
    def query(self, images: Tensor) -> Tensor:
        """``(B, C, H, W)`` new pictures -> ``(B, C, H, W)`` for the critic, some of them older."""
        if self.size == 0:
            return images.detach()
        out = []
        for image in images.detach():
            if len(self.images) < self.size:
                self.images.append(image.clone())
                out.append(image)
            elif float(torch.rand((), generator=self.generator)) < 0.5:
                index = int(torch.randint(len(self.images), (), generator=self.generator))
                out.append(self.images[index])
                self.images[index] = image.clone()
            else:
                out.append(image)
        return torch.stack(out)

    def state_dict(self) -> dict[str, Any]:
        images = torch.stack(self.images).cpu() if self.images else torch.zeros(0)
        return {"images": images, "rng": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any], device: torch.device) -> None:
        self.images = [image.to(device) for image in state["images"]]
        self.generator.set_state(state["rng"])


def build_target(ctx: TrainContext, target: str, count: int) -> ImageSet:
    """Domain B: the pictures of data source ``target`` at the size and channels of ``ctx.data``'s
    (``count`` of them when its dataset takes a count; 0: as many as ``ctx.data`` has)."""
    from ganvas.recipe import parse_source  # as a recipe reads data.source ("plugin:name:argument" too)

    shape, where = tuple(ctx.data.shape), f"method.target '{target}'"
    ref = parse_source(ctx.host.registry, target, where=where)
    component = ctx.host.get("datasets", ref.name)
    declared = {p.name for p in component.params}
    given = {**ref.params, **{k: v for k, v in (("size", max(shape[1:])), ("channels", shape[0])) if k in declared}}
    if "count" in declared:
        given["count"] = count or len(ctx.data)

    def mismatch(got: tuple[int, ...] | None) -> UserInputError:
        what = f"{'x'.join(map(str, got))} pictures" if got and len(got) == 3 else "items that are not pictures"
        return UserInputError(
            f"{where} gives {what}, [data] gives {'x'.join(map(str, shape))} (channels x height x width): both "
            "sets need one shape; a source of square pictures (procedural:, texture:, photos:, folder:) takes "
            "[data]'s size and channels"
        )

    try:
        shape_of = component.traits.get("shape")
        expected = shape_of(ref.argument, component.resolve(given)) if shape_of is not None else None
        if isinstance(expected, str):  # the dataset's own parameters cannot work together
            raise UserInputError(expected)
        if expected is not None and tuple(expected) != shape:
            raise mismatch(tuple(expected))
        dataset = component.build(ref.argument, **given)
    except UserInputError as exc:
        if str(exc).startswith(where):
            raise
        why = " (its size and channels come from [data])" if isinstance(exc, ParamError) else ""
        raise UserInputError(f"{where}: {exc}{why}") from None
    if not isinstance(dataset, ImageSet) or tuple(dataset.shape) != shape:
        raise mismatch(tuple(dataset.shape) if isinstance(dataset, ImageSet) else None)
    if dataset.data.numel() < 1 << 30:
        dataset.to(ctx.device)  # small: on the device, as the trainer keeps [data]
    return dataset


class CycleMethod(Method):
    """Unpaired restyling training: see the module docstring."""

    data = (ImageSet,)
    uses: ClassVar[frozenset[str]] = frozenset()  # no [model], [loss] or [corrupt]: its networks are its own

    def __init__(self, ctx: TrainContext, **params: Any) -> None:
        super().__init__(ctx)
        self.p, self.device, cfg = params, ctx.device, ctx.recipe.train
        self._check_data()
        self.target = build_target(ctx, params["target"], params["target_count"])
        c = ctx.data.shape[0]
        # tanh U-Nets, not residual ones: from the identity, the L1 cycle and identity losses (whose
        # gradient does not fade near 0) pin the output to the input and the GAN loss never moves it
        self.G_ab = to_device(UNet(c, c, params["width"], params["depth"], residual=False), self.device)
        self.G_ba = to_device(UNet(c, c, params["width"], params["depth"], residual=False), self.device)
        self.D_a = to_device(PatchCritic(c, params["d_width"], self.d_layers), self.device)
        self.D_b = to_device(PatchCritic(c, params["d_width"], self.d_layers), self.device)
        betas = tuple(cfg.betas)
        self.opt_g = torch.optim.Adam(chain(self.G_ab.parameters(), self.G_ba.parameters()), lr=cfg.lr_g, betas=betas)
        self.opt_d = torch.optim.Adam(chain(self.D_a.parameters(), self.D_b.parameters()), lr=cfg.lr_d, betas=betas)
        self.sampler_a = EpochSampler(len(self.train_index), cfg.seed)
        self.sampler_b = EpochSampler(len(self.target), cfg.seed + 3)
        self.crops = torch.Generator().manual_seed(cfg.seed + 2)
        self.pool_a, self.pool_b = ImagePool(params["pool"], cfg.seed + 4), ImagePool(params["pool"], cfg.seed + 5)
        shown = self.held if self.holdout else torch.arange(min(8, len(ctx.data)))  # none held out: training ones
        self.demos = ctx.data.batch(shown).to(self.device)
        self.demos_b = self.target.batch(torch.arange(min(len(self.demos), len(self.target)))).to(self.device)

    def _check_data(self) -> None:
        data, p = self.ctx.data, self.p
        n = len(data)
        self.holdout = p["holdout"] if n >= 2 * p["holdout"] + 1 else 0
        self.held, self.train_index = split_holdout(n, self.holdout)
        _, h, w = data.shape
        crop = p["crop"] or min(h, w)
        if crop > min(h, w):
            raise UserInputError(
                f"{LABEL}: crop = {crop} is larger than the {w}x{h} px pictures; "
                f"give crop <= {min(h, w)} (0: whole pictures)"
            )
        self.d_layers = p["d_layers"] or critic_layers(crop)
        check_critic_crop(LABEL, crop, self.d_layers)
        self.crop = crop

    def _batches(self) -> tuple[Tensor, Tensor]:
        """A batch of random crops of A's training pictures and one of B's, in [-1, 1]."""
        batch = self.ctx.recipe.train.batch
        a = self.ctx.data.batch(self.train_index[self.sampler_a.next(batch)])
        b = self.target.batch(self.sampler_b.next(batch))
        a = random_crops(a, self.crop, self.crops).to(self.device, memory_format=LAST)
        return a, random_crops(b, self.crop, self.crops).to(self.device, memory_format=LAST)

    def train_step(self, step: int) -> dict[str, Tensor]:
        cfg = self.ctx.recipe.train  # CycleGAN's schedule: lr_decay = "linear" (constant, then to 0)
        schedule_learning_rates(step, cfg, (self.opt_g, cfg.lr_g), (self.opt_d, cfg.lr_d))
        real_a, real_b = self._batches()
        p, kind = self.p, self.p["gan_loss"]
        critics = (self.D_a, self.D_b)
        for critic in critics:
            critic.requires_grad_(False)
        fake_b, fake_a = self.G_ab(real_a), self.G_ba(real_b)
        adv = gan_terms(kind, None, self.D_b(fake_b)) + gan_terms(kind, None, self.D_a(fake_a))
        cycle = (self.G_ba(fake_b) - real_a).abs().mean() + (self.G_ab(fake_a) - real_b).abs().mean()
        g_loss = adv + p["cycle"] * cycle
        stats = {"Loss/G/adv": adv, "Loss/G/cycle": cycle}
        if p["identity"]:
            identity = (self.G_ab(real_b) - real_b).abs().mean() + (self.G_ba(real_a) - real_a).abs().mean()
            g_loss = g_loss + p["identity"] * identity
            stats["Loss/G/identity"] = identity
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        stats["Loss/G"] = g_loss
        for critic in critics:
            critic.requires_grad_(True)
        reals, fakes = [], []
        for name, critic, real, pool, fake in (
            ("a", self.D_a, real_a, self.pool_a, fake_a),
            ("b", self.D_b, real_b, self.pool_b, fake_b),
        ):
            real_logits, fake_logits = critic(torch.cat([real, pool.query(fake)])).chunk(2)
            stats[f"Loss/D/{name}"] = gan_terms(kind, real_logits, fake_logits)
            reals.append(real_logits.mean())
            fakes.append(fake_logits.mean())
        self.opt_d.zero_grad(set_to_none=True)
        (stats["Loss/D/a"] + stats["Loss/D/b"]).backward()
        self.opt_d.step()
        stats["D/real"], stats["D/fake"] = torch.stack(reals).mean(), torch.stack(fakes).mean()
        return {k: v.detach() for k, v in stats.items()}

    # -- what the loop asks -------------------------------------------------------------------

    def _networks(self) -> tuple[torch.nn.Module, ...]:
        return self.G_ab, self.G_ba, self.D_a, self.D_b

    def is_finite(self) -> bool:
        return all(bool(torch.isfinite(t).all()) for net in self._networks() for t in net.parameters())

    def log_fields(self) -> dict[str, float]:
        return {"LR/G": float(self.opt_g.param_groups[0]["lr"]), "LR/D": float(self.opt_d.param_groups[0]["lr"])}

    @torch.no_grad()
    def grid(self, seeds: list[int]) -> Tensor:
        """A | A->B | A->B->A for held-out pictures, side by side."""
        drawer = self.current_drawer()
        pictures, translated = drawer.pairs(seeds[:8])
        return torch.cat([pictures, translated, drawer.run(translated, self.G_ba)], dim=-1)

    @torch.no_grad()
    def evaluate(self) -> dict[str, float]:
        """Laplacian SWD to B's pictures of the held-out A pictures translated, and as they are."""
        pictures = self.demos
        translated = self.current_drawer().run(pictures)
        count = min(len(pictures), len(self.target))  # SWD compares as many patches from each set
        style = self.target.batch(torch.arange(count)).to(self.device)
        return {
            "SWD/translated": laplacian_swd(translated, style)["average"],
            "SWD/input": laplacian_swd(pictures, style)["average"],
        }

    def current_drawer(self, *, ema: bool = True) -> CycleDrawer:
        return CycleDrawer(self.G_ab, self.G_ba, self.demos, self.demos_b, self.device, LABEL)

    # -- state --------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        c, p = self.ctx.data.shape[0], self.p
        return {
            "networks": {"channels": c, "width": p["width"], "depth": p["depth"], "residual": False},
            **{name: getattr(self, name).state_dict() for name in _PARTS},
            "crops": self.crops.get_state(),
            "pool_a": self.pool_a.state_dict(),
            "pool_b": self.pool_b.state_dict(),
            "demos": to_uint8(self.demos),
            "demos_b": to_uint8(self.demos_b),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for name in _PARTS:
            getattr(self, name).load_state_dict(state[name])
        self.crops.set_state(state["crops"])
        self.pool_a.load_state_dict(state["pool_a"], self.device)
        self.pool_b.load_state_dict(state["pool_b"], self.device)

    @classmethod
    def drawer(cls, ctx: DrawContext, state: dict[str, Any], *, ema: bool = True) -> CycleDrawer:
        """The A->B drawer (``.reversed()`` goes B->A) of a checkpoint; it has no EMA weights."""
        nets = state["networks"]
        c, width, depth = int(nets["channels"]), int(nets["width"]), int(nets["depth"])
        generators = []
        for name in ("G_ab", "G_ba"):
            G = UNet(c, c, width, depth, residual=bool(nets.get("residual", False)))
            G.load_state_dict(state[name])
            generators.append(G.to(ctx.device).eval().requires_grad_(False))
        demos = [state[key].to(ctx.device).float().div(127.5).sub(1) for key in ("demos", "demos_b")]
        return CycleDrawer(generators[0], generators[1], demos[0], demos[1], ctx.device, LABEL)
