"""What images record about how they were made: which plugin gave each component, which files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import tomli_w

from conftest import Cli
from ganvas import Param, hookimpl
from ganvas.io.provenance import read_provenance
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.testing import tiny_recipe


class Tint:
    """Multiply by a constant: the two plugins' 'duotone' differ by their constant."""

    def __init__(self, factor, mask=""):
        self.factor, self.mask = factor, mask

    def __call__(self, images):
        if self.mask:
            assert Path(self.mask).is_absolute() and Path(self.mask).is_file()
        return images * self.factor


def _plugin(name, factor):
    class Plugin:
        __name__ = name

        @hookimpl
        def register_stylizers(self, register):
            register(
                "duotone",
                lambda mask="": Tint(factor, mask),
                params=[Param("mask", Path, "", "an image file")],
                help="test tint",
            )

    return Plugin()


def _cli(tmp_path):
    return Cli(
        PluginHost(entry_points=False, extra=[_plugin("dupe", 0.5), _plugin("tinkerer", 0.25)]), tmp_path / "runs"
    )


def _recipe(folder: Path, stylize) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tint.toml"
    path.write_text(tomli_w.dumps(tiny_recipe(stylize=stylize)))
    return path


def test_a_shared_name_is_an_error_listing_both_and_qualified_names_pick_one(tmp_path):
    cli = _cli(tmp_path)
    result = cli("run", str(_recipe(tmp_path, [{"name": "duotone"}])), code=2)
    assert "stylizer 'duotone' is provided by several plugins; say which: 'dupe:duotone', 'tinkerer:duotone'" in (
        result.output
    )
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
    listing = cli("plugins").output
    assert "stylizer 'duotone' is provided by dupe:duotone, tinkerer:duotone" in listing
    result = cli("run", str(_recipe(tmp_path, [{"name": "tinkerer:duotone"}])))
    image = Path(result.output.split("image: ")[1].split()[0])
    made = read_provenance(image)
    assert 'name = "tinkerer:duotone"' in made.recipe
    assert "stylize.0 = tinkerer:duotone local" in made.components.splitlines()
    assert "model = ganvas:dcgan built-in" in made.components.splitlines()


def test_file_parameters_are_relative_to_the_recipe_and_their_hash_is_checked_on_re_creation(tmp_path):
    cli = _cli(tmp_path)
    folder = tmp_path / "work"
    recipe = _recipe(folder, [{"name": "dupe:duotone", "mask": "mask.png"}])
    missing = cli("run", str(recipe), code=2).output
    assert "stylize.0.mask: file 'mask.png' not found (relative paths are relative to" in missing
    (folder / "mask.png").write_bytes(b"first")
    image = Path(cli("run", str(recipe)).output.split("image: ")[1].split()[0])
    made = read_provenance(image)
    absolute = str((folder / "mask.png").resolve())
    assert made.files == f"stylize.0.mask = sha256:{hashlib.sha256(b'first').hexdigest()} {absolute}"
    assert f'mask = "{absolute}"' in made.recipe
    (folder / "mask.png").write_bytes(b"second")
    again = cli("run", str(image), "--trust").output
    assert "warning: stylize.0.mask: the file" in again and "changed since the image was made" in again
    refused = cli("run", str(image), code=2).output
    assert "reads" in refused and "mask.png" in refused and "--trust" in refused
