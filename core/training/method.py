"""Methods: what one training step is, the state it resumes from, and how it draws.

A *method* is the algorithm (OpenMMLab MMagic's "model"): it builds the networks it needs from
the recipe's components, owns their optimizers, runs one training step and returns its stats,
keeps everything an exact resume needs in :meth:`Method.state_dict`, and turns seeds into
pictures through a :class:`Drawer`. The loop around it (:mod:`ganvas.training.loop`) knows none
of that: it owns run folders, progress, lifecycle hooks, ``stats.jsonl``, the sample and
checkpoint cadence, NaN stops, Ctrl-C/SIGTERM and resume.

A plugin registers one with ``register_methods``::

    @ganvas.hookimpl
    def register_methods(register):
        register("my-method", MyMethod, params=[Param("gamma", float, 1.0, "...")])

and a recipe picks it with ``method = "my-method"`` (or ``[method] name = "my-method"`` and its
parameters). ``gan`` (:mod:`ganvas.plugins.methods.gan`) is the built-in reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import torch
from torch import Tensor, nn

from ganvas.data.kinds import Dataset, ImageSet
from ganvas.recipe.schema import METHOD_SECTIONS
from ganvas.seeds import latents_for_seeds, truncate
from ganvas.training.components import generate

if TYPE_CHECKING:
    from ganvas.plugin.manager import PluginHost
    from ganvas.recipe import Recipe

__all__ = ["Method", "Drawer", "GeneratorDrawer", "TrainContext", "DrawContext", "RECIPE_SECTIONS"]

#: Recipe sections a method may use (declared in :attr:`Method.uses`); a recipe that sets one its
#: method does not use gets a warning naming it, and run folders leave it out.
RECIPE_SECTIONS = METHOD_SECTIONS


@dataclass
class TrainContext:
    """What a method is built from for training: the recipe, the plugins, the data and the device."""

    recipe: Recipe
    host: PluginHost
    data: Dataset
    device: torch.device


@dataclass
class DrawContext:
    """What a drawer is built from: the run's recipe, the plugins and the device to draw on."""

    recipe: Recipe
    host: PluginHost
    device: torch.device
    #: The shape of one training item, ``(C, H, W)`` or ``(D,)``, and its dataset type.
    data_shape: tuple[int, ...]
    kind: type[Dataset]


class Drawer:
    """A trained method, ready to draw: seeds -> latents -> model-space items.

    ``kind`` is the dataset type of what it draws (it renders the items: a grid of images or a
    point plot). Latent walks interpolate what :meth:`latents` returns, so any tensor with one
    row per seed works.
    """

    kind: type[Dataset] = ImageSet
    device: torch.device = torch.device("cpu")
    #: Whether :meth:`draw` paints any canvas itself (``size=(H, W)``); others are upsampled.
    any_size: bool = False
    #: Whether :meth:`draw` also takes ``tile=True``: a seamless tile, opposite edges matching.
    tiles: bool = False
    #: ``(H, W)`` of what :meth:`draw` gives without a size (the training size); None: unknown.
    native_size: tuple[int, int] | None = None
    #: How many scales a drawing passes through, coarse to fine, when :meth:`draw` takes
    #: ``at=N`` (start from scale N, the scales below it from the training picture); 0: no scales.
    scales: int = 0
    #: Whether :meth:`draw` takes ``inject="PICTURE"``: start from that picture (at scale ``at``).
    injects: bool = False
    #: Whether :meth:`draw` takes ``enlarge=F``: the training (or injected) picture super-resolved F times.
    enlarges: bool = False
    #: The class names of a class-conditional drawer (:meth:`latents` then takes ``labels``); () otherwise.
    classes: tuple[str, ...] = ()
    #: Whether it repairs or restyles pictures (:meth:`translate`: ``ganvas restore``, the
    #: ``model`` stylizer); its :meth:`draw` then shows held-out pictures before | after.
    translates: bool = False
    #: With :attr:`translates`: whether :meth:`translate` needs a mask of the missing pixels (inpainting).
    needs_mask: bool = False
    #: With :attr:`translates`: how many times larger :meth:`translate`'s output is than its input.
    translate_scale: int = 1
    #: With :attr:`translates`: the colour channels :meth:`translate` takes and gives (1 or 3).
    channels: int = 3
    #: With :attr:`translates`: the largest tile side :meth:`translate` runs its network on at once.
    tile: int = 512
    #: With :attr:`translates`: how many flips and transposes :meth:`translate` averages (1, 4, 8).
    ensemble: int = 1

    def to(self, device: torch.device) -> Drawer:
        """Move the drawer's networks (its ``nn.Module`` attributes) to ``device``; returns itself."""
        for value in vars(self).values():
            if isinstance(value, nn.Module):
                value.to(device)
        self.device = device
        return self

    def translate(self, images: Tensor, mask: Tensor | None = None) -> Tensor:
        """Repair or restyle ``(B, C, h, w)`` pictures in [0, 1] (``mask`` ``(B, 1, h, w)``: 1 where
        pixels are missing) -> ``(B, C, H, W)`` in [0, 1]; only drawers that declare :attr:`translates`."""
        from ganvas.errors import UserInputError

        raise UserInputError(
            f"{type(self).__name__} does not repair pictures: ganvas restore needs a pix2pix or cycle run"
        )

    def latents(self, seeds: list[int], labels: list[int] | None = None) -> Tensor:
        """One latent per seed, the same for a seed whatever else is drawn with it; a
        conditional drawer takes one class index per seed in ``labels``."""
        raise NotImplementedError

    def directions(self, k: int) -> Tensor:
        """``(k, D)`` unit directions in latent space that change the picture most (SeFa), for
        ``--edit``; a drawer that cannot find them raises UserInputError."""
        from ganvas.errors import UserInputError

        raise UserInputError(f"{type(self).__name__} has no latent directions: --edit and ganvas explore need a GAN")

    def draw(
        self, latents: Tensor, *, truncation: float = 1.0, size: tuple[int, int] | None = None, tile: bool = False
    ) -> Tensor:
        """Items in model space (images in [-1, 1]) for ``latents``; each row drawn independently.

        ``size`` and ``tile`` are passed only to a drawer that declares :attr:`any_size` and
        :attr:`tiles`; ``at``, ``inject`` and ``enlarge`` only when set, to a drawer that declares
        :attr:`scales`, :attr:`injects` and :attr:`enlarges`."""
        raise NotImplementedError


class GeneratorDrawer(Drawer):
    """The drawer of a latent-vector generator ``G(z)``: one standard-normal ``z`` per seed.

    With ``any_size`` the generator takes ``G(z, size=(H, W))`` (and ``tile=True`` with
    ``tiles``), as the architecture traits of that name declare; it bounds its own memory."""

    def __init__(
        self,
        generator: nn.Module,
        z_dim: int,
        kind: type[Dataset],
        device: torch.device,
        *,
        any_size: bool = False,
        tiles: bool = False,
        native_size: tuple[int, int] | None = None,
        classes: tuple[str, ...] = (),
    ) -> None:
        self.generator, self.z_dim, self.kind, self.device = generator, z_dim, kind, device
        self.any_size, self.tiles, self.native_size = any_size, tiles, native_size
        self.classes = tuple(classes)

    def latents(self, seeds: list[int], labels: list[int] | None = None) -> Tensor:
        """Standard-normal noise per seed; a conditional generator's also carries the class
        one-hot (``labels``; default: seed ``s`` draws class ``s mod K``)."""
        if not self.classes:
            return latents_for_seeds(seeds, self.z_dim, self.device)
        from ganvas.training.conditional import class_latents

        return class_latents(seeds, labels, self.z_dim, len(self.classes), self.device)

    def directions(self, k: int) -> Tensor:
        from ganvas.training.directions import sefa_directions

        return sefa_directions(self.generator, self.z_dim, k)

    def draw(
        self, latents: Tensor, *, truncation: float = 1.0, size: tuple[int, int] | None = None, tile: bool = False
    ) -> Tensor:
        latents = latents.to(self.device)
        noise, condition = latents[:, : self.z_dim], latents[:, self.z_dim :]  # the class part is not truncated
        z = torch.cat([truncate(noise, truncation), condition], dim=1)
        if size is None and not tile:
            return generate(self.generator, z)
        options: dict[str, Any] = {"size": size} if not tile else {"size": size, "tile": True}
        return generate(self.generator, z, batch=1, **options)  # one canvas at a time: bounded memory


class Method:
    """Base class of training methods; see the module docstring for the contract.

    Subclasses set :attr:`data` and :attr:`uses`, and implement ``__init__(ctx, **params)``,
    :meth:`train_step`, :meth:`state_dict`, :meth:`load_state_dict` and :meth:`drawer`.
    """

    #: The dataset kinds this method trains on.
    data: ClassVar[tuple[type[Dataset], ...]] = (ImageSet,)
    #: The recipe sections (of :data:`RECIPE_SECTIONS`) this method reads.
    uses: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, ctx: TrainContext, **params: Any) -> None:
        self.ctx = ctx

    def train_step(self, step: int) -> dict[str, Tensor]:
        """Run training step ``step`` (0-based); return its stats as detached 0-d tensors named
        hierarchically (``Loss/G``, ``D/real``). Keep them on the device: the loop averages them
        and syncs only when it writes a stats line."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """Everything the next step depends on: weights, optimizers, EMA, data order, RNG states."""
        raise NotImplementedError

    def load_state_dict(self, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def is_finite(self) -> bool:
        """Whether the weights are still finite (the loop refuses to save or sample otherwise)."""
        return True

    @property
    def images_per_step(self) -> int:
        """Training items one step consumes, for the img/s the loop reports (default: train.batch)."""
        return self.ctx.recipe.train.batch

    def log_fields(self) -> dict[str, float]:
        """Extra values for each stats line (e.g. ``Augment/p``); read when a line is written."""
        return {}

    def observe(self, line: dict[str, Any]) -> str | None:
        """Look at a finished stats line (add to it in place); return a warning to print, or None."""
        return None

    def evaluate(self) -> dict[str, float]:
        """Quality figures for ``train.eval_every`` (e.g. ``SWD/avg``); must not touch training RNGs."""
        return {}

    def grid(self, seeds: list[int]) -> Tensor:
        """Model-space items for the training sample grids (``samples/step-N.png``)."""
        raise NotImplementedError

    def current_drawer(self, *, ema: bool = True) -> Drawer:
        """A drawer of the weights as they are now (benchmarks draw from a model still in memory).

        The default goes through :meth:`state_dict` and :meth:`drawer`; override it when building
        networks would draw from the global RNG mid-training."""
        ctx = DrawContext(self.ctx.recipe, self.ctx.host, self.ctx.device, self.ctx.data.shape, type(self.ctx.data))
        return type(self).drawer(ctx, self.state_dict(), ema=ema)

    @classmethod
    def drawer(cls, ctx: DrawContext, state: dict[str, Any], *, ema: bool = True) -> Drawer:
        """A :class:`Drawer` from a checkpoint's method ``state`` (``ema``: the averaged weights)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
