"""The recipe schema: a resolved :class:`Recipe` and its typed sections, every default filled in.

``[train]``, ``[sample]`` and ``[augment]`` are dataclasses whose fields carry the
:class:`~ganvas.plugin.params.Param` that validates them (one source for the type, default and
help); the component sections (``method``, ``[data]``, ``[model]``, ``[loss]``, the
``[[regularize]]`` and ``[[stylize]]`` chains) are :class:`ComponentRef` entries checked against
the registry by :mod:`ganvas.recipe.validate`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import tomli_w

from ganvas.errors import UserInputError
from ganvas.io.formats import RESAMPLE
from ganvas.plugin.params import Param

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "Recipe",
    "ComponentRef",
    "TrainConfig",
    "SampleConfig",
    "AugmentConfig",
    "RecipeError",
    "params_of",
    "DEFAULT_RECIPE",
    "METHOD_SECTIONS",
    "CHAINS",
    "SECTIONS",
    "TOP_LEVEL",
    "tomllib",
]

DEFAULT_RECIPE = "default"

#: Recipe sections a method may use (it declares which in ``Method.uses``).
METHOD_SECTIONS = ("model", "loss", "regularize", "augment", "corrupt")


class RecipeError(UserInputError):
    """A recipe with one or more problems; ``problems`` holds one line per problem."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = f"{source}: {self.problems[0]}"
        else:
            lines = "\n".join(f"  {p}" for p in self.problems)
            message = f"{source}: {len(self.problems)} problems:\n{lines}"
        super().__init__(message)


def _opt(default: Any, help: str, **check: Any) -> Any:
    """A dataclass field whose metadata is the :class:`Param` that validates it."""
    return field(
        default_factory=lambda: default if not isinstance(default, list) else list(default),
        metadata={"help": help, "check": check},
    )


@dataclass
class TrainConfig:
    """The training schedule. Defaults follow DCGAN (Radford et al. 2016) unless noted."""

    steps: int = _opt(2000, "generator updates to run", min=1, max=1_000_000_000)
    batch: int = _opt(64, "images per batch (DCGAN used 128; 64 is kinder to CPUs)", min=1, max=65_536)
    lr_g: float = _opt(2e-4, "generator Adam learning rate (DCGAN: 2e-4)", min=0.0)
    lr_d: float = _opt(2e-4, "discriminator Adam learning rate (raise it for TTUR)", min=0.0)
    betas: list = _opt([0.5, 0.999], "Adam (beta1, beta2); beta1=0.5 steadies GAN training", min=0.0, max=1.0)
    lr_decay: str = _opt(
        "none",
        "learning-rate schedule after decay_start: none, linear or cosine to 0",
        choices=("none", "linear", "cosine"),
    )
    decay_start: float = _opt(0.5, "fraction of the steps after which lr_decay begins", min=0.0, max=1.0)
    optimizer: str = _opt(
        "auto", "auto takes the loss's choice (Adam; RMSprop for wgan)", choices=("auto", "adam", "rmsprop")
    )
    ema: float = _opt(0.999, "EMA decay of the generator used for samples; 0 turns EMA off", min=0.0, max=1.0)
    ema_kimg: float = _opt(
        0.0,
        "EMA half-life in thousands of images (StyleGAN2-ADA's; the same at any batch or number of "
        "processes); 0: use ema, a decay per step",
        min=0.0,
        max=100_000.0,
    )
    seed: int = _opt(0, "seeds the weights, data order and noise: same seed, same images", min=0, max=2**62)
    device: str = _opt("auto", "auto picks cuda, then mps, then cpu", choices=("auto", "cpu", "cuda", "mps"))
    sample_every: int = _opt(500, "steps between sample grids in samples/ (0: never)", min=0)
    checkpoint_every: int = _opt(1000, "steps between checkpoints (0: only at the end)", min=0)
    keep_checkpoints: int = _opt(3, "how many recent checkpoints to keep", min=1)
    log_every: int = _opt(25, "steps between lines in stats.jsonl", min=1)
    log: str = _opt(
        "jsonl",
        "loggers the run writes to, comma-separated or a list: jsonl (stats.jsonl, which ganvas watch, "
        "plot and runs read), tensorboard (the tensorboard extra), or a plugin's",
    )
    eval_every: int = _opt(
        0,
        "steps between Laplacian SWD checks (256 EMA samples vs real images), logged as "
        "SWD/avg next to the SWD/real_floor in stats.jsonl (0: never)",
        min=0,
    )
    precision: str = _opt(
        "fp32",
        "forward passes in bf16 or fp16 (autocast; fp16 with a gradient scaler): faster on GPUs with tensor "
        "cores; on a CPU only bf16 can help (one with bf16 instructions), fp16 is emulated and slow",
        choices=("fp32", "bf16", "fp16"),
    )
    channels_last: bool = _opt(False, "networks and image batches in channels-last memory (NHWC): faster convs on GPUs")
    compile: bool = _opt(False, "torch.compile the networks: faster steps on GPUs after a slow first one")


@dataclass
class SampleConfig:
    """What ``ganvas run`` and ``ganvas sample`` draw after training."""

    seeds: str = _opt("0-35", "latent seeds: '0-35', '1,5,9' or '0-7,100'")
    grid: bool = _opt(True, "one grid image (true) or one file per seed (false)")
    columns: int = _opt(0, "grid columns; 0 picks a near-square grid", min=0)
    scale: int = _opt(1, "enlargement of saved images", min=1, max=16)
    resample: str = _opt(
        "nearest", "how to enlarge: nearest keeps crisp pixels, lanczos paints smoothly", choices=RESAMPLE
    )
    truncation: float = _opt(
        1.0,
        "pull latents toward the mean latent: 1 plain samples, 0 the mean image, 0.5-0.8 safer, blander images",
        min=0.0,
        max=2.0,
    )
    size: int = _opt(
        0,
        "render this many pixels wide (and high, unless height is set): natively for architectures "
        "that render at any size, else upsampled; before the stylizer chain, so stylizers paint at "
        "full size; 0: the model's own size",
        min=0,
        max=65536,
    )
    height: int = _opt(
        0, "canvas height in pixels when it differs from size (1920x1080: size 1920, height 1080)", min=0, max=65536
    )
    tile: bool = _opt(False, "paint a seamless tile (opposite edges match); architectures that tile only")
    at: int = _opt(
        0,
        "methods with scales (pyramid): start drawing at this scale, the scales below it from the training "
        "picture (or from inject); higher keeps more of its layout; 0: all scales from noise",
        min=0,
        max=64,
    )
    inject: str = _opt(
        "", "methods with scales: start from this picture (a file, or a built-in picture's name) at scale 'at'"
    )
    enlarge: float = _opt(
        1.0,
        "methods that enlarge (pyramid): super-resolve the training picture (or inject's) this many times; 1: off",
        min=1.0,
        max=16.0,
    )
    classes: str = _opt(
        "",
        "class-conditional runs: the classes to draw, comma-separated (--class); empty: every class, "
        "each seed a row with a column per class",
    )
    edit: str = _opt(
        "", "move along latent directions (SeFa; ganvas explore shows them): 'D=S,...', e.g. '2=+1.5,5=-1'"
    )
    ema: bool = _opt(True, "draw with the EMA generator (smoother); false: the raw generator")
    step: int = _opt(0, "draw from the checkpoint of this training step (training saves it); 0: the last", min=0)


@dataclass
class AugmentConfig:
    """``[augment]``: what transforms every discriminator input (DiffAugment, ADA), resolved.

    Validated against :data:`ganvas.recipe.validate.AUGMENT_PARAMS` (``p`` left out of a recipe
    becomes 1, or 0 with ``ada``: ADA's starting point).
    """

    policy: str = ""
    p: float = 1.0
    ada: bool = False
    ada_target: float = 0.6
    ada_interval: int = 4
    ada_kimg: float = 500.0
    #: Parameters of the policy's ops, by op name (``[augment.cutout] ratio = 0.25``).
    ops: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """The policy's op names, in order."""
        return [item.strip() for item in self.policy.split(",") if item.strip()]

    def to_dict(self) -> dict[str, Any]:
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "ops"}
        return {**values, **{name: dict(table) for name, table in self.ops.items()}}


def params_of(config_cls: type) -> tuple[Param, ...]:
    """The :class:`Param` declarations of a config dataclass, for validation and docs."""
    out = []
    for f in fields(config_cls):
        default = f.default_factory()  # type: ignore[operator]  # every field here has a factory
        ptype = type(default)
        out.append(Param(f.name, ptype, default, f.metadata["help"], **f.metadata["check"]))
    return tuple(out)


@dataclass
class ComponentRef:
    """A component chosen by a recipe: its registered name, argument (datasets) and parameters."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    argument: str = ""


@dataclass
class Recipe:
    """A validated recipe with every default filled in."""

    name: str
    description: str
    data: ComponentRef
    model: ComponentRef
    loss: ComponentRef
    augment: AugmentConfig
    train: TrainConfig
    sample: SampleConfig
    stylize: list[ComponentRef]
    regularize: list[ComponentRef] = field(default_factory=list)
    callbacks: list[ComponentRef] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)
    source: str = ""
    method: ComponentRef = field(default_factory=lambda: ComponentRef("gan"))
    #: ``[corrupt]``: how a repair method damages clean pictures to make its training pairs.
    corrupt: ComponentRef = field(default_factory=lambda: ComponentRef("noise"))
    #: The sections of :data:`METHOD_SECTIONS` the method reads (the others are left out of
    #: :meth:`to_dict`, so a run folder's recipe shows only what shaped the run).
    uses: frozenset[str] = frozenset(("model", "loss", "regularize", "augment"))

    def to_dict(self) -> dict[str, Any]:
        """The recipe as TOML-ready data; ``parse_recipe(recipe.to_dict())`` gives it back."""
        data_source = f"{self.data.name}:{self.data.argument}" if self.data.argument else self.data.name
        out: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            **({"plugins": list(self.plugins)} if self.plugins else {}),
            "method": {"name": self.method.name, **self.method.params},
            "data": {"source": data_source, **self.data.params},
            "model": {"name": self.model.name, **self.model.params},
            "loss": {"name": self.loss.name, **self.loss.params},
            "corrupt": {"name": self.corrupt.name, **self.corrupt.params},
            "augment": self.augment.to_dict(),
            "train": asdict(self.train),
            "sample": asdict(self.sample),
            "regularize": [{"name": r.name, **r.params} for r in self.regularize],
            "stylize": [{"name": s.name, **s.params} for s in self.stylize],
            **({"callbacks": [{"name": c.name, **c.params} for c in self.callbacks]} if self.callbacks else {}),
        }
        for section in METHOD_SECTIONS:
            if section not in self.uses:
                del out[section]
        return out

    def components(self) -> list[tuple[str, str, ComponentRef]]:
        """``(section, kind, ref)`` for every component the recipe uses, e.g.
        ``("stylize.0", "stylizers", ref)``, in recipe order."""
        found = [("method", "methods", self.method), ("data", "datasets", self.data)]
        found += [
            (s, k, getattr(self, s))
            for s, k in (("model", "architectures"), ("loss", "losses"), ("corrupt", "corruptions"))
            if s in self.uses
        ]
        for key, kind in CHAINS.items():
            if key in METHOD_SECTIONS and key not in self.uses:
                continue
            found += [(f"{key}.{i}", kind, ref) for i, ref in enumerate(getattr(self, key))]
        return found

    def to_toml(self) -> str:
        data = self.to_dict()
        for key in CHAINS:
            data.setdefault(key, [])
        chains = {key: data.pop(key) for key in CHAINS}
        text = tomli_w.dumps(data)
        # tomli_w writes arrays of tables inline; chains read better as [[stylize]] tables
        for key, entries in chains.items():
            for entry in entries:
                text += f"\n[[{key}]]\n" + tomli_w.dumps(entry)
        return text


CHAINS = {"regularize": "regularizers", "stylize": "stylizers", "callbacks": "callbacks"}  # [[key]] -> kind
SECTIONS = ("method", "data", "model", "loss", "corrupt", "augment", "train", "sample", *CHAINS)
TOP_LEVEL = ("name", "description", "plugins", *SECTIONS)
