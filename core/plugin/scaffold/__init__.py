"""``ganvas plugins new NAME``: a pip-installable plugin project to start from.

The project is rendered from the ``*.tmpl`` files beside this module (the suffix keeps pytest and
setuptools from mistaking them for code): a pyproject with the ``ganvas`` entry point, a package
whose hooks register one example component of each kind asked for (``--with``; by default a
stylizer and a loss), tests that use :mod:`ganvas.plugin.testing`, and a README.

Templates use ``{{key}}`` placeholders and ``{{#flag}}...{{/flag}}`` sections, kept only when the
flag is set (``{{^flag}}``: only when it is not); the flags are the kinds asked for, plus derived
ones (``recipe``: a kind a recipe names; ``params``: a kind with parameters; ``extended``: not the
default kinds). A marker alone on its line takes its line with it. In lists, ``{{;}}`` ends an
item: ``;`` between items, ``.`` after the last. The default kinds render the project earlier
versions wrote, byte for byte.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ganvas.errors import UserInputError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from importlib.resources.abc import Traversable

__all__ = ["KINDS", "DEFAULT_KINDS", "PluginNames", "plugin_names", "parse_kinds", "describe", "create_project"]

#: What ``--with`` accepts, in the order the project shows them.
KINDS = ("architecture", "dataset", "stylizer", "loss", "callback", "command")
DEFAULT_KINDS = ("stylizer", "loss")
#: Kinds a recipe names (``[model]``, ``[data]``, ...), in the order a recipe lists them.
_RECIPE = ("architecture", "dataset", "loss", "stylizer", "callback")
#: Modules only some kinds need.
_MODULES = {
    "package/architectures.py": "architecture",
    "package/datasets.py": "dataset",
    "package/stylizers.py": "stylizer",
    "package/losses.py": "loss",
    "package/callbacks.py": "callback",
    "package/commands.py": "command",
}
_CHECKS = {
    "architecture": "check_architecture",
    "dataset": "check_dataset",
    "stylizer": "check_stylizer",
    "loss": "check_loss",
    "callback": "check_callback",
}

_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_MAX_LENGTH = 40
_SECTION = re.compile(r"\{\{([#^])([\w-]+)\}\}(.*?)\{\{/\2\}\}", re.S)
_STANDALONE = re.compile(r"^[ \t]*(\{\{[#^/][\w-]+\}\})[ \t]*\n", re.M)


@dataclass(frozen=True)
class PluginNames:
    """Every name derived from the plugin name ``neon``."""

    name: str  # neon: the entry-point (plugin) name
    dist: str  # ganvas-neon: the distribution, what pip installs
    package: str  # ganvas_neon: the import package
    stylizer: str  # neon-glow
    loss: str  # neon-hinge
    architecture: str = ""  # neon-net
    dataset: str = ""  # neon-blobs
    callback: str = ""  # neon-log
    command: str = ""  # neon-info: `ganvas neon-info`

    @property
    def folder(self) -> str:
        return self.dist


def plugin_names(name: str) -> PluginNames:
    """Validate ``name`` (``neon``, ``pixel-sort``; a ``ganvas-`` prefix is dropped)."""
    short = name.strip()
    if short.startswith("ganvas-"):
        short = short[len("ganvas-") :]
    if not _NAME.fullmatch(short) or len(short) > _MAX_LENGTH:
        raise UserInputError(
            f"invalid plugin name {name!r}: use lowercase letters, digits and single hyphens, "
            f"starting with a letter, at most {_MAX_LENGTH} characters (e.g. neon, pixel-sort)"
        )
    return PluginNames(
        name=short,
        dist=f"ganvas-{short}",
        package="ganvas_" + short.replace("-", "_"),
        stylizer=f"{short}-glow",
        loss=f"{short}-hinge",
        architecture=f"{short}-net",
        dataset=f"{short}-blobs",
        callback=f"{short}-log",
        command=f"{short}-info",
    )


def parse_kinds(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"loss, stylizer"`` (or a sequence) -> the kinds in project order; UserInputError lists the valid ones."""
    given = [k.strip().lower() for k in (text.split(",") if isinstance(text, str) else text) if k.strip()]
    unknown = [k for k in given if k not in KINDS]
    if unknown or not given:
        what = f"unknown kind {unknown[0]!r}" if unknown else "no kind given"
        raise UserInputError(f"{what}; choose from {', '.join(KINDS)} (comma-separated)")
    return tuple(k for k in KINDS if k in given)


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def describe(names: PluginNames, kinds: Iterable[str], *, kind_first: bool = False) -> str:
    """``the neon-glow stylizer and the neon-hinge loss`` (``kind_first``: ``the stylizer neon-glow ...``)."""
    parts = []
    for kind in kinds:
        name = getattr(names, kind)
        if kind_first:
            parts.append(f"the {kind} {name}")
        else:
            parts.append(f"the `ganvas {name}` command" if kind == "command" else f"the {name} {kind}")
    return _and(parts)


def _import_list(names: list[str], indent: int) -> str:
    """``a, b, c``, or one name a line in parentheses where that line would pass 100 characters."""
    if indent + len(", ".join(names)) <= 100:
        return ", ".join(names)
    return "(\n" + "".join(f"    {name},\n" for name in names) + ")"


def _headline(names: PluginNames, kinds: tuple[str, ...], wrap: bool) -> str:
    """The first docstring line of the hooks module (wrapped unless it is the default project's)."""
    text = f"{names.dist}: a ganvas plugin with {describe(names, kinds)}."
    return textwrap.fill(text, 96, break_on_hyphens=False) if wrap else text


def _recipe_test(names: PluginNames, kinds: tuple[str, ...]) -> tuple[str, str]:
    """The name of the generated test that trains a recipe with the components, and its recipe."""
    used = [k for k in _RECIPE if k in kinds]
    sections = {
        "architecture": f'model={{"name": "{names.architecture}", "z_dim": 8, "width": 32}}',
        "dataset": f'data={{"source": "{names.dataset}:2", "size": 16, "count": 32}}',
        "loss": f'loss={{"name": "{names.loss}", "margin": 0.5}}',
        "stylizer": f'stylize=[{{"name": "{names.stylizer}"}}]',
        "callback": f'callbacks=[{{"name": "{names.callback}", "every": 2}}]',
    }
    args = [sections[k] for k in used]
    call = ", ".join(args)
    if used == ["loss", "stylizer"]:  # the default project's test, as it always was
        return "a_recipe_trains_with_the_loss_and_stylizes_with_the_glow", call
    if len(args) > 2 or len(call) > 70:
        call = "".join(f"\n        {a}," for a in args) + "\n    "
    return "a_recipe_trains_with_the_" + _and(used).replace(", ", "_").replace(" ", "_"), call


def _values(names: PluginNames, kinds: tuple[str, ...]) -> tuple[dict[str, str], set[str]]:
    """The placeholders' values and the section flags for ``kinds``."""
    flags = set(kinds)
    flags |= {"extended"} if kinds != DEFAULT_KINDS else set()
    flags |= {"recipe"} if set(kinds) & set(_RECIPE) else set()
    flags |= {"params"} if set(kinds) - {"command"} else set()
    checks = [_CHECKS[k] for k in kinds if k in _CHECKS and (k != "loss" or "extended" in flags)]
    imports = sorted({*checks, "use_plugins", *(["tiny_recipe"] if "recipe" in flags else [])})
    test_ganvas = [n for k, n in (("stylizer", "ParamError"), ("dataset", "UserInputError")) if k in kinds]
    flags |= {"test_ganvas_names"} if test_ganvas else set()
    listed = [k for k in KINDS if k in kinds and k != "command"]
    list_kind = "stylizer" if "stylizer" in kinds else (listed or ["stylizer"])[0]
    recipe_test, recipe_args = _recipe_test(names, kinds)
    values = {
        "name": names.name,
        "dist": names.dist,
        "package": names.package,
        **{kind: getattr(names, kind) for kind in KINDS},
        "ganvas_requirement": _ganvas_requirement(),
        "summary": describe(names, kinds),
        "headline": _headline(names, kinds, "extended" in flags),
        "testing_imports": _import_list(imports, len("from ganvas.plugin.testing import ")),
        "test_ganvas_names": ", ".join(test_ganvas),
        "checks": _and(["use_plugins", *checks]),
        "list_kind": "losses" if list_kind == "loss" else f"{list_kind}s",
        "recipe_test": recipe_test,
        "recipe_args": recipe_args,
    }
    return values, flags


def render(text: str, values: dict[str, str], flags: set[str]) -> str:
    """Fill a template: sections by ``flags``, then ``{{key}}`` placeholders, then ``{{;}}`` list ends."""
    text = _STANDALONE.sub(r"\1", text)
    while True:
        kept = _SECTION.sub(lambda m: m[3] if (m[2] in flags) == (m[1] == "#") else "", text)
        if kept == text:
            break
        text = kept
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    *items, rest = text.split("{{;}}")
    return ";".join(items) + ("." if items else "") + rest


def _ganvas_requirement() -> str:
    from ganvas import __version__

    release = re.match(r"(\d+)\.(\d+)", __version__)
    return f"ganvas>={release[1]}.{release[2]}" if release and __version__ != "0.0.0+unknown" else "ganvas"


def _templates() -> list[tuple[str, Traversable]]:
    """``(relative path, file)`` for every template; ``--`` in a template's name stands for ``/``.

    The templates lie flat beside this module: a folder of them would look to setuptools like
    an undeclared package.
    """
    found = [
        (entry.name[: -len(".tmpl")].replace("--", "/"), entry)
        for entry in resources.files("ganvas.plugin.scaffold").iterdir()
        if entry.name.endswith(".tmpl")
    ]
    return sorted(found, key=lambda item: item[0])


def create_project(
    name: str, parent: Path, kinds: str | Iterable[str] = DEFAULT_KINDS
) -> tuple[PluginNames, list[Path]]:
    """Write the project for plugin ``name`` with a component of each of ``kinds`` into
    ``parent/ganvas-<name>/``; never overwrites."""
    names = plugin_names(name)
    chosen = parse_kinds(kinds)
    root = parent / names.folder
    if root.exists():
        raise UserInputError(f"'{root}' already exists; choose another NAME or move it away")
    values, flags = _values(names, chosen)
    written = []
    for relative, template in _templates():
        if _MODULES.get(relative, chosen[0]) not in chosen:
            continue
        target = {"gitignore": ".gitignore"}.get(relative, relative)  # dotfiles do not ship as package data
        target = target.replace("package/", f"{names.package}/").replace(
            "tests/test_plugin.py", f"tests/test_{names.package[len('ganvas_') :]}.py"
        )
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(template.read_text(encoding="utf-8"), values, flags), encoding="utf-8")
        written.append(path)
    return names, written
