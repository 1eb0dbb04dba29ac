"""Validating raw recipe data against the registry: every problem found at once, one line each."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ganvas.errors import UnknownNameError, UserInputError, did_you_mean
from ganvas.plugin.params import Param, path_values, resolve_params, resolve_paths
from ganvas.plugin.registry import Registry
from ganvas.plugin.traits import shape_problem
from ganvas.recipe.schema import (
    CHAINS,
    TOP_LEVEL,
    AugmentConfig,
    ComponentRef,
    Recipe,
    RecipeError,
    SampleConfig,
    TrainConfig,
    params_of,
)
from ganvas.recipe.unused import method_uses, warn_unused
from ganvas.seeds import parse_seeds

__all__ = ["parse_recipe", "files_read", "AUGMENT_PARAMS"]


def parse_recipe(
    raw: Mapping[str, Any],
    registry: Registry,
    *,
    source: str = "<recipe>",
    default_name: str = "recipe",
    base: Path | None = None,
) -> Recipe:
    """Validate raw recipe data against ``registry``; RecipeError lists every problem. File
    parameters are made absolute, relative to ``base`` (default: the current folder)."""
    problems: list[str] = []
    for key in raw:
        if key not in TOP_LEVEL:
            problems.append(f"{key}: unknown key; {_valid(key, TOP_LEVEL)}")

    def table(key: str) -> dict[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            problems.append(f"{key}: expected a table [{key}], got {type(value).__name__}")
            return {}
        return dict(value)

    name = _string(raw, "name", default_name, problems)
    description = _string(raw, "description", "", problems)
    plugins = _plugins(raw.get("plugins", []), problems)
    data = _data(registry, table("data"), problems)
    train_table = table("train")
    method = _method(registry, raw.get("method", "gan"), train_table, problems)
    model = _named(registry, "architectures", "model", table("model"), "dcgan", problems)
    loss = _named(registry, "losses", "loss", table("loss"), "nonsaturating", problems)
    augment = _augment(registry, table("augment"), problems)
    train = _train(registry, train_table, problems)
    sample = _sample(table("sample"), problems)
    chains = {key: _chain(registry, raw, key, problems) for key in CHAINS}
    uses = method_uses(registry, method.name)
    corrupt = _corrupt(registry, table("corrupt"), uses, problems)
    warn_unused(raw, method.name, uses, registry)
    if not problems:
        problems += _shape_problems(registry, data, model if "model" in uses else None)
    if problems:
        raise RecipeError(source, problems)
    recipe = Recipe(  # then the files its parameters name, relative to base
        name=name,
        description=description,
        data=data,
        model=model,
        loss=loss,
        augment=augment,
        train=train,
        sample=sample,
        **chains,
        plugins=list(plugins),
        source=source,
        method=method,
        corrupt=corrupt,
        uses=uses,
    )
    if problems := _resolve_files(recipe, registry, base):
        raise RecipeError(source, problems)
    return recipe


def _sample(given: dict[str, Any], problems: list[str]) -> Any:
    sample = _config(SampleConfig, given, "sample", problems)
    if isinstance(sample, SampleConfig):
        try:
            parse_seeds(sample.seeds)
        except UserInputError as exc:
            problems.append(f"sample.seeds: {exc}")
    return sample


def _resolve_files(recipe: Recipe, registry: Registry, base: Path | None) -> list[str]:
    """Make every file parameter absolute (relative to ``base``); a missing file is a problem."""
    problems = []
    for section, kind, ref in recipe.components():
        component = registry.get(kind, ref.name)
        problems += [f"{section}.{p}" for p in resolve_paths(component.params, ref.params, base)]
    return problems


def _shape_problems(registry: Registry, data: ComponentRef, model: ComponentRef | None) -> list[str]:
    """The item shape the dataset declares it gives (or why it cannot), against the
    architecture's ``accepts`` trait when the method uses ``[model]``."""
    dataset = registry.get("datasets", data.name)
    shape_of = dataset.traits.get("shape")
    accepts = registry.get("architectures", model.name).traits.get("accepts") if model is not None else None
    try:
        shape = shape_of(data.argument, data.params) if shape_of is not None else None
    except Exception as exc:  # a plugin's bug: say whose, as a recipe problem
        from ganvas.plugin.loading import describe

        return [f"data.source: {dataset.label} (plugin '{dataset.plugin}'): its shape trait failed: {describe(exc)}"]
    if isinstance(shape, str):  # the dataset's own parameters cannot work together
        return [f"data: {shape}"]
    if accepts is None or model is None:
        return []
    problem = shape_problem(accepts, tuple(shape), model.params) if shape is not None else None
    if problem is None:
        return []
    given = ", ".join(f"{k} = {data.params[k]}" for k in ("size", "channels") if k in data.params)
    return [
        f"model.name: architecture '{model.name}' {problem} (from data.source '{data.name}'{', ' + given if given else ''})"
    ]


def _plugins(value: Any, problems: list[str]) -> list[str]:
    """``plugins = ["ganvas-neon>=0.2", ...]``: the requirements the recipe needs installed."""
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        problems.append(f'plugins: expected a list of requirements like ["ganvas-neon>=0.2"], got {value!r}')
        return []
    return list(value)


def _named(
    registry: Registry, kind: str, section: str, given: dict[str, Any], default: str, problems: list[str]
) -> ComponentRef:
    """A ``[section]`` table naming a component of ``kind`` (``name``, default ``default``) and its parameters."""
    return _component(registry, kind, section, str(given.pop("name", default)), given, problems)


def _corrupt(registry: Registry, given: dict[str, Any], uses: frozenset[str], problems: list[str]) -> ComponentRef:
    """``[corrupt]``: checked only for a method that uses it (others never build one)."""
    name = str(given.pop("name", "noise"))
    if "corrupt" not in uses:
        return ComponentRef(name)
    return _component(registry, "corruptions", "corrupt", name, given, problems)


def _data(registry: Registry, given: dict[str, Any], problems: list[str]) -> ComponentRef:
    """``[data]``: ``source = "name:argument"`` and the dataset's parameters."""
    if "source" not in given:
        problems.append('data.source: missing; e.g. source = "procedural:circles" or "folder:~/pictures"')
        return ComponentRef("", {})
    source_value = given.pop("source")
    if not isinstance(source_value, str):
        problems.append(f"data.source: expected a string 'name:argument', got {source_value!r}")
        return ComponentRef("", {})
    dname, _, argument = source_value.partition(":")
    scope, _, rest = argument.partition(":")
    if dname.strip() not in registry.names("datasets") and _known(registry, "datasets", f"{dname}:{scope}"):
        dname, argument = f"{dname.strip()}:{scope.strip()}", rest  # qualified: "plugin:name:argument"
    data = _component(registry, "datasets", "data", dname.strip(), given, problems, "source")
    data.argument = argument.strip()
    return data


def parse_source(
    registry: Registry, source: str, params: dict[str, Any] | None = None, *, where: str = "data.source"
) -> ComponentRef:
    """A data source string (``"procedural:mondrian"``, ``"plugin:name:argument"``) with dataset
    ``params``, checked as ``[data]`` is; a RecipeError from ``where`` lists every problem."""
    problems: list[str] = []
    ref = _data(registry, {"source": source, **(params or {})}, problems)
    if problems:
        raise RecipeError(where, [p.removeprefix("data.source: ").removeprefix("data.") for p in problems])
    return ref


#: ``[train]`` keys that became parameters of the ``gan`` method; recipes and run folders written
#: before methods existed still carry them, so they move to ``[method]`` when the method has them.
_MOVED_TO_METHOD = ("n_critic",)


def _method(registry: Registry, value: Any, train: dict[str, Any], problems: list[str]) -> ComponentRef:
    """``method = "name"``, or a ``[method]`` table with ``name`` and the method's parameters."""
    if isinstance(value, str):
        given: dict[str, Any] = {}
        name = value
    elif isinstance(value, dict):
        given = dict(value)
        name = str(given.pop("name", "gan"))
    else:
        problems.append(f'method: expected a name like "gan" or a [method] table, got {value!r}')
        return ComponentRef("gan")
    try:
        declared = {p.name for p in registry.get("methods", name).params}
    except UnknownNameError:
        declared = set()
    for key in _MOVED_TO_METHOD:
        if key in train and key in declared:
            given.setdefault(key, train.pop(key))
    return _component(registry, "methods", "method", name, given, problems)


def _chain(registry: Registry, raw: Mapping[str, Any], key: str, problems: list[str]) -> list[ComponentRef]:
    """An array of tables like [[stylize]]: each entry names a component and sets its parameters."""
    kind = CHAINS[key]
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


def _train(registry: Registry, given: dict[str, Any], problems: list[str]) -> Any:
    """``[train]``, with its loggers checked against the registry."""
    train = _config(TrainConfig, _log_names(given), "train", problems)
    if train is not None:
        problems += _logger_problems(registry, train.log)
    return train


def _log_names(train: dict[str, Any]) -> dict[str, Any]:
    """``[train]`` with ``log = ["jsonl", "tensorboard"]`` (a list of names) as ``"jsonl,tensorboard"``."""
    value = train.get("log")
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        train["log"] = ",".join(value)
    return train


def _logger_problems(registry: Registry, log: str) -> list[str]:
    names = [n.strip() for n in log.split(",")]
    if not any(names):
        return [f"train.log: empty; {_valid('', registry.names('loggers'))} (jsonl keeps stats.jsonl)"]
    bad = [n for n in names if not _known(registry, "loggers", n)]
    twice = sorted({n for n in names if names.count(n) > 1})
    problems = [f"train.log: unknown logger '{n}'; {_valid(n, registry.names('loggers'))}" for n in bad]
    return problems + [f"train.log: logger '{n}' named twice" for n in twice]


def _known(registry: Registry, kind: str, name: str) -> bool:
    try:
        registry.get(kind, name)
    except UnknownNameError:
        return False
    return True


def _valid(name: str, valid: Iterable[str]) -> str:
    return did_you_mean(name, valid)


def _string(raw: Mapping[str, Any], key: str, default: str, problems: list[str]) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        problems.append(f"{key}: expected a string, got {value!r}")
        return default
    return value


def _component(
    registry: Registry,
    kind: str,
    section: str,
    name: str,
    given: dict[str, Any],
    problems: list[str],
    name_key: str = "name",
) -> ComponentRef:
    try:
        component = registry.get(kind, name)
    except UnknownNameError as exc:
        problems.append(f"{section}.{name_key}: {exc}")
        return ComponentRef(name, given)
    values, found = resolve_params(component.params, given, owner=component.label)
    problems.extend(f"{section}.{p}" for p in found)
    return ComponentRef(registry.ref(component), values)


def _config(cls: type, given: dict[str, Any], section: str, problems: list[str]) -> Any:
    values, found = resolve_params(params_of(cls), given, owner=f"[{section}]")
    problems.extend(f"{section}.{p}" for p in found)
    try:
        return cls(**values)
    except TypeError:
        return None


#: The scalar keys of ``[augment]`` (tables named after the policy's ops hold their parameters).
AUGMENT_PARAMS: tuple[Param, ...] = (
    Param("policy", str, "", 'comma-separated augmentations, e.g. "color,translation,cutout"'),
    Param(
        "p",
        float,
        None,
        "probability each op reaches each image (ADA: the starting p, default 0)",
        min=0.0,
        max=1.0,
        nullable=True,
    ),
    Param("ada", bool, False, "adapt p from E[sign(D(real))] (ADA, Karras et al. 2020)"),
    Param("ada_target", float, 0.6, "ADA's target for E[sign(D(real))]", min=0.0, max=1.0),
    Param("ada_interval", int, 4, "minibatches between ADA updates of p", min=1),
    Param("ada_kimg", float, 500.0, "thousands of images for p to go from 0 to 1", min=0.001),
)


def _augment(registry: Registry, given: dict[str, Any], problems: list[str]) -> AugmentConfig:
    """``[augment]``: the policy, p, the ADA settings and one parameter table per op in the policy,
    every default filled in (``p`` defaults to 1, or 0 with ``ada``)."""
    scalars = {k: v for k, v in given.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in given.items() if isinstance(v, dict)}
    scalar_names = [p.name for p in AUGMENT_PARAMS]
    for key in list(scalars):
        if key not in scalar_names:
            problems.append(
                f"augment.{key}: unknown key; {_valid(key, scalar_names)} "
                "(or a table named after an op in the policy, holding its parameters)"
            )
            scalars.pop(key)
    values, found = resolve_params(AUGMENT_PARAMS, scalars, owner="[augment]")
    problems.extend(f"augment.{p}" for p in found)
    policy = values.get("policy", "")
    if not isinstance(policy, str):
        return AugmentConfig()
    if values.get("p") is None:
        values["p"] = 0.0 if values.get("ada") else 1.0
    names: list[str] = []
    for item in filter(None, (p.strip() for p in policy.split(","))):
        try:
            names.append(registry.ref(registry.get("augmentations", item)))
        except UnknownNameError as exc:
            problems.append(f"augment.policy: {exc}")
    ops: dict[str, dict[str, Any]] = {}
    for key, table in tables.items():
        try:
            component = registry.get("augmentations", key)
        except UnknownNameError as exc:
            problems.append(f"augment.{key}: {exc}")
            continue
        ref = registry.ref(component)
        if ref not in names:
            problems.append(f"augment.{key}: parameters for '{ref}', which is not in the policy {policy!r}")
            continue
        resolved, found = resolve_params(component.params, table, owner=component.label)
        problems.extend(f"augment.{key}.{p}" for p in found)
        ops[ref] = resolved
    if values.get("ada") and not names:
        problems.append('augment.ada: adaptive augmentation needs a policy, e.g. policy = "color,translation,cutout"')
    try:
        return AugmentConfig(**values, ops=ops)
    except TypeError:  # a value of the wrong type, reported above
        return AugmentConfig()


def files_read(recipe: Recipe, registry: Registry) -> dict[str, str]:
    """``{"stylize.0.reference": "/abs/path.png"}``: the files the recipe's file parameters name."""
    found = {}
    for section, kind, ref in recipe.components():
        for name, path in path_values(registry.get(kind, ref.name).params, ref.params).items():
            found[f"{section}.{name}"] = path
    return found
