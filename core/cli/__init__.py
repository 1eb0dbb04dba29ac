"""The ``ganvas`` command line: a click group whose commands live in one module per group.

Errors a user can fix print one line (``error: ...``) and exit 2 for bad input, 1 for
failures while working; ``--debug`` (or ``GANVAS_DEBUG=1``) shows the traceback instead.
Plugins add commands through the ``register_commands`` hook, each in isolation (a plugin
that fails there, or replaces a core command, is skipped with a warning).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ganvas import __version__
from ganvas.cli import (
    animate,
    bench_repair,
    bench_scaling,
    bench_stream,
    bench_stylize,
    explore,
    gallery,
    install,
    listing,
    plugins,
    recipe,
    restore,
    sample,
    train,
    watch,
)
from ganvas.cli import bench as bench_cli
from ganvas.cli.bench_throughput import throughput
from ganvas.errors import GanvasError
from ganvas.plugin.manager import PluginHost, get_host, reset_host

__all__ = ["make_cli", "main"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _setup_logging() -> None:
    logger = logging.getLogger("ganvas")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_Formatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


class CliError(click.ClickException):
    """A ganvas error shown as one line, ``error: ...``, with the error's exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug")) or os.environ.get("GANVAS_DEBUG", "") not in ("", "0")


class GanvasGroup(click.Group):
    """Turns exceptions from commands into one-line errors (tracebacks only with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except GanvasError as exc:
            if _debug(ctx):
                raise
            raise CliError(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            if _debug(ctx):
                raise
            raise CliError("interrupted", 130) from None
        except Exception as exc:  # a bug (ours or a plugin's): one line, the traceback with --debug
            if _debug(ctx):
                raise
            culprit = ctx.obj.blame(exc) if isinstance(ctx.obj, PluginHost) else None
            text = " ".join(str(exc).split())[:300]
            what = (
                f"{culprit} failed: {type(exc).__name__}: {text}"
                if culprit
                else f"unexpected {type(exc).__name__}: {text}"
            )
            raise CliError(f"{what} (run again with --debug for the traceback)", 1) from None


def make_cli(host: PluginHost) -> click.Group:
    """A ``ganvas`` command group bound to ``host``, with the core and plugin commands."""

    @click.group(cls=GanvasGroup, context_settings=CONTEXT)
    @click.version_option(__version__, "--version", "-V", prog_name="ganvas", message="%(prog)s %(version)s")
    @click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
    @click.option(
        "--plugins-dir",
        "plugins_dirs",
        multiple=True,
        metavar="DIR",
        type=click.Path(exists=True, file_okay=False),
        help="Also load every DIR/*.py file as a plugin (quick experiments; repeatable).",
    )
    @click.option(
        "--threads",
        type=click.IntRange(1, 1024),
        default=None,
        help="Torch CPU threads [GANVAS_THREADS; default: the cores other work leaves free].",
    )
    @click.pass_context
    def cli(ctx: click.Context, debug: bool, plugins_dirs: tuple[str, ...], threads: int | None) -> None:
        """ganvas: train GANs and make art from TOML recipes.

        \b
        Quick start:
          ganvas run                      train the default recipe and print the image path
          ganvas recipes                  the built-in recipes
          ganvas run circles --set train.steps=500
          ganvas sample latest --seeds 0-35
          ganvas list                     architectures, losses, datasets, ... and their parameters
          ganvas plugins                  installed plugins; ganvas plugins new NAME starts one
        """
        if threads is not None:
            os.environ["GANVAS_THREADS"] = str(threads)
        loaded = set(host.plugins_dirs)
        for directory in plugins_dirs:  # main() loads them before start-up; this covers other callers
            if Path(directory).expanduser().resolve() not in loaded:
                host.add_plugins_dir(directory)
        ctx.obj = host

    for command in (
        *train.COMMANDS,
        *sample.COMMANDS,
        *animate.COMMANDS,
        *explore.COMMANDS,
        *restore.COMMANDS,
        *gallery.COMMANDS,
        *recipe.COMMANDS,
        *listing.COMMANDS,
        *plugins.COMMANDS,
        *install.COMMANDS,
        *watch.COMMANDS,
    ):
        cli.add_command(command)
    for command in (bench_repair.repair, bench_scaling.scaling, bench_stream.stream, bench_stylize.stylize, throughput):
        bench_cli.bench.add_command(command)
    cli.add_command(bench_cli.bench)
    host.add_commands(cli)
    return cli


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``ganvas`` console script and ``python -m ganvas``."""
    args = list(sys.argv[1:] if argv is None else argv)
    _setup_logging()
    try:
        dirs = _plugins_dirs(args)
        if dirs:  # before start-up, so that their register_commands hooks run too
            reset_host(PluginHost(plugins_dirs=dirs))
        cli = make_cli(get_host())
    except GanvasError as exc:  # a strict-mode plugin failure or a bad --plugins-dir: one line
        if "--debug" in args:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # a broken built-in plugin: still one line unless --debug
        if "--debug" in args:
            raise
        click.echo(f"error: ganvas could not start: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
    try:
        cli.main(args=args, prog_name="ganvas")
    except BrokenPipeError:  # `ganvas list | head`: the reader left; not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


def _plugins_dirs(args: Sequence[str]) -> list[str]:
    """The ``--plugins-dir`` values among the options before the command name."""
    found, i = [], 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] == "--plugins-dir" and i + 1 < len(args):
            found.append(args[i + 1])
            i += 2
            continue
        if args[i].startswith("--plugins-dir="):
            found.append(args[i].partition("=")[2])
        i += 1
    return [d for d in found if Path(d).expanduser().is_dir()]  # click reports the others
