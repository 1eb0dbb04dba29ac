"""``image:PATH|NAME``: one picture of any aspect ratio, shrunk to its longer side, and the errors."""

import logging

import numpy as np
import pytest
from PIL import Image

from ganvas.errors import UnknownNameError, UserInputError
from ganvas.plugins.datasets import image

PARAMS = {"size": 40, "channels": 3, "seed": 0}


def _load(argument, **over):
    return image.load(argument, **{**PARAMS, **over})


def _write(path, size=(100, 50), mode="RGB", colour=(200, 30, 30), **save):
    Image.new(mode, size, colour).save(path, **save)
    return path


def test_a_wide_file_keeps_its_aspect_ratio_with_the_longer_side_at_size(tmp_path):
    data = _load(str(_write(tmp_path / "wide.png")))
    assert data.data.shape == (1, 3, 20, 40) and len(data) == 1
    assert data.data[0, 0].float().mean() == pytest.approx(200, abs=1)
    tall = _load(str(_write(tmp_path / "tall.jpg", size=(30, 90))))
    assert tall.data.shape == (1, 3, 40, 13)


def test_grayscale_and_colour_convert_both_ways(tmp_path):
    gray = _write(tmp_path / "g.png", mode="L", colour=128)
    assert _load(str(gray)).data.shape == (1, 3, 20, 40)
    assert _load(str(_write(tmp_path / "c.png")), channels=1).data.shape == (1, 1, 20, 40)


def test_transparency_is_composited_on_white_with_a_note(tmp_path, caplog):
    path = _write(tmp_path / "a.png", mode="RGBA", colour=(0, 0, 0, 0))
    with caplog.at_level(logging.WARNING, logger="ganvas"):
        data = _load(str(path))
    assert int(data.data.min()) == 255 and "transparency" in caplog.text


def test_a_small_picture_keeps_its_size_with_a_note(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="ganvas"):
        data = _load(str(_write(tmp_path / "s.png", size=(20, 10))))
    assert data.data.shape == (1, 3, 10, 20) and "smaller than data.size" in caplog.text


def test_a_huge_jpeg_is_decoded_at_a_reduced_scale(tmp_path, monkeypatch):
    path = _write(tmp_path / "big.jpg", size=(4000, 2000), quality=50)
    decoded = []
    original = Image.Image.load

    def spy(self):
        decoded.append(self.size)
        return original(self)

    monkeypatch.setattr(Image.Image, "load", spy)
    data = _load(str(path))
    assert data.data.shape == (1, 3, 20, 40)
    assert max(w for w, _ in decoded) <= 500  # drafted to 1/8, not 4000 px wide


def test_a_huge_png_is_refused_before_decoding(tmp_path, monkeypatch):
    monkeypatch.setattr(image, "MAX_DECODE_PIXELS", 1000)
    with pytest.raises(UserInputError, match=r"is 100x50 px .*save it smaller, or as JPEG"):
        _load(str(_write(tmp_path / "big.png")))


@pytest.mark.parametrize("content", [b"", b"not a picture at all"])
def test_empty_or_non_image_files_are_one_line_errors(tmp_path, content):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(UserInputError, match="is not a picture Pillow can read"):
        _load(str(path))


def test_unknown_names_and_folders_say_what_is_valid(tmp_path):
    with pytest.raises(UnknownNameError, match=r"landscape.*or give the path of an existing image file"):
        _load("landscpe")
    with pytest.raises(UserInputError, match="is a folder"):
        _load(str(tmp_path))


@pytest.mark.parametrize("name", sorted(image.BUILTIN))
def test_builtin_pictures_are_painted_at_size_deterministically(name):
    first, again = _load(name, size=48), _load(name, size=48)
    assert first.data.shape == (1, 3, round(48 * image.BUILTIN[name]), 48)
    assert np.array_equal(first.data.numpy(), again.data.numpy())
    assert not np.array_equal(first.data.numpy(), _load(name, size=48, seed=1).data.numpy())
    assert _load(name, size=48, channels=1).data.shape[1] == 1


def test_shipped_pictures_load_by_name_at_size_without_trust_or_a_path():
    hubble = _load("hubble", size=64)
    assert hubble.name == "image:hubble" and hubble.data.shape == (1, 3, 56, 64)  # 256 x 223 shrunk
    assert hubble.data.float().mean() < 60  # a dark sky with bright galaxies, not a blank file
    assert hubble.data.amax() > 200
    assert _load("hubble", size=64, channels=1).data.shape == (1, 1, 56, 64)
    assert image.picture_channels("hubble") is None  # drawn in either
    assert all(path.is_file() and max(Image.open(path).size) <= 256 for path in image.SHIPPED.values())


def test_the_shape_trait_matches_what_loads_without_decoding(tmp_path, host):
    shape_of = host.get("datasets", "image").traits["shape"]
    path = str(_write(tmp_path / "w.webp", size=(90, 60)))
    for argument in (path, "landscape", "marble", "hubble"):
        assert shape_of(argument, PARAMS) == tuple(_load(argument).data.shape[1:])
    assert shape_of(str(tmp_path / "missing.png"), PARAMS) is None
