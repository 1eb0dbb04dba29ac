import gzip
import logging
import struct

import numpy as np
import pytest
import torch
from PIL import Image

from ganvas.errors import UnknownNameError, UserInputError
from ganvas.plugins.datasets import folder, mnist, procedural, toy2d


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


def _write_idx(path, array, compress=False):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)


@pytest.mark.parametrize("compress", [False, True])
def test_idx_parsing(tmp_path, compress):
    digits = np.arange(3 * 28 * 28, dtype=np.uint32).reshape(3, 28, 28) % 256
    name = "train-images-idx3-ubyte" + (".gz" if compress else "")
    _write_idx(tmp_path / name, digits, compress)
    assert np.array_equal(mnist.read_idx(tmp_path / name), digits)
    data = mnist.load(str(tmp_path), size=28, limit=0)  # a folder finds the images file
    assert data.data.shape == (3, 1, 28, 28)
    assert torch.equal(data.data[1, 0], torch.from_numpy(digits[1].astype(np.uint8)))
    resized = mnist.load(str(tmp_path / name), size=32, limit=2)
    assert resized.data.shape == (2, 1, 32, 32)


def test_idx_errors(tmp_path):
    (tmp_path / "junk").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(UserInputError, match="bad magic"):
        mnist.read_idx(tmp_path / "junk")
    short = tmp_path / "short-idx3-ubyte"
    short.write_bytes(struct.pack(">BBBBIII", 0, 0, 8, 3, 10, 28, 28) + b"\x00" * 100)
    with pytest.raises(UserInputError, match="truncated"):
        mnist.read_idx(short)
    labels = tmp_path / "labels"
    _write_idx(labels, np.arange(4))
    with pytest.raises(UserInputError, match="rank 3"):
        mnist.load(str(labels), size=28, limit=0)
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(UserInputError, match="no IDX images file"):
        mnist.load(str(tmp_path / "empty_dir"), size=28, limit=0)


def test_procedural_is_deterministic_and_grayscale_works():
    a = procedural.load("mondrian", size=16, channels=3, count=4, seed=0)
    b = procedural.load("mondrian", size=16, channels=3, count=4, seed=0)
    assert torch.equal(a.data, b.data) and a.data.shape == (4, 3, 16, 16)
    gray = procedural.load("mondrian", size=16, channels=1, count=4, seed=0)
    assert gray.data.shape == (4, 1, 16, 16)
    with pytest.raises(UnknownNameError, match="did you mean 'truchet'"):
        procedural.load("truchat", size=16, channels=3, count=1, seed=0)


def test_toy2d_geometry():
    ring = toy2d.load("ring", count=4000)
    radius = ring.data.norm(dim=1)
    assert ring.kind == "points" and ring.shape == (2,)
    assert (radius - 1).abs().max() < 0.06  # std 0.01: within 6 std
    centres, std = toy2d.mixture("grid")
    assert centres.shape == (25, 2) and std == 0.05
    grid = toy2d.load("grid", count=5000)
    nearest = torch.cdist(grid.data, centres).argmin(1)
    assert nearest.unique().numel() == 25
    with pytest.raises(UnknownNameError):
        toy2d.load("spiral", count=10)
