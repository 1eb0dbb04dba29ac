"""``ganvas watch``, ``ganvas runs`` and ``ganvas plot``: looking at runs while and after they train."""

from __future__ import annotations

import errno
import json
import sys
from pathlib import Path

import click

from ganvas.cli import options
from ganvas.errors import GanvasError, UserInputError
from ganvas.io.runs import find_run, list_runs, runs_root, unique_path

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _run_folders(refs: tuple[str, ...], root: Path) -> list[Path]:
    from ganvas.watch.summary import is_run

    folders = []
    for ref in refs:
        path = find_run(ref, root)
        if not is_run(path):
            raise UserInputError(
                f"'{ref}' is not a run folder (it has no recipe.toml); give a folder ganvas train made"
            )
        folders.append(path)
    return folders


@click.command("watch", context_settings=CONTEXT)
@click.argument("runs", nargs=-1, metavar="[RUN...]")
@click.option("--all", "every", is_flag=True, help="Every run in the runs folder, new ones as they start.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every network).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0: any free one).")
@options.runs_dir
def watch(runs: tuple[str, ...], every: bool, host: str, port: int, runs_dir: str | None) -> None:
    """A live page of runs: curves, state, ETA and sample grids as they land.

    RUN is a run folder, number or recipe name (default: the latest run). Open the address it
    prints in a browser; the page updates by itself. Ctrl-C stops it."""
    from ganvas.watch.server import WatchServer

    root = runs_root(runs_dir)
    if every and runs:
        raise click.UsageError("give RUN... or --all, not both")
    if every:
        if not list_runs(root):
            raise UserInputError(f"no runs in '{root}' yet; start one with: ganvas train RECIPE")

        def listing() -> list[Path]:
            return list_runs(root)
    else:
        folders = _run_folders(runs or ("latest",), root)

        def listing() -> list[Path]:
            return folders

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: serving on {host}: anyone who can reach it sees the page (it has no password)", err=True)
    try:
        server = WatchServer(listing, host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise GanvasError(f"port {port} is in use: try --port {port + 1} (or --port 0 for any free one)") from None
        raise GanvasError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    names = ", ".join(p.name for p in server.runs)
    click.echo(f"watching {names} at {server.url} (Ctrl-C to stop)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


@click.command("runs", context_settings=CONTEXT)
@options.runs_dir
@options.json_flag
def runs_command(runs_dir: str | None, as_json: bool) -> None:
    """List run folders: state, step of total, wall time, last SWD and newest image.

    States: running, finished, interrupted (resume with ganvas train --resume RUN), diverged,
    crashed (its process ended without saying why), unknown (a folder from an older ganvas)."""
    from ganvas.watch.summary import is_run, summarize

    root = runs_root(runs_dir)
    rows = [summarize(path) for path in list_runs(root) if is_run(path)]
    if as_json:
        click.echo(json.dumps({"runs_dir": str(root), "runs": rows}, indent=2))
        return
    if not rows:
        click.echo(f"no runs in '{root}' yet; start one with: ganvas train RECIPE")
        return
    from ganvas.training.progress import format_duration

    click.echo(f"{'run':<28} {'state':<12} {'step':>15} {'wall':>8} {'SWD':>8}  newest image")
    for row in rows:
        step = f"{row['step']}/{row['total']}" if row["total"] else str(row["step"])
        wall = format_duration(row["wall_s"]) if row["wall_s"] is not None else "-"
        swd = f"{row['swd']:.2f}" if row["swd"] is not None else "-"
        newest = row["newest_image"] or "-"
        click.echo(f"{row['run']:<28} {row['state']:<12} {step:>15} {wall:>8} {swd:>8}  {newest}")


@click.command("plot", context_settings=CONTEXT)
@click.argument("run", default="latest")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), default=None, help="PNG to write [default: RUN/curves.png]."
)
@options.runs_dir
def plot(run: str, output: str | None, runs_dir: str | None) -> None:
    """Draw a run's curves (losses, D(real)/D(fake), diversity, ADA p, SWD, learning rates, img/s)
    into a PNG. Needs matplotlib: pip install 'ganvas[plot]'."""
    from ganvas.watch.plot import plot_run

    (folder,) = _run_folders((run,), runs_root(runs_dir))
    if output is None:
        target = unique_path(folder / "curves.png")
    else:
        target = Path(output).expanduser()
        if target.suffix.lower() != ".png":
            raise click.BadParameter(f"'{output}' must end in .png", param_hint="-o/--output")
        if not target.parent.is_dir():
            raise UserInputError(f"--output '{output}': the folder '{target.parent}' does not exist; create it first")
        target = unique_path(target)
    click.echo(f"curves: {plot_run(folder, target)}")


COMMANDS = (watch, runs_command, plot)
