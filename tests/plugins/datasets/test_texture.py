"""Tests for ganvas.plugins.datasets.texture: built-in textures and files, crops, seeds, errors, the registry."""

import numpy as np
import pytest
import torch
from PIL import Image

from ganvas.errors import ParamError, UnknownNameError, UserInputError
from ganvas.plugins.datasets import texture
from ganvas.plugins.datasets.procedural import textures

NAMES = ["cobbles", "marble", "scales", "weave"]
TINY = {"size": 16, "channels": 3, "count": 8, "canvas": 64, "seed": 0}


def _load(argument: str, **changes) -> torch.Tensor:
    return texture.load(argument, **{**TINY, **changes}).data


def test_names_and_one_line_docstrings() -> None:
    assert list(textures.TEXTURES) == NAMES and texture.NAMES[0] == "cobbles"
    for fn in textures.TEXTURES.values():
        assert fn.__doc__ and "\n" not in fn.__doc__.strip()


@pytest.mark.parametrize("name", NAMES)
def test_textures_draw_deterministic_varied_pictures(name: str) -> None:
    picture = textures.draw(name, 48, np.random.default_rng(3))
    assert picture.shape == (48, 48, 3) and picture.dtype == np.uint8
    np.testing.assert_array_equal(picture, textures.draw(name, 48, np.random.default_rng(3)))
    assert not np.array_equal(picture, textures.draw(name, 48, np.random.default_rng(4)))
    assert picture.astype(float).std() > 8, "a texture is almost flat"


@pytest.mark.parametrize("name", NAMES)
def test_shape_dtype_and_determinism_by_seed(name: str) -> None:
    data = texture.load(name, **TINY)
    assert data.data.shape == (8, 3, 16, 16) and data.data.dtype == torch.uint8
    assert data.name == f"texture:{name}"
    assert torch.equal(data.data, _load(name))
    assert not torch.equal(data.data, _load(name, seed=1))
    assert len({crop.numpy().tobytes() for crop in data.data}) == 8, "crops should sit at different places"


def test_empty_argument_is_the_first_texture_and_grayscale_works() -> None:
    data = texture.load("", **TINY)
    assert data.name == "texture:cobbles" and torch.equal(data.data, _load("cobbles"))
    gray = _load("marble", channels=1)
    assert gray.shape == (8, 1, 16, 16)


def test_crops_are_pieces_of_the_picture_and_not_flipped() -> None:
    picture = torch.arange(40 * 30, dtype=torch.int64).reshape(1, 40, 30)  # every pixel distinct
    crops = texture.random_crops((picture % 251).to(torch.uint8), 8, 50, np.random.default_rng(0))
    assert crops.shape == (50, 1, 8, 8)
    # each crop increases by 1 along x and by 30 along y: an upright, unflipped window
    assert ((crops[:, :, :, 1:].int() - crops[:, :, :, :-1].int()) % 251 == 1).all()
    assert ((crops[:, :, 1:, :].int() - crops[:, :, :-1, :].int()) % 251 == 30).all()


def test_crop_positions_cover_the_whole_picture() -> None:
    picture = torch.zeros((1, 20, 20), dtype=torch.uint8)
    picture[0, 0, 0] = picture[0, -1, -1] = 255  # corners only reachable by the extreme positions
    crops = texture.random_crops(picture, 4, 2000, np.random.default_rng(0))
    assert (crops[:, 0, 0, 0] == 255).any() and (crops[:, 0, -1, -1] == 255).any()


def test_a_user_file_is_resized_by_its_short_side(tmp_path) -> None:
    path = tmp_path / "wall.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 80, 3), dtype=np.uint8)).save(path)
    data = texture.load(str(path), **TINY)
    assert data.data.shape == (8, 3, 16, 16) and data.name == f"texture:{path}"
    assert torch.equal(data.data, _load(str(path)))
    assert _load(str(path), canvas=0, size=40).shape == (8, 3, 40, 40)  # as it is: 80x40


def test_grayscale_and_rgba_files(tmp_path) -> None:
    Image.new("L", (32, 32), 90).save(tmp_path / "gray.png")
    rgb = _load(str(tmp_path / "gray.png"), canvas=0)
    assert rgb.shape == (8, 3, 16, 16) and int(rgb.min()) == int(rgb.max()) == 90
    Image.new("RGBA", (32, 32), (255, 0, 0, 0)).save(tmp_path / "clear.png")
    assert int(_load(str(tmp_path / "clear.png")).min()) == 255  # transparency goes on white
    gray = _load(str(tmp_path / "clear.png"), channels=1)
    assert gray.shape == (8, 1, 16, 16)


def test_unknown_name_lists_textures_and_mentions_files(tmp_path) -> None:
    with pytest.raises(UnknownNameError, match="unknown texture 'marbel'") as error:
        _load("marbel")
    message = str(error.value)
    assert "did you mean 'marble'" in message and "existing image file" in message and "\n" not in message
    assert all(name in message for name in NAMES)
    with pytest.raises(UnknownNameError, match="existing image file"):
        _load(str(tmp_path / "missing.png"))


def test_unreadable_file_and_folder_are_user_errors(tmp_path) -> None:
    (tmp_path / "bad.png").write_bytes(b"not a png at all")
    with pytest.raises(UserInputError, match="bad.png' could not be read"):
        _load(str(tmp_path / "bad.png"))
    with pytest.raises(UserInputError, match="is a folder"):
        _load(str(tmp_path))


def test_canvas_smaller_than_size_is_an_error(tmp_path) -> None:
    with pytest.raises(UserInputError, match="canvas = 32 is smaller than size = 64"):
        _load("weave", canvas=32, size=64)
    Image.new("RGB", (20, 30)).save(tmp_path / "small.png")
    with pytest.raises(UserInputError, match="20x30 px, smaller than size = 24"):
        _load(str(tmp_path / "small.png"), canvas=0, size=24)


def test_registered_dataset_shape_trait_and_params(host) -> None:
    component = host.get("datasets", "texture")
    params = {**TINY, "channels": 1}
    data = texture.load("cobbles", **params)
    assert component.traits["shape"]("cobbles", params) == data.shape == (1, 16, 16)
    canvas = next(p for p in component.params if p.name == "canvas")
    assert canvas.default == 256 and canvas.check(0) == 0
    with pytest.raises(ParamError):
        canvas.check(4097)
    assert {p.name: p.default for p in component.params} == {
        "size": 64,
        "channels": 3,
        "count": 2048,
        "canvas": 256,
        "seed": 0,
    }
