"""Re-creating an image ganvas made (``ganvas run IMAGE``): what it was made with, what differs
now, and whether the pixels came out the same."""

from __future__ import annotations

from pathlib import Path

import click

from ganvas.errors import UserInputError
from ganvas.io.provenance import Provenance
from ganvas.plugin.manager import PluginHost
from ganvas.recipe import Recipe

__all__ = ["made_from", "threads_of_image", "warn_if_made_otherwise", "compare_with_source"]


def made_from(ref: str) -> Provenance | None:
    """How image ``ref`` was made, when the recipe given to ``ganvas run`` is an image."""
    from ganvas.io.provenance import looks_like_image, read_provenance

    source = Path(ref).expanduser()
    return read_provenance(source) if source.is_file() and looks_like_image(source) else None


def threads_of_image(made: Provenance | None, ref: str) -> None:
    """Re-creating an image: use the torch thread count it was made with (bit for bit depends on
    it), unless GANVAS_THREADS or OMP_NUM_THREADS chose one."""
    import os
    import re

    if made is None or os.environ.get("GANVAS_THREADS") or os.environ.get("OMP_NUM_THREADS"):
        return
    found = re.search(r"; (\d+) torch threads$", made.machine)
    if found:
        os.environ["GANVAS_THREADS"] = found[1]
        click.echo(f"note: using {found[1]} torch thread(s), as '{ref}' was made", err=True)


def warn_if_made_otherwise(made: Provenance | None, recipe: Recipe, host: PluginHost) -> None:
    """Before re-creating an image: say (before minutes of training) which components now come
    from another plugin and which files changed, since either changes the result."""
    from ganvas.io.provenance import pinned_changes, recreation_differences

    if made is not None and (pinned := pinned_changes(made, recipe, host)):
        raise UserInputError(f"{pinned[0]}: it was made with that file and cannot be re-created without it")
    for line in recreation_differences(made, recipe, host) if made is not None else ():
        click.echo(f"warning: {line}; the image will not be re-created exactly", err=True)


def compare_with_source(made: Provenance | None, ref: str, paths: list[Path]) -> None:
    """After ``ganvas run IMAGE``: say whether the image made again matches IMAGE pixel for pixel."""
    if made is None:
        return
    source = made.path
    if made.animation:
        click.echo(
            f"note: '{ref}' is an animation; this run made its recipe's still image "
            "(`ganvas animate` on the run makes the animation)",
            err=True,
        )
        return
    if made.stylize:
        click.echo(
            f"note: '{ref}' was stylized afterwards with `ganvas stylize`; this run made the image "
            "it started from (`ganvas recipe show` lists that chain)",
            err=True,
        )
        return
    import numpy as np
    from PIL import Image

    with Image.open(source) as a, Image.open(paths[0]) as b:
        old, new = np.asarray(a), np.asarray(b)
    if old.shape != new.shape:
        click.echo(
            f"warning: the new image is {new.shape[1]}x{new.shape[0]}, '{ref}' is {old.shape[1]}x{old.shape[0]}",
            err=True,
        )
    elif np.array_equal(old, new):
        click.echo(f"identical to {ref}: every pixel matches")
    else:
        from ganvas import __version__
        from ganvas.io.provenance import machine_fingerprint, printable

        diff = np.abs(old.astype(np.int16) - new.astype(np.int16))
        import torch

        now = {"versions": f"ganvas {__version__}; torch {torch.__version__}", "machine": machine_fingerprint()}
        then = {"versions": ";".join(made.versions.split(";")[:2]), "machine": made.machine or "(not recorded)"}
        differs = [f"{key}: {printable(then[key], 120)} then, {now[key]} now" for key in now if then[key] != now[key]]
        click.echo(
            f"warning: differs from '{ref}' in {np.count_nonzero(diff.max(axis=-1) if diff.ndim == 3 else diff)} "
            f"pixels (largest difference {int(diff.max())}/255); bit for bit needs the same torch version, "
            "device, CPU kind and torch thread count" + (f" ({'; '.join(differs)})" if differs else ""),
            err=True,
        )
