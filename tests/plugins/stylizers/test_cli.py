"""``ganvas stylize``, ``ganvas list stylizers`` and a recipe's [[stylize]] chain, through the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tomli_w
from PIL import Image
from stylizer_helpers import one_thread  # noqa: F401 (autouse fixture: one torch thread)

from ganvas.plugin.testing import tiny_recipe


def _gradient(w: int, h: int, mode: str = "RGB") -> Image.Image:
    x = np.linspace(0, 255, w, dtype=np.float64)[None, :].repeat(h, 0)
    y = np.linspace(0, 255, h, dtype=np.float64)[:, None].repeat(w, 1)
    rgb = np.stack([x, y, 255 - x], -1).astype(np.uint8)
    rgb[h // 3 : h // 2, w // 3 : w // 2] = (250, 240, 30)
    img = Image.fromarray(rgb, "RGB")
    if mode == "RGBA":
        img.putalpha(Image.fromarray((y * 0.5 + 60).astype(np.uint8), "L"))
    elif mode != "RGB":
        img = img.convert(mode)
    return img


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    _gradient(37, 25).save(folder / "a.jpg")
    _gradient(20, 28, "RGBA").save(folder / "sub" / "b.png")
    _gradient(19, 19, "L").save(folder / "c.png")
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_list_stylizers_shows_parameters_and_defaults(cli):
    text = cli("list", "stylizers").output
    for name in (
        "oil",
        "watercolor",
        "ink",
        "posterize",
        "palette",
        "pixel",
        "halftone",
        "color-transfer",
        "upscale",
        "vignette",
        "grain",
        "sharpen",
        "texture",
    ):
        assert f"\n  {name}" in text
    assert "radius" in text and "integer in [0, 64] = 0" in text
    data = {c["name"]: c for c in json.loads(cli("list", "stylizers", "--json").output)}
    assert {"name": "colors", "type": "integer", "default": 8}.items() <= data["posterize"]["params"][0].items()


def test_folder_in_folder_out_keeps_names_and_alpha(cli, photos, tmp_path):
    out = tmp_path / "out"
    result = cli("stylize", str(photos), "-o", str(out), "-s", "oil:radius=2", "-s", "posterize:colors=4", "-q")
    assert result.output == ""
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert written == ["a.png", "c.png", "sub/b.png"]
    a, b, c = Image.open(out / "a.png"), Image.open(out / "sub" / "b.png"), Image.open(out / "c.png")
    assert (a.mode, a.size) == ("RGB", (37, 25))
    assert (c.mode, c.size) == ("L", (19, 19))
    assert (b.mode, b.size) == ("RGBA", (20, 28))
    original_alpha = np.asarray(Image.open(photos / "sub" / "b.png"))[:, :, 3]
    assert np.array_equal(np.asarray(b)[:, :, 3], original_alpha)  # alpha untouched
    assert len(np.unique(np.asarray(a).reshape(-1, 3), axis=0)) <= 4
    chain = a.text["ganvas:stylize"]
    assert chain.index('name = "oil"') < chain.index('name = "posterize"') and "radius = 2" in chain
    assert a.text["ganvas:source"] == "a.jpg"


def test_single_file_to_png_and_size_changing_chain_resizes_alpha(cli, photos, tmp_path):
    target = tmp_path / "big.png"
    result = cli("stylize", str(photos / "sub" / "b.png"), "-o", str(target), "-s", "upscale:factor=2")
    assert result.output.strip() == str(target)
    img = Image.open(target)
    assert (img.mode, img.size) == ("RGBA", (40, 56))


def test_chain_order_is_respected(cli, photos, tmp_path):
    cli("stylize", str(photos / "a.jpg"), "-o", str(tmp_path / "1.png"), "-s", "posterize:colors=3", "-s", "grain")
    cli("stylize", str(photos / "a.jpg"), "-o", str(tmp_path / "2.png"), "-s", "grain", "-s", "posterize:colors=3")
    colours = [len(np.unique(np.asarray(Image.open(tmp_path / f"{i}.png")).reshape(-1, 3), axis=0)) for i in (1, 2)]
    assert colours[0] > 3 and colours[1] <= 3  # whatever runs last decides


def test_refuses_to_overwrite_inputs_and_existing_outputs(cli, photos, tmp_path):
    src = photos / "c.png"
    before = src.read_bytes()
    result = cli("stylize", str(src), "-o", str(src), "-s", "oil", "--force", code=2)
    assert "never overwrites its inputs" in result.output and src.read_bytes() == before
    result = cli("stylize", str(photos), "-o", str(photos), "-s", "oil", "--force", code=2)
    assert "is an input" in result.output
    out = tmp_path / "o.png"
    cli("stylize", str(src), "-o", str(out), "-s", "vignette")
    result = cli("stylize", str(src), "-o", str(out), "-s", "vignette", code=2)
    assert "already exists; pass --force" in result.output
    cli("stylize", str(src), "-o", str(out), "-s", "vignette:strength=1", "--force")
    assert "strength = 1.0" in Image.open(out).text["ganvas:stylize"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "oil:radiuss=3",
            "unknown parameter 'radiuss' of 'oil'; valid: radius, relief, seed, sharpness, strokes, variant",
        ),
        ("oill", "unknown stylizer 'oill'; valid: "),
        ("oil:radius=99", "radius: expected integer in [0, 64], got 99"),
        ("oil:radius", "expected key=value"),
        ("halftone:mono=maybe", "mono: expected boolean"),
        ("texture:reference=missing.png", "reference: file 'missing.png' not found"),
        ("palette", "either reference=PATH"),
    ],
)
def test_bad_specs_are_one_line_errors(cli, photos, tmp_path, spec, message):
    result = cli("stylize", str(photos / "c.png"), "-o", str(tmp_path / "x.png"), "-s", spec, code=2)
    assert message in result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert not (tmp_path / "x.png").exists()


def test_output_must_be_png_or_a_folder(cli, photos, tmp_path):
    result = cli("stylize", str(photos / "c.png"), "-o", str(tmp_path / "x.jpg"), "-s", "oil", code=2)
    assert "outputs are PNG files" in result.output
    result = cli("stylize", str(photos), "-o", str(tmp_path / "x.png"), "-s", "oil", code=2)
    assert "give a folder" in result.output
    assert "at least one stylizer" in cli("stylize", str(photos), "-o", str(tmp_path / "o"), code=2).output


def test_unreadable_image_is_a_one_line_error(cli, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG nope")
    result = cli("stylize", str(bad), "-o", str(tmp_path / "out"), "-s", "oil", code=2)
    assert "cannot read image" in result.output


def test_stylized_output_can_be_stylized_again_and_keeps_the_whole_chain(cli, photos, tmp_path):
    cli("stylize", str(photos / "c.png"), "-o", str(tmp_path / "one.png"), "-s", "sharpen")
    cli("stylize", str(tmp_path / "one.png"), "-o", str(tmp_path / "two.png"), "-s", "vignette")
    chain = Image.open(tmp_path / "two.png").text["ganvas:stylize"]
    assert chain.index('name = "sharpen"') < chain.index('name = "vignette"')


def test_recipe_chain_is_applied_by_run(cli, tmp_path):
    recipe = tmp_path / "styled.toml"
    chain = [{"name": "upscale", "factor": 2}, {"name": "posterize", "colors": 3}]
    recipe.write_text(tomli_w.dumps({**tiny_recipe(), "stylize": chain}))
    cli("run", str(recipe), "-q")
    final = cli.runs_dir / "00000-tiny" / "final.png"
    img = Image.open(final)
    # 4 tiles of 16 px, upscaled to 32, in a 2x2 grid with 2-px gutters
    assert img.size == (2 * 32 + 3 * 2, 2 * 32 + 3 * 2)
    tile = np.asarray(img.convert("RGB"))[2:34, 2:34].reshape(-1, 3)
    assert len(np.unique(tile, axis=0)) <= 3
    assert 'name = "posterize"' in img.text["ganvas:recipe"]
