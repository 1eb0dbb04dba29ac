"""``mnist:PATH``: the IDX image files of MNIST (or Fashion-MNIST), gzipped or not."""

from __future__ import annotations

import gzip
import logging
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ganvas.data import ImageSet
from ganvas.errors import UserInputError

log = logging.getLogger("ganvas")

_DTYPES: dict[int, str] = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


#: The most IDX data ganvas reads (70,000 MNIST digits are 55 MB): a header that promises more is refused
#: before anything is decompressed.
MAX_IDX_BYTES = 2**31


def read_idx(path: Path) -> np.ndarray:
    """Parse an IDX file (LeCun's format: zero bytes, a type code, the rank, big-endian sizes).

    The header is read first and checked; then exactly the bytes it promises, so a ``.gz`` that
    inflates to gigabytes is never decompressed whole.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            head = f.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _DTYPES:
                raise UserInputError(f"{path}: not an IDX file (bad magic number)")
            ndim = head[3]
            sizes = f.read(4 * ndim)
            if ndim == 0 or len(sizes) < 4 * ndim:
                raise UserInputError(f"{path}: truncated IDX header")
            shape = tuple(int.from_bytes(sizes[4 * i : 4 * i + 4], "big") for i in range(ndim))
            dtype = np.dtype(_DTYPES[head[2]])
            expected = int(np.prod(shape)) * dtype.itemsize
            if expected > MAX_IDX_BYTES:
                raise UserInputError(
                    f"{path}: the header promises {shape} ({expected / 1e9:.1f} GB); ganvas reads at most "
                    f"{MAX_IDX_BYTES / 1e9:.1f} GB of IDX data"
                )
            data = f.read(expected)
    except (OSError, EOFError, zlib.error) as exc:
        raise UserInputError(f"{path}: cannot read IDX file: {exc}") from None
    if len(data) < expected:
        raise UserInputError(f"{path}: truncated IDX data: header promises {shape}, file is too short")
    return np.frombuffer(data, dtype=dtype, count=int(np.prod(shape))).reshape(shape)


def find_images_file(root: Path) -> Path:
    """``root`` itself, or the training-images IDX file inside a folder."""
    if root.is_file():
        return root
    if root.is_dir():
        for pattern in ("train-images*idx3*", "*images*idx3*", "*idx3*"):
            found = sorted(root.glob(pattern))
            if found:
                return found[0]
        raise UserInputError(f"no IDX images file (e.g. train-images-idx3-ubyte.gz) in '{root}'")
    raise UserInputError(f"mnist path '{root}' does not exist")


def load(argument: str, *, size: int, limit: int) -> ImageSet:
    if not argument:
        raise UserInputError("dataset 'mnist' needs a path: source = \"mnist:PATH\" (a folder or an IDX file)")
    path = find_images_file(Path(argument).expanduser())
    array = read_idx(path)
    if array.ndim != 3:
        raise UserInputError(f"{path}: expected an IDX file of images (rank 3), got rank {array.ndim}")
    if limit:
        array = array[:limit]
    images = torch.from_numpy(np.array(array, dtype=np.uint8))[:, None]  # a writable copy
    if images.shape[-1] != size or images.shape[-2] != size:
        images = F.interpolate(images.float(), size=(size, size), mode="bilinear", antialias=True, align_corners=False)
        images = images.round().clamp(0, 255).to(torch.uint8)
    labels = _labels(path, len(images), limit)
    if labels is None:
        return ImageSet(images, name=f"mnist:{path.name}")
    return ImageSet(images, name=f"mnist:{path.name}", labels=labels, classes=[str(d) for d in range(10)])


def _labels(images_path: Path, count: int, limit: int) -> torch.Tensor | None:
    """The digits of the labels file beside the images (``train-labels-idx1-ubyte[.gz]`` for
    ``train-images-idx3-ubyte[.gz]``), or None when there is none or it does not match."""
    name = images_path.name.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1")
    candidates = [images_path.with_name(name)] if name != images_path.name else []
    candidates += [images_path.with_name(name.removesuffix(".gz")), images_path.with_name(name + ".gz")]
    found = next((p for p in candidates if p.is_file() and p != images_path), None)
    if found is None:
        return None
    try:
        digits = read_idx(found)
    except UserInputError as exc:
        log.warning("mnist labels file %s is unreadable (%s): training without labels", found.name, exc)
        return None
    if limit:
        digits = digits[:limit]
    if digits.ndim != 1 or len(digits) != count or (len(digits) and digits.max() > 9):
        log.warning("mnist labels file %s does not match the images: training without labels", found.name)
        return None
    return torch.from_numpy(np.array(digits, dtype=np.int64))
