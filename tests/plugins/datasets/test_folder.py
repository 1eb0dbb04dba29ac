"""Tests for ganvas.plugins.datasets.folder: recursion, cropping, modes, unreadable files, errors."""

import logging

import pytest
import torch
from PIL import Image

from ganvas.errors import UserInputError
from ganvas.plugins.datasets import folder


def _save(path, size=(40, 20), mode="RGB", colour=(200, 10, 10)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour if mode != "L" else 128).save(path)


def test_folder_is_recursive_crops_resizes_and_mixes_modes(tmp_path):
    _save(tmp_path / "a.png", (40, 20))
    _save(tmp_path / "sub" / "b.JPG", (20, 60))
    _save(tmp_path / "sub" / "deeper" / "c.bmp", (16, 16), mode="L")
    _save(tmp_path / "d.webp", (30, 30))
    (tmp_path / "notes.txt").write_text("not an image")
    data = folder.load(str(tmp_path), size=16, channels=3, limit=0)
    assert data.data.shape == (4, 3, 16, 16) and data.data.dtype == torch.uint8
    gray = folder.load(str(tmp_path), size=8, channels=1, limit=0)
    assert gray.shape == (1, 8, 8)
    batch = data.batch(torch.tensor([0, 1]))
    assert batch.min() >= -1 and batch.max() <= 1


def test_non_square_images_are_centre_cropped(tmp_path):
    img = Image.new("RGB", (30, 10), (0, 0, 255))
    img.paste((255, 0, 0), (10, 0, 20, 10))  # a red square in the middle
    img.save(tmp_path / "wide.png")
    data = folder.load(str(tmp_path), size=10, channels=3, limit=0)
    assert data.data[0, 0].float().mean() > 250 and data.data[0, 2].float().mean() < 5


def test_transparent_pixels_become_white(tmp_path):
    Image.new("RGBA", (8, 8), (255, 0, 0, 0)).save(tmp_path / "clear.png")
    data = folder.load(str(tmp_path), size=8, channels=3, limit=0)
    assert int(data.data.min()) == 255


def test_corrupt_files_are_skipped_and_counted_in_one_warning(tmp_path, caplog):
    _save(tmp_path / "good.png")
    (tmp_path / "bad1.png").write_bytes(b"not a png at all")
    (tmp_path / "bad2.jpg").write_bytes(b"\xff\xd8\xff garbage")
    with caplog.at_level(logging.WARNING, logger="ganvas"):
        data = folder.load(str(tmp_path), size=8, channels=3, limit=0)
    assert len(data) == 1
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "skipped 2 unreadable" in warnings[0]


def test_only_corrupt_files_is_an_error(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"nope")
    with pytest.raises(UserInputError, match="none of its 1 image files could be read"):
        folder.load(str(tmp_path), size=8, channels=3, limit=0)


def test_empty_and_missing_folders_are_clear_errors(tmp_path):
    with pytest.raises(UserInputError, match="holds no images"):
        folder.load(str(tmp_path), size=8, channels=3, limit=0)
    with pytest.raises(UserInputError, match="does not exist"):
        folder.load(str(tmp_path / "nope"), size=8, channels=3, limit=0)
    with pytest.raises(UserInputError, match="needs a path"):
        folder.load("", size=8, channels=3, limit=0)


def test_limit(tmp_path):
    for i in range(5):
        _save(tmp_path / f"{i}.png")
    assert len(folder.load(str(tmp_path), size=8, channels=3, limit=2)) == 2


def test_subfolders_are_classes_with_their_counts(tmp_path, caplog):
    for name, count in (("cats", 2), ("dogs", 3)):
        (tmp_path / name / "deeper").mkdir(parents=True)
        for i in range(count):
            _save(tmp_path / name / "deeper" / f"{i}.png")
    _save(tmp_path / "loose.png")
    with caplog.at_level(logging.WARNING, logger="ganvas"):
        data = folder.load(str(tmp_path), size=8, channels=3, limit=0, classes="subfolders")
    assert data.classes == ("cats", "dogs") and data.labels.tolist() == [0, 0, 1, 1, 1]
    assert data.class_counts() == {"cats": 2, "dogs": 3} and "belong to no class" in caplog.text
    assert not folder.load(str(tmp_path), size=8, channels=3, limit=0).labeled  # opt-in


def test_an_empty_class_folder_or_none_at_all_is_a_clear_error(tmp_path):
    (tmp_path / "cats").mkdir()
    (tmp_path / "dogs").mkdir()
    _save(tmp_path / "cats" / "a.png")
    with pytest.raises(UserInputError, match=r"class sub-folder\(s\) 'dogs' hold no images"):
        folder.load(str(tmp_path), size=8, channels=3, limit=0, classes="subfolders")
    flat = tmp_path / "flat"
    flat.mkdir()
    _save(flat / "a.png")
    with pytest.raises(UserInputError, match="has no sub-folders"):
        folder.load(str(flat), size=8, channels=3, limit=0, classes="subfolders")
