"""``ganvas install`` and ``ganvas uninstall``: plugins in and out of ganvas's own environment.

They run ``python -m pip`` with the interpreter ganvas runs in, so a plugin always lands in
ganvas's own environment; they refuse to touch ganvas itself (or, for uninstall, a package ganvas
needs), pip options passed as targets and direct URLs, and report which plugins appeared, changed
or went away.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from ganvas.cli.plugins import components_text
from ganvas.errors import GanvasError, UserInputError, did_you_mean
from ganvas.plugin.manager import ENTRY_POINT_GROUP, STRICT_ENV, normalize_dist_name

CONTEXT = {"help_option_names": ["-h", "--help"]}


def installed_plugins() -> dict[str, tuple[str, str]]:
    """Entry-point name -> (distribution, version) for every installed ganvas plugin."""
    importlib.invalidate_caches()
    found = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.dist is not None:
            found[ep.name] = (ep.dist.name, ep.dist.version)
    return found


def _project_name(target: str) -> str | None:
    """The distribution a pip target names: a requirement, a project folder or an archive."""
    path = Path(target).expanduser()
    if path.is_dir():
        pyproject = path / "pyproject.toml"
        if pyproject.is_file():
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover
                import tomli as tomllib
            try:
                return str(tomllib.loads(pyproject.read_text()).get("project", {}).get("name") or "") or None
            except (tomllib.TOMLDecodeError, OSError):
                return None
        return None
    if path.suffix in (".whl", ".gz", ".zip") or path.exists():
        return path.name.split("-")[0]
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(target).name
    except InvalidRequirement:
        return None


def _refuse_core(target: str) -> None:
    """Refuse ganvas itself, pip options smuggled in as targets, and direct-URL requirements."""
    if target.startswith("-"):
        raise UserInputError(
            f"refusing '{target}': `ganvas install` takes plugin names and paths, not pip options "
            "(its own options are listed by `ganvas install --help`)"
        )
    if "://" in target or " @ " in target or target.startswith("git+"):
        raise UserInputError(
            f"refusing '{target}': a direct URL installs code from wherever it points; download and check "
            "the project, then `ganvas install ./PATH`"
        )
    name = _project_name(target)
    if name is not None and normalize_dist_name(name) == "ganvas":
        raise UserInputError(
            f"refusing to install '{target}': it is ganvas itself; `ganvas install` adds plugins "
            "(upgrade ganvas with: python -m pip install -U ganvas)"
        )


def _pip(*args: str) -> None:
    """Run pip with ganvas's own interpreter, streaming its output; GanvasError if it fails."""
    if importlib.util.find_spec("pip") is None:
        raise GanvasError(
            f"pip is not installed in ganvas's environment ({sys.executable}); "
            f"add it with: {sys.executable} -m ensurepip"
        )
    command = [sys.executable, "-m", "pip", *args]
    click.echo("$ " + shlex.join(["python", "-m", "pip", *args]), err=True)
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            click.echo(line, nl=False)
        code = proc.wait()
    if code != 0:
        raise GanvasError(f"pip {args[0]} failed (exit code {code}); its output is above")


def _load_report(names: list[str]) -> dict[str, dict[str, Any]]:
    """Load the plugins in a fresh ganvas process (as the next command will): their rows by name
    (every installed plugin loads, so names shared with plugins already there are seen)."""
    env = {**os.environ}
    env.pop(STRICT_ENV, None)
    done = subprocess.run(
        [sys.executable, "-m", "ganvas", "plugins", "--json"], env=env, capture_output=True, text=True
    )
    try:
        return {row["name"]: row for row in json.loads(done.stdout)}
    except ValueError:
        lines = (done.stderr.strip() or "no output").splitlines()
        return {name: {"error": f"ganvas could not start: {lines[-1]}", "components": []} for name in names}


def _constraint_file() -> Path:
    """A pip constraints file pinning ganvas to the installed version: a plugin never replaces it."""
    import tempfile

    from ganvas import __version__

    handle, name = tempfile.mkstemp(prefix="ganvas-constraints-", suffix=".txt")
    with os.fdopen(handle, "w") as f:
        f.write(f"ganvas=={__version__}\n" if __version__ != "0.0.0+unknown" else "")
    return Path(name)


@click.command(context_settings=CONTEXT, short_help="Install plugins into ganvas's environment.")
@click.argument("targets", nargs=-1, metavar="NAME|PATH...")
@click.option(
    "-e",
    "--editable",
    "editables",
    multiple=True,
    metavar="PATH",
    help="Install the plugin project at PATH in editable mode (your edits apply at once).",
)
@click.option("-U", "--upgrade", is_flag=True, help="Upgrade to the newest version.")
@click.option("--force-reinstall", is_flag=True, help="Reinstall even if the version is already installed.")
@click.option("--no-deps", is_flag=True, help="Do not install the plugin's dependencies.")
@click.option(
    "--no-build-isolation", is_flag=True, help="Build local projects with the installed setuptools (works offline)."
)
@click.option("-q", "--quiet", is_flag=True, help="Less output from pip.")
def install(
    targets: tuple[str, ...],
    editables: tuple[str, ...],
    upgrade: bool,
    force_reinstall: bool,
    no_deps: bool,
    no_build_isolation: bool,
    quiet: bool,
) -> None:
    """Install plugins with pip into the environment ganvas runs in.

    \b
    Examples:
      ganvas install ganvas-neon            from PyPI
      ganvas install 'ganvas-neon>=0.2'     a version range
      ganvas install ./ganvas-neon          a local project (or a .whl file)
      ganvas install -e ./ganvas-neon       editable: changes to the project apply at once
    ganvas itself is never installed, upgraded or downgraded by this command.
    """
    if not targets and not editables:
        raise click.UsageError("give a plugin NAME, a PATH, or -e PATH (e.g. ganvas install ganvas-neon)")
    for target in (*targets, *editables):
        _refuse_core(target)
    options = {
        "--upgrade": upgrade,
        "--force-reinstall": force_reinstall,
        "--no-deps": no_deps,
        "--no-build-isolation": no_build_isolation,
        "--quiet": quiet,
    }
    flags = [flag for flag, on in options.items() if on]
    before = installed_plugins()
    constraints = _constraint_file()
    try:
        _pip(
            "install",
            *flags,
            "--constraint",
            str(constraints),
            *targets,
            *(arg for path in editables for arg in ("--editable", path)),
        )
    finally:
        constraints.unlink(missing_ok=True)
    _report_installed(before, installed_plugins())


def _report_installed(before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]) -> None:
    """One line per plugin the install added or changed, saying what it registers (or why it fails)."""
    changed = [name for name, found in after.items() if before.get(name) != found]
    if not changed:
        click.echo(
            "no ganvas plugin was added or changed (a plugin declares a [project.entry-points.ganvas] "
            "entry point); `ganvas plugins` lists what is installed"
        )
        return
    report = _load_report(changed)
    for name in changed:
        dist, version = after[name]
        verb = f"upgraded from {before[name][1]} to" if name in before else "installed"
        row = report.get(name, {"error": "not loaded (is it filtered out by GANVAS_LOAD_PLUGINS?)"})
        if row.get("error"):
            click.echo(
                f"warning: plugin '{name}' ({dist} {version}) was {verb.split()[0]} but fails to load: {row['error']}",
                err=True,
            )
        else:
            components = components_text(row["components"]) or "no components"
            click.echo(f"{verb} plugin '{name}' {version} ({dist}): {components}")
        for line in row.get("shared", []):
            click.echo(f"warning: {line}", err=True)


def _resolve_dist(name: str, plugins_by_name: dict[str, tuple[str, str]]) -> metadata.Distribution:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        pass
    if name in plugins_by_name:
        return metadata.distribution(plugins_by_name[name][0])
    valid = sorted({*plugins_by_name, *(dist for dist, _ in plugins_by_name.values())})
    raise UserInputError(f"'{name}' is not installed; installed plugins: {did_you_mean(name, valid)}")


def _core_packages() -> set[str]:
    """ganvas and the distributions it requires: uninstalling one of them would break ganvas."""
    core = {"ganvas", "pip"}
    try:
        requirements = metadata.requires("ganvas") or []
    except metadata.PackageNotFoundError:
        requirements = []
    from packaging.requirements import Requirement

    for text in requirements:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            core.add(normalize_dist_name(req.name))
    return core


@click.command(context_settings=CONTEXT, short_help="Uninstall plugins.")
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def uninstall(names: tuple[str, ...], yes: bool) -> None:
    """Uninstall plugins by package name (ganvas-neon) or plugin name (neon)."""
    plugins_by_name = installed_plugins()
    core = _core_packages()
    dists: list[metadata.Distribution] = []
    for name in names:
        dist = _resolve_dist(name, plugins_by_name)
        if normalize_dist_name(dist.metadata["Name"]) in core:
            raise UserInputError(
                f"refusing to uninstall '{dist.metadata['Name']}': ganvas needs it "
                "(uninstall ganvas itself with: python -m pip uninstall ganvas)"
            )
        dists.append(dist)
    described = []
    for dist in dists:
        provided = sorted(ep for ep, (d, _) in plugins_by_name.items() if d == dist.metadata["Name"])
        described.append(
            f"{dist.metadata['Name']} {dist.version}"
            + (f" (plugin {', '.join(provided)})" if provided else " (not a ganvas plugin)")
        )
    if not yes:
        click.confirm(f"Uninstall {'; '.join(described)}?", default=False, abort=True)
    _pip("uninstall", "--yes", *(dist.metadata["Name"] for dist in dists))
    after = installed_plugins()
    for name, (dist_name, version) in sorted(plugins_by_name.items()):
        if name not in after:
            click.echo(f"removed plugin '{name}' ({dist_name} {version})")


COMMANDS = (install, uninstall)
