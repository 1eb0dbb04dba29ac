"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


F = Callable[..., Any]


def runs_dir(f: F) -> F:
    return click.option(
        "--runs-dir",
        type=click.Path(file_okay=False),
        default=None,
        help="Where run folders live [default: $GANVAS_RUNS_DIR or ./runs].",
    )(f)


def device(f: F) -> F:
    return click.option(
        "--device",
        type=click.Choice(("auto", "cpu", "cuda", "mps")),
        default=None,
        help="Device to use; auto prefers cuda, then mps, then cpu [default: the recipe's train.device].",
    )(f)


def quiet(f: F) -> F:
    return click.option("-q", "--quiet", is_flag=True, help="No progress output.")(f)


def overrides(f: F) -> F:
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY.PATH=VALUE",
        help="Override a recipe value, e.g. --set train.steps=500 (repeatable).",
    )(f)


def json_flag(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)
