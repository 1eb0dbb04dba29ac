"""``ganvas plugins``: the loaded and failed plugins (``--json``), and ``ganvas plugins new`` (a scaffold).

Installing and uninstalling are in :mod:`ganvas.cli.install`.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import click

from ganvas.cli import options
from ganvas.plugin.manager import ENTRY_POINT, PluginHost, load_only_hint

CONTEXT = {"help_option_names": ["-h", "--help"]}


# -- ganvas plugins ----------------------------------------------------------------------------


def plugin_rows(host: PluginHost) -> list[dict[str, Any]]:
    """One dict per plugin, loaded or failed: what ``ganvas plugins --json`` prints."""
    rows: list[dict[str, Any]] = []
    for info in host.plugins():
        rows.append(
            {
                "name": info.name,
                "version": info.version,
                "package": info.dist,
                "builtin": info.builtin,
                "origin": info.origin,
                "hooks": info.hooks,
                "components": [f"{c.kind}:{c.name}" for c in host.components_of(info.name)],
                "commands": host.commands.get(info.name, []),
                "error": None,
                "disable": None,
            }
        )
    for row in rows:
        row["shared"] = shared_names(host, str(row["name"]))
    for failure in host.failures:
        rows.append(
            {
                "name": failure.name,
                "version": failure.version,
                "package": failure.dist,
                "builtin": False,
                "origin": failure.origin,
                "hooks": [],
                "components": [],
                "commands": [],
                "error": failure.error,
                "disable": failure.disable,
                "shared": [],
            }
        )
    return rows


def shared_names(host: PluginHost, plugin: str | None = None) -> list[str]:
    """One line per name that several plugins registered (those of ``plugin`` only, if given):
    who provides it and what the bare name means."""
    lines = []
    for (kind, name), found in host.registry.duplicates().items():
        if plugin is not None and all(c.plugin != plugin for c in found):
            continue
        qualified = ", ".join(c.qualified for c in found)
        builtin = [c for c in found if c.builtin]
        meaning = (
            f"'{name}' means the built-in {builtin[0].qualified}"
            if builtin
            else f"'{name}' alone is an error: recipes must say which"
        )
        lines.append(f"{kind.rstrip('s')} '{name}' is provided by {qualified}; {meaning}")
    return lines


def components_text(components: list[str]) -> str:
    """``["stylizers:a", "stylizers:b", "losses:c"]`` -> ``stylizers: a, b; losses: c``."""
    groups: dict[str, list[str]] = {}
    for item in components:
        kind, _, name = item.partition(":")
        groups.setdefault(kind, []).append(name)
    return "; ".join(f"{kind}: {', '.join(names)}" for kind, names in groups.items())


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] for row in rows]


@click.group(
    invoke_without_command=True,
    context_settings=CONTEXT,
    short_help="Installed plugins and their components; `plugins new NAME` starts one.",
)
@options.json_flag
@click.pass_context
def plugins(ctx: click.Context, as_json: bool) -> None:
    """Installed plugins: name, version, hooks, what each registered, and load errors.

    \b
    ganvas plugins new NAME     scaffold a plugin project to start from
    ganvas install NAME|PATH    install a plugin into ganvas's environment
    """
    if ctx.invoked_subcommand is not None:
        return
    host: PluginHost = ctx.obj
    rows = plugin_rows(host)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = [["PLUGIN", "VERSION", "PACKAGE", "HOOKS", "COMPONENTS"]]
    for row in rows:
        hooks = ", ".join(h.removeprefix("register_") for h in row["hooks"]) or "-"
        what = f"FAILED: {row['error']}" if row["error"] else components_text(row["components"]) or "-"
        if row["commands"]:
            what = "; ".join(filter(lambda t: t != "-", (what, "commands: " + ", ".join(row["commands"]))))
        version = "built-in" if row["builtin"] else row["version"]
        table.append([row["name"], version, row["package"] or "-", hooks, what])
    for line in _table(table):
        click.echo(line.rstrip())
    failed = [row for row in rows if row["error"]]
    if len(failed) == 1:
        click.echo(f"\n1 plugin failed to load; to disable it: {failed[0]['disable']}")
    elif failed:
        working = [row["name"] for row in rows if row["origin"] == ENTRY_POINT and not row["error"]]
        packages = " ".join(row["package"] for row in failed if row["package"])
        click.echo(
            f"\n{len(failed)} plugins failed to load; to disable them: {load_only_hint(working)}"
            + (f" or ganvas uninstall {packages}" if packages else "")
        )
    shared = shared_names(host)
    if shared:
        click.echo("\nnames provided by more than one plugin (qualified names always work):")
        for line in shared:
            click.echo(f"  {line}")
    if all(row["builtin"] for row in rows):
        click.echo(
            "\nno third-party plugins installed: `ganvas plugins new NAME` starts one, "
            "`ganvas install NAME` installs one"
        )


def _kinds_option(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    from ganvas.errors import UserInputError
    from ganvas.plugin.scaffold import parse_kinds

    try:
        return parse_kinds(value)
    except UserInputError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


@plugins.command("new", context_settings=CONTEXT)
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the ganvas-NAME folder.",
)
@click.option(
    "--with",
    "kinds",
    metavar="KIND,...",
    default="stylizer,loss",
    show_default=True,
    callback=_kinds_option,
    help="The example components to start with: architecture, dataset, stylizer, loss, callback, command.",
)
def new(name: str, parent: Path, kinds: tuple[str, ...]) -> None:
    """Create ganvas-NAME/, a pip-installable plugin project with example components (by default a
    stylizer and a loss; --with picks others).

    NAME is lowercase letters, digits and hyphens (neon, pixel-sort). The project has the
    entry point, tests that pass as generated, and a README; nothing is installed.
    """
    from ganvas.plugin.scaffold import create_project, describe

    names, written = create_project(name, parent, kinds)
    root = parent / names.folder
    click.echo(f"created {root}/ for plugin '{names.name}' (package {names.dist}):")
    for path in sorted(written):
        click.echo(f"  {path.relative_to(root)}")
    folder = shlex.quote(str(root))
    steps = [
        [f"ganvas install -e {folder}", "install it (editable: your edits apply at once)"],
        ["ganvas plugins", f"'{names.name}', with {describe(names, kinds, kind_first=True)}"],
    ]
    listed = ["stylizer"] if "stylizer" in kinds else [k for k in kinds if k != "command"]
    if listed:
        plural = "losses" if listed[0] == "loss" else f"{listed[0]}s"
        steps.append([f"ganvas list {plural}", f"{getattr(names, listed[0])}'s parameters"])
    if "command" in kinds:
        steps.append([f"ganvas {names.command}", "its command"])
    steps.append([f"cd {folder} && python -m pytest", "its tests"])
    click.echo("\nnext:")
    for line in _table(steps):
        click.echo(f"  {line}")


# -- ganvas install / uninstall ------------------------------------------------------------------


COMMANDS = (plugins,)
