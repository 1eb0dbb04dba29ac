"""Reading recipes: files, built-in recipes by name, images that embed one; ``--set`` overrides.

``load_recipe`` reads, overrides and validates at once, so a recipe with three mistakes reports
all three, each with its key, what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ganvas.errors import UnknownNameError, UserInputError
from ganvas.plugin.registry import Registry
from ganvas.recipe.schema import TOP_LEVEL, Recipe, RecipeError, tomllib
from ganvas.recipe.validate import files_read, parse_recipe

__all__ = ["builtin_recipes", "read_recipe_source", "apply_overrides", "load_recipe", "files_read", "PATH_DATASETS"]


def _check_untrusted(raw: dict[str, Any], ref: str) -> None:
    """Refuse what an image's recipe must not do unasked: read local paths, require plugins."""
    from ganvas.io.provenance import printable

    asks = []
    sources = [raw["data"].get("source", "")] if isinstance(raw.get("data"), dict) else []
    if isinstance(raw.get("method"), dict):  # a method may read a second data set (cycle's target)
        sources += [value for value in raw["method"].values() if isinstance(value, str)]
    for source in sources:
        name, _, argument = source.partition(":") if isinstance(source, str) else ("", "", "")
        if name.strip() in PATH_DATASETS or (name.strip() in NAME_OR_PATH_DATASETS and _looks_like_path(argument)):
            asks.append(f"reads '{printable(source, 120)}'")
    sample = raw.get("sample")
    inject = sample.get("inject", "") if isinstance(sample, dict) else ""
    if isinstance(inject, str) and _looks_like_path(inject):
        asks.append(f"injects '{printable(inject, 120)}'")
    if raw.get("plugins"):
        asks.append(f"needs plugins {printable(str(raw['plugins']), 120)}")
    if asks:
        raise UserInputError(
            f"the recipe embedded in '{printable(ref, 120)}' {' and '.join(asks)}; an image's recipe is "
            "whatever the file says: check it (ganvas recipe show IMAGE), then run it with --trust"
        )


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
    from ganvas.io.provenance import looks_like_image, read_provenance

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
        if parts[0] not in TOP_LEVEL:
            raise UnknownNameError("recipe key in --set", parts[0], TOP_LEVEL)
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


#: Datasets whose argument is a path on this machine: a recipe that came out of an image may only
#: read one with ``trust=True`` (``--trust``), as it may only ask for plugins then.
PATH_DATASETS = ("folder", "mnist")
#: Datasets whose argument is a built-in name or a path (only a path needs ``--trust``).
NAME_OR_PATH_DATASETS = ("texture", "image")


def _looks_like_path(argument: str) -> bool:
    """Whether a dataset argument names a file rather than a built-in: it has a separator or a suffix."""
    text = argument.strip()
    return any(mark in text for mark in ("/", "\\", ".", "~"))


def load_recipe(ref: str | Path, registry: Registry, overrides: Sequence[str] = (), *, trust: bool = False) -> Recipe:
    """Read, override and validate a recipe file, built-in recipe name or image. A recipe embedded
    in an image is whatever the file says: unless ``trust``, one that reads files from this
    machine or needs plugins is refused, saying what it asks for."""
    raw, label = read_recipe_source(ref)
    apply_overrides(raw, overrides)
    if not trust and label.endswith("(embedded recipe)"):
        _check_untrusted(raw, str(ref))
    from ganvas.plugin.requirements import (
        check_requirements,  # before validation: a missing plugin says how to install it
    )

    check_requirements(raw.get("plugins", []))
    default_name = Path(str(ref)).stem if Path(str(ref)).suffix else str(ref)
    base = Path(str(ref)).expanduser().resolve().parent if Path(str(ref)).expanduser().is_file() else None
    recipe = parse_recipe(raw, registry, source=label, default_name=default_name, base=base)
    if not trust and label.endswith("(embedded recipe)"):
        from ganvas.io.provenance import printable

        files = files_read(recipe, registry)
        if files:
            raise UserInputError(
                f"the recipe embedded in '{printable(str(ref), 120)}' reads {', '.join(sorted(files.values()))}; "
                "an image's recipe is whatever the file says: check it (ganvas recipe show IMAGE), then run it with --trust"
            )
    return recipe
