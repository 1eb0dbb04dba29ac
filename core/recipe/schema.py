"""Recipes: TOML files that name a dataset, networks, a loss, a schedule and a stylizer chain.

``load_recipe`` reads a file (or a built-in recipe by name), applies ``--set`` overrides and
validates everything against the registry at once, so a recipe with three mistakes reports all
three, each with its key, what was expected and what was found. The result is a resolved
:class:`Recipe` with every default filled in, which ``to_toml`` writes into each run folder.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from ganvas.errors import UnknownNameError, UserInputError, did_you_mean
from ganvas.io.formats import RESAMPLE
from ganvas.plugin.params import Param, resolve_params
from ganvas.drawing.seeds import parse_seeds
from ganvas.plugin.registry import Registry

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "Recipe",
    "ComponentRef",
    "TrainConfig",
    "SampleConfig",
    "RecipeError",
    "load_recipe",
    "parse_recipe",
    "apply_overrides",
    "builtin_recipes",
    "DEFAULT_RECIPE",
]

DEFAULT_RECIPE = "default"


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
    return field(default_factory=lambda: default if not isinstance(default, list) else list(default),
                 metadata={"help": help, "check": check})


@dataclass
class TrainConfig:
    """The training schedule. Defaults follow DCGAN (Radford et al. 2016) unless noted."""

    steps: int = _opt(2000, "generator updates to run", min=1)
    batch: int = _opt(64, "images per batch (DCGAN used 128; 64 is kinder to CPUs)", min=1)
    lr_g: float = _opt(2e-4, "generator Adam learning rate (DCGAN: 2e-4)", min=0.0)
    lr_d: float = _opt(2e-4, "discriminator Adam learning rate (raise it for TTUR)", min=0.0)
    betas: list = _opt([0.5, 0.999], "Adam (beta1, beta2); beta1=0.5 steadies GAN training", min=0.0, max=1.0)
    lr_decay: str = _opt("none", "learning-rate schedule after decay_start: none, linear or cosine to 0",
                         choices=("none", "linear", "cosine"))
    decay_start: float = _opt(0.5, "fraction of the steps after which lr_decay begins", min=0.0, max=1.0)
    n_critic: int = _opt(0, "D phases per G phase; 0 takes the loss's own default (wgan: 5)", min=0)
    optimizer: str = _opt("auto", "auto takes the loss's choice (Adam; RMSprop for wgan)",
                          choices=("auto", "adam", "rmsprop"))
    ema: float = _opt(0.999, "EMA decay of the generator used for samples; 0 turns EMA off", min=0.0, max=1.0)
    seed: int = _opt(0, "seeds the weights, data order and noise: same seed, same images", min=0)
    device: str = _opt("auto", "auto picks cuda, then mps, then cpu", choices=("auto", "cpu", "cuda", "mps"))
    sample_every: int = _opt(500, "steps between sample grids in samples/ (0: never)", min=0)
    checkpoint_every: int = _opt(1000, "steps between checkpoints (0: only at the end)", min=0)
    keep_checkpoints: int = _opt(3, "how many recent checkpoints to keep", min=1)
    log_every: int = _opt(25, "steps between lines in stats.jsonl", min=1)
    eval_every: int = _opt(0, "steps between Laplacian SWD checks (256 EMA samples vs real images), logged as "
                              "SWD/avg next to the SWD/real_floor in stats.jsonl (0: never)", min=0)


@dataclass
class SampleConfig:
    """What ``ganvas run`` and ``ganvas sample`` draw after training."""

    seeds: str = _opt("0-35", "latent seeds: '0-35', '1,5,9' or '0-7,100'")
    grid: bool = _opt(True, "one grid image (true) or one file per seed (false)")
    columns: int = _opt(0, "grid columns; 0 picks a near-square grid", min=0)
    scale: int = _opt(1, "enlargement of saved images", min=1, max=16)
    resample: str = _opt("nearest", "how to enlarge: nearest keeps crisp pixels, lanczos paints smoothly",
                         choices=RESAMPLE)
    truncation: float = _opt(1.0, "pull latents toward the mean latent: 1 plain samples, 0 the mean image, "
                                  "0.5-0.8 safer, blander images", min=0.0, max=2.0)
    size: int = _opt(0, "render at this many pixels (upsampled before the stylizer chain, so stylizers "
                        "paint at full size); 0: the model's own size", min=0, max=4096)
    ema: bool = _opt(True, "draw with the EMA generator (smoother); false: the raw generator")
    step: int = _opt(0, "draw from the checkpoint of this training step (training saves it); 0: the last", min=0)


def params_of(config_cls: type) -> tuple[Param, ...]:
    """The :class:`Param` declarations of a config dataclass, for validation and docs."""
    out = []
    for f in fields(config_cls):
        default = f.default_factory()  # type: ignore[misc]
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
    augment: dict[str, Any]
    train: TrainConfig
    sample: SampleConfig
    stylize: list[ComponentRef]
    regularize: list[ComponentRef] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The recipe as TOML-ready data; ``parse_recipe(recipe.to_dict())`` gives it back."""
        data_source = f"{self.data.name}:{self.data.argument}" if self.data.argument else self.data.name
        return {
            "name": self.name,
            "description": self.description,
            **({"plugins": list(self.plugins)} if self.plugins else {}),
            "data": {"source": data_source, **self.data.params},
            "model": {"name": self.model.name, **self.model.params},
            "loss": {"name": self.loss.name, **self.loss.params},
            "augment": dict(self.augment),
            "train": asdict(self.train),
            "sample": asdict(self.sample),
            "regularize": [{"name": r.name, **r.params} for r in self.regularize],
            "stylize": [{"name": s.name, **s.params} for s in self.stylize],
        }

    def to_toml(self) -> str:
        data = self.to_dict()
        chains = {key: data.pop(key) for key in _CHAINS}
        text = tomli_w.dumps(data)
        # tomli_w writes arrays of tables inline; chains read better as [[stylize]] tables
        for key, entries in chains.items():
            for entry in entries:
                text += f"\n[[{key}]]\n" + tomli_w.dumps(entry)
        return text


# -- reading -------------------------------------------------------------------------------------

_CHAINS = {"regularize": "regularizers", "stylize": "stylizers"}  # array-of-tables key -> kind
_SECTIONS = ("data", "model", "loss", "augment", "train", "sample", *_CHAINS)
_TOP_LEVEL = ("name", "description", "plugins", *_SECTIONS)


def builtin_recipes() -> dict[str, str]:
    """Built-in recipe names -> their descriptions (from the gallery, shipped with ganvas)."""
    found = {}
    for entry in sorted(resources.files("ganvas.recipes").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            try:
                found[entry.name[:-5]] = str(tomllib.loads(entry.read_text()).get("description", ""))
            except tomllib.TOMLDecodeError:
                found[entry.name[:-5]] = "(unreadable recipe)"
    return found


def read_recipe_source(ref: str | Path) -> tuple[dict[str, Any], str]:
    """Read the raw TOML of a recipe file, a built-in recipe name, or the recipe embedded in an
    image ganvas wrote; returns (data, label)."""
    from ganvas.drawing.provenance import looks_like_image, read_provenance

    path = Path(ref).expanduser()
    if path.is_file() and looks_like_image(path):
        text, label = read_provenance(path).recipe, f"{ref} (embedded recipe)"
    elif path.is_file():
        text, label = _read_text(path), str(ref)
    elif path.suffix == "" and (resources.files("ganvas.recipes") / f"{ref}.toml").is_file():
        text, label = (resources.files("ganvas.recipes") / f"{ref}.toml").read_text(), f"{ref} (built-in)"
    elif path.exists():
        raise UserInputError(f"recipe '{ref}' is not a file")
    elif looks_like_image(path):
        raise UserInputError(f"image '{ref}' does not exist")
    else:
        names = builtin_recipes()
        raise UnknownNameError("recipe (not a file, nor a built-in recipe)", str(ref), names)
    try:
        return tomllib.loads(text), label
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(label, [f"malformed TOML: {exc}"]) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserInputError(f"{path}: not a text file (a recipe is TOML text)") from None
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read: {exc.strerror}") from None


def _parse_value(text: str) -> Any:
    """A ``--set`` value as TOML (``500``, ``0.5``, ``true``, ``[0.0, 0.99]``), else a plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(raw: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``key.path=value`` overrides (``stylize.0.radius=3`` indexes the chain) in place."""
    for item in overrides:
        key, eq, text = item.partition("=")
        key = key.strip()
        if not eq or not key:
            raise UserInputError(f"--set '{item}': expected KEY.PATH=VALUE, e.g. train.steps=500")
        parts = key.split(".")
        if parts[0] not in _TOP_LEVEL:
            raise UnknownNameError("recipe key in --set", parts[0], _TOP_LEVEL)
        node: Any = raw
        for depth, part in enumerate(parts[:-1]):
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise UserInputError(
                        f"--set '{item}': '{'.'.join(parts[:depth])}' has {len(node)} entries; "
                        f"use an index from 0 to {len(node) - 1}"
                    )
                node = node[int(part)]
            else:
                node = node.setdefault(part, {})
            if not isinstance(node, (dict, list)):
                raise UserInputError(f"--set '{item}': '{'.'.join(parts[: depth + 1])}' is not a table")
        if isinstance(node, list):
            raise UserInputError(f"--set '{item}': set a key of one entry, e.g. {key}.0.name")
        node[parts[-1]] = _parse_value(text.strip())
    return raw


def load_recipe(
    ref: str | Path, registry: Registry, overrides: Sequence[str] = ()
) -> Recipe:
    """Read, override and validate a recipe file or built-in recipe name."""
    raw, label = read_recipe_source(ref)
    apply_overrides(raw, overrides)
    from ganvas.plugin.requirements import check_requirements  # before validation: a missing plugin says how to install it
    check_requirements(raw.get("plugins", []))
    default_name = Path(str(ref)).stem if Path(str(ref)).suffix else str(ref)
    return parse_recipe(raw, registry, source=label, default_name=default_name)


def parse_recipe(
    raw: Mapping[str, Any], registry: Registry, *, source: str = "<recipe>", default_name: str = "recipe"
) -> Recipe:
    """Validate raw recipe data against ``registry``; RecipeError lists every problem."""
    problems: list[str] = []
    for key in raw:
        if key not in _TOP_LEVEL:
            problems.append(f"{key}: unknown key; {_valid(key, _TOP_LEVEL)}")

    def table(key: str) -> dict[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            problems.append(f"{key}: expected a table [{key}], got {type(value).__name__}")
            return {}
        return dict(value)

    name = _string(raw, "name", default_name, problems)
    description = _string(raw, "description", "", problems)
    plugins = raw.get("plugins", [])
    if not isinstance(plugins, list) or not all(isinstance(p, str) for p in plugins):
        problems.append(f"plugins: expected a list of requirements like [\"ganvas-neon>=0.2\"], got {plugins!r}")
        plugins = []

    data_table = table("data")
    if "source" not in data_table:
        problems.append("data.source: missing; e.g. source = \"procedural:circles\" or \"folder:~/pictures\"")
        data = ComponentRef("", {})
    else:
        source_value = data_table.pop("source")
        if not isinstance(source_value, str):
            problems.append(f"data.source: expected a string 'name:argument', got {source_value!r}")
            data = ComponentRef("", {})
        else:
            dname, _, argument = source_value.partition(":")
            data = _component(registry, "datasets", "data", dname.strip(), data_table, problems, "source")
            data.argument = argument.strip()

    model_table = table("model")
    model = _component(registry, "architectures", "model", str(model_table.pop("name", "dcgan")), model_table, problems)
    loss_table = table("loss")
    loss = _component(registry, "losses", "loss", str(loss_table.pop("name", "nonsaturating")), loss_table, problems)
    augment = _augment(registry, table("augment"), problems)
    train = _config(TrainConfig, table("train"), "train", problems)
    sample = _config(SampleConfig, table("sample"), "sample", problems)
    if isinstance(sample, SampleConfig):
        try:
            parse_seeds(sample.seeds)
        except UserInputError as exc:
            problems.append(f"sample.seeds: {exc}")

    regularize = _chain(registry, raw, "regularize", problems)
    stylize = _chain(registry, raw, "stylize", problems)

    if problems:
        raise RecipeError(source, problems)
    return Recipe(name, description, data, model, loss, augment, train, sample, stylize,  # type: ignore[arg-type]
                  regularize, list(plugins), source)


def _chain(registry: Registry, raw: Mapping[str, Any], key: str, problems: list[str]) -> list[ComponentRef]:
    """An array of tables like [[stylize]]: each entry names a component and sets its parameters."""
    kind = _CHAINS[key]
    chain = raw.get(key, [])
    if not isinstance(chain, list) or not all(isinstance(s, dict) for s in chain):
        problems.append(f"{key}: expected an array of tables [[{key}]] with a 'name' each")
        return []
    refs = []
    for index, entry in enumerate(chain):
        entry = dict(entry)
        if "name" not in entry:
            problems.append(f"{key}.{index}.name: missing; {_valid('', registry.names(kind))}")
            continue
        refs.append(_component(registry, kind, f"{key}.{index}", str(entry.pop("name")), entry, problems))
    return refs


def _valid(name: str, valid: Iterable[str]) -> str:
    return did_you_mean(name, valid)


def _string(raw: Mapping[str, Any], key: str, default: str, problems: list[str]) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        problems.append(f"{key}: expected a string, got {value!r}")
        return default
    return value


def _component(
    registry: Registry, kind: str, section: str, name: str, given: dict[str, Any], problems: list[str],
    name_key: str = "name",
) -> ComponentRef:
    try:
        component = registry.get(kind, name)
    except UnknownNameError as exc:
        problems.append(f"{section}.{name_key}: {exc}")
        return ComponentRef(name, given)
    values, found = resolve_params(component.params, given, owner=component.label)
    problems.extend(f"{section}.{p}" for p in found)
    return ComponentRef(component.name, values)


def _config(cls: type, given: dict[str, Any], section: str, problems: list[str]) -> Any:
    values, found = resolve_params(params_of(cls), given, owner=f"[{section}]")
    problems.extend(f"{section}.{p}" for p in found)
    try:
        return cls(**values)
    except TypeError:
        return None


#: The scalar keys of ``[augment]`` (tables named after the policy's ops hold their parameters).
_AUGMENT_PARAMS: tuple[Param, ...] = (
    Param("policy", str, "", "comma-separated augmentations, e.g. \"color,translation,cutout\""),
    Param("p", float, None, "probability each op reaches each image (ADA: the starting p, default 0)",
          min=0.0, max=1.0, nullable=True),
    Param("ada", bool, False, "adapt p from E[sign(D(real))] (ADA, Karras et al. 2020)"),
    Param("ada_target", float, 0.6, "ADA's target for E[sign(D(real))]", min=0.0, max=1.0),
    Param("ada_interval", int, 4, "minibatches between ADA updates of p", min=1),
    Param("ada_kimg", float, 500.0, "thousands of images for p to go from 0 to 1", min=0.001),
)


def _augment(registry: Registry, given: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """``[augment]``: the policy, p, the ADA settings and one parameter table per op in the policy.

    Returns a plain dict with every default filled in (``p`` defaults to 1, or 0 with ``ada``).
    """
    scalars = {k: v for k, v in given.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in given.items() if isinstance(v, dict)}
    scalar_names = [p.name for p in _AUGMENT_PARAMS]
    for key in list(scalars):
        if key not in scalar_names:
            problems.append(f"augment.{key}: unknown key; {_valid(key, scalar_names)} "
                            "(or a table named after an op in the policy, holding its parameters)")
            scalars.pop(key)
    values, found = resolve_params(_AUGMENT_PARAMS, scalars, owner="[augment]")
    problems.extend(f"augment.{p}" for p in found)
    policy = values.get("policy", "")
    if not isinstance(policy, str):
        return {"policy": ""}
    if values.get("p") is None:
        values["p"] = 0.0 if values.get("ada") else 1.0
    names: list[str] = []
    for item in filter(None, (p.strip() for p in policy.split(","))):
        try:
            names.append(registry.get("augmentations", item).name)
        except UnknownNameError as exc:
            problems.append(f"augment.policy: {exc}")
    out: dict[str, Any] = dict(values)
    for key, table in tables.items():
        try:
            component = registry.get("augmentations", key)
        except UnknownNameError as exc:
            problems.append(f"augment.{key}: {exc}")
            continue
        if component.name not in names:
            problems.append(f"augment.{key}: parameters for '{component.name}', which is not in the policy "
                            f"{policy!r}")
            continue
        resolved, found = resolve_params(component.params, table, owner=component.label)
        problems.extend(f"augment.{key}.{p}" for p in found)
        out[component.name] = resolved
    if values.get("ada") and not names:
        problems.append("augment.ada: adaptive augmentation needs a policy, e.g. policy = \"color,translation,cutout\"")
    return out

