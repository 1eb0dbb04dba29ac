"""The plugins a recipe names: ``plugins = ["ganvas-neon>=0.2"]`` must be installed, new enough.

Requirements are PEP 508 strings (parsed with ``packaging``, as pip does). A missing or too old
plugin is a :class:`~ganvas.errors.UserInputError` whose message is the command that fixes it.
"""

from __future__ import annotations

import shlex
from importlib import metadata

from ganvas.errors import UserInputError
from ganvas.plugin.manager import ENTRY_POINT_GROUP

__all__ = ["check_requirements"]


def check_requirements(requirements: list[str]) -> None:
    """Raise UserInputError unless every requirement is installed in a matching version.

    Anything that is not a list of strings is left to the recipe's own validation. A name is
    looked up as a distribution (``ganvas-neon``) and, failing that, as a plugin's entry-point
    name (``neon``). All problems are reported together, with one ``ganvas install`` command.
    """
    if not isinstance(requirements, list) or not all(isinstance(r, str) for r in requirements):
        return
    from packaging.requirements import InvalidRequirement, Requirement

    problems: list[str] = []
    fixes: list[str] = []
    for text in requirements:
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            raise UserInputError(
                f'plugins: {text!r} is not a valid requirement ({exc}); write e.g. "ganvas-neon>=0.2"'
            ) from None
        if req.url:
            raise UserInputError(
                f"plugins: {text!r} is a direct URL; a recipe names plugins by name and version, "
                'e.g. "ganvas-neon>=0.2"'
            )
        if req.marker is not None and not req.marker.evaluate():
            continue
        installed = _installed_version(req.name)
        if installed is None:
            problems.append(f"{text} (not installed)")
        elif req.specifier and not req.specifier.contains(installed, prereleases=True):
            problems.append(f"{text} ({installed} is installed)")
        else:
            continue
        fixes.append(shlex.quote(text))
    if problems:
        what = "plugin" if len(problems) == 1 else "plugins"
        raise UserInputError(
            f"this recipe needs the {what} {', '.join(problems)}; install with: ganvas install {' '.join(fixes)}"
        )


def _installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        pass
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP, name=name):
        if ep.dist is not None:
            return ep.dist.version
    return None
