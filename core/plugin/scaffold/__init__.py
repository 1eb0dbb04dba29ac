"""``ganvas plugins new NAME``: a pip-installable plugin project to start from.

The project is rendered from the ``*.tmpl`` files beside this module (``{{key}}`` placeholders;
the suffix keeps pytest and setuptools from mistaking them for code):
a pyproject with the ``ganvas`` entry point, a package whose hooks register an example stylizer
and an example loss, tests that use :mod:`ganvas.plugin.testing`, and a README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ganvas.errors import UserInputError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["PluginNames", "plugin_names", "create_project"]

_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_MAX_LENGTH = 40


@dataclass(frozen=True)
class PluginNames:
    """Every name derived from the plugin name ``neon``."""

    name: str  # neon: the entry-point (plugin) name
    dist: str  # ganvas-neon: the distribution, what pip installs
    package: str  # ganvas_neon: the import package
    stylizer: str  # neon-glow
    loss: str  # neon-hinge

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
    )


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


def create_project(name: str, parent: Path) -> tuple[PluginNames, list[Path]]:
    """Write the project for plugin ``name`` into ``parent/ganvas-<name>/``; never overwrites."""
    names = plugin_names(name)
    root = parent / names.folder
    if root.exists():
        raise UserInputError(f"'{root}' already exists; choose another NAME or move it away")
    values = {
        "name": names.name,
        "dist": names.dist,
        "package": names.package,
        "stylizer": names.stylizer,
        "loss": names.loss,
        "ganvas_requirement": _ganvas_requirement(),
    }
    written = []
    for relative, template in _templates():
        target = {"gitignore": ".gitignore"}.get(relative, relative)  # dotfiles do not ship as package data
        target = target.replace("package/", f"{names.package}/").replace(
            "tests/test_plugin.py", f"tests/test_{names.package[len('ganvas_') :]}.py"
        )
        text = template.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return names, written
