"""Tests for ganvas.plugins.datasets.mnist: IDX parsing (plain and gzip), resizing, errors."""

import gzip
import struct

import numpy as np
import pytest
import torch

from ganvas.errors import UserInputError
from ganvas.plugins.datasets import mnist


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


@pytest.mark.parametrize("compress", [False, True])
def test_the_labels_file_beside_the_images_labels_them(tmp_path, compress):
    gz = ".gz" if compress else ""
    _write_idx(tmp_path / f"train-images-idx3-ubyte{gz}", np.zeros((4, 28, 28), dtype=np.uint8), compress)
    _write_idx(tmp_path / f"train-labels-idx1-ubyte{gz}", np.array([3, 1, 4, 1]), compress)
    data = mnist.load(str(tmp_path), size=28, limit=0)
    assert data.labeled and data.classes == tuple("0123456789")
    assert data.labels.tolist() == [3, 1, 4, 1] and data.class_counts()["1"] == 2
    assert mnist.load(str(tmp_path), size=28, limit=3).labels.tolist() == [3, 1, 4]


def test_labels_that_do_not_match_leave_the_images_unlabelled(tmp_path, caplog):
    _write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((4, 28, 28), dtype=np.uint8))
    _write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([3, 1]))
    data = mnist.load(str(tmp_path), size=28, limit=0)
    assert not data.labeled and "does not match" in caplog.text
    (tmp_path / "train-labels-idx1-ubyte").unlink()
    assert not mnist.load(str(tmp_path), size=28, limit=0).labeled
