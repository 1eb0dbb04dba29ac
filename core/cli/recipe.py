"""``ganvas recipe show|extract``: the recipe of a file, a built-in name or an image ganvas made."""

from __future__ import annotations

from pathlib import Path

import click

from ganvas.cli import options
from ganvas.errors import UserInputError
from ganvas.plugin.manager import PluginHost

_CONTEXT = {"help_option_names": ["-h", "--help"]}


def _resolved(host: PluginHost, ref: str, overrides: tuple[str, ...] = (), *, lenient: bool = False) -> tuple[str, str]:
    """(header comments, resolved recipe TOML) of a recipe file, name or image. ``lenient``: an
    image whose recipe cannot be validated here (its plugins are missing) is shown as written."""
    from ganvas.io.provenance import looks_like_image, read_provenance
    from ganvas.recipe import load_recipe

    path = Path(ref).expanduser()
    if not (path.is_file() and looks_like_image(path)):
        return "", load_recipe(ref, host.registry, overrides).to_toml()
    made = read_provenance(path)
    try:
        return made.header(), load_recipe(ref, host.registry, overrides).to_toml()
    except UserInputError as exc:  # e.g. its plugins are not installed here: show it as it was written
        if not lenient:
            raise
        from ganvas.io.provenance import printable

        reason = printable(str(exc).splitlines()[0], 300)
        text = "\n".join(printable(line, 1000) for line in made.recipe.splitlines()) + "\n"
        return made.header() + f"# note: shown as written, not validated: {reason}\n", text


@click.group("recipe", context_settings=_CONTEXT)
def recipe_group() -> None:
    """Show or extract a recipe, including the one every ganvas image carries."""


@recipe_group.command("show", context_settings=_CONTEXT)
@click.argument("ref", metavar="IMAGE|RECIPE")
@options.overrides
@click.pass_obj
def show(host: PluginHost, ref: str, overrides: tuple[str, ...]) -> None:
    """Print the resolved recipe (every default filled in) of IMAGE, a recipe file or a built-in
    name. For an image, comments above it give its seeds, training step and versions.

    \b
    Examples:
      ganvas recipe show runs/00001-default/final.png
      ganvas recipe show default --set train.steps=500
    """
    header, text = _resolved(host, ref, overrides, lenient=True)
    click.echo(header + text, nl=False)


@recipe_group.command("extract", context_settings=_CONTEXT)
@click.argument("image", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Recipe file to write [default: IMAGE's name with .toml, beside it].",
)
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@click.pass_obj
def extract(host: PluginHost, image: str, output: str | None, force: bool) -> None:
    """Write the recipe embedded in IMAGE to a TOML file; `ganvas run` on it makes IMAGE again."""
    from ganvas.io.provenance import looks_like_image

    path = Path(image)
    if not looks_like_image(path):
        raise UserInputError(f"'{image}' is not an image file; `ganvas recipe show` prints recipe files")
    header, text = _resolved(host, image)
    target = Path(output) if output else path.with_suffix(".toml")
    if target.exists() and not force:
        raise UserInputError(f"'{target}' already exists; pass --force to replace it, or choose -o")
    target.write_text(header + text)
    click.echo(f"recipe: {target}")
    click.echo(f"re-create the image with: ganvas run {target}")


COMMANDS = (recipe_group,)
