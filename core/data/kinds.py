"""Dataset kinds: each type knows how to store, batch and render its items.

A dataset plugin returns an :class:`ImageSet` (uint8 ``(N, C, H, W)``, served in [-1, 1]) or a
:class:`PointSet` (float ``(N, D)`` coordinates). Code that handles "the data" asks the type,
never a kind string: ``data.batch(indices)`` gives model-space items, ``kind.render(items)`` one
uint8 picture, and ``kind.pictures`` says whether items are pictures (stylizers, augmentations,
SWD and latent-walk animations apply to those only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import torch
from torch import Tensor

from ganvas.errors import UnknownNameError

__all__ = ["Dataset", "ImageSet", "PointSet", "DATA_KINDS", "data_kind"]


class Dataset:
    """Training items held in memory; subclass :class:`ImageSet` or :class:`PointSet`."""

    #: The kind's name, as stored in checkpoints and listed by ``ganvas list``.
    kind: ClassVar[str] = ""
    #: Whether items are pictures: stylizers, augmentations, SWD and walks apply to them.
    pictures: ClassVar[bool] = False

    def __init__(
        self, data: Tensor, name: str = "", *, labels: Tensor | None = None, classes: Sequence[str] = ()
    ) -> None:
        if len(data) == 0:
            raise ValueError("a dataset needs at least one item")
        self.data = self._check(data)
        self.name = name
        self.classes: tuple[str, ...] = tuple(classes)
        self.labels: Tensor | None = None
        if labels is not None:
            labels = torch.as_tensor(labels, dtype=torch.long)
            if labels.shape != (len(data),):
                raise ValueError(f"labels must be one per item, shape ({len(data)},), got {tuple(labels.shape)}")
            if not self.classes or int(labels.min()) < 0 or int(labels.max()) >= len(self.classes):
                raise ValueError(f"labels must index the {len(self.classes)} class names, 0..{len(self.classes) - 1}")
            self.labels = labels

    @property
    def labeled(self) -> bool:
        """Whether each item carries a class label (``classes`` names them)."""
        return self.labels is not None

    def class_counts(self) -> dict[str, int]:
        """Items per class, in class order (empty for unlabeled data)."""
        if self.labels is None:
            return {}
        counts = torch.bincount(self.labels.cpu(), minlength=len(self.classes)).tolist()
        return dict(zip(self.classes, counts))

    def labels_at(self, indices: Tensor) -> Tensor:
        """The labels of the items at ``indices`` (on the labels' device)."""
        if self.labels is None:
            raise ValueError(f"dataset {self.name or 'unnamed'} has no labels")
        return self.labels[indices.to(self.labels.device)]

    def _check(self, data: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of one item: ``(C, H, W)`` or ``(D,)``."""
        return tuple(self.data.shape[1:])

    def __len__(self) -> int:
        return len(self.data)

    def to(self, device: torch.device) -> Dataset:
        """Move the whole dataset (it is small) to ``device`` so batches need no copies."""
        self.data = self.data.to(device)
        if self.labels is not None:
            self.labels = self.labels.to(device)
        return self

    def batch(self, indices: Tensor) -> Tensor:
        """Items at ``indices`` in model space."""
        return self.data[indices.to(self.data.device)]

    @classmethod
    def render(cls, items: Tensor, columns: int = 0, reference: Tensor | None = None) -> Tensor:
        """Model-space items as one uint8 ``(C, H, W)`` picture."""
        raise NotImplementedError

    def render_items(self, items: Tensor, columns: int = 0) -> Tensor:
        """:meth:`render` with this dataset as the reference (point plots show the real points)."""
        return self.render(items, columns)

    def __repr__(self) -> str:
        labels = f", classes={len(self.classes)}" if self.labeled else ""
        return f"{type(self).__name__}({self.name or 'unnamed'}, n={len(self)}, shape={self.shape}{labels})"


class ImageSet(Dataset):
    """Images stored as uint8 ``(N, C, H, W)`` and served as float in [-1, 1]."""

    kind = "images"
    pictures = True

    def _check(self, data: Tensor) -> Tensor:
        if data.dtype != torch.uint8 or data.ndim != 4:
            raise ValueError(f"image datasets hold uint8 (N, C, H, W) tensors, got {data.dtype} {tuple(data.shape)}")
        return data

    def batch(self, indices: Tensor) -> Tensor:
        return super().batch(indices).float().div_(127.5).sub_(1.0)

    @classmethod
    def render(cls, items: Tensor, columns: int = 0, reference: Tensor | None = None) -> Tensor:
        """A grid of the images (``columns`` 0: near square)."""
        from ganvas.io.images import make_grid, to_uint8

        return make_grid(to_uint8(items), columns)


class PointSet(Dataset):
    """2-D (or higher) points stored and served as float ``(N, D)``."""

    kind = "points"

    def _check(self, data: Tensor) -> Tensor:
        if data.ndim != 2:
            raise ValueError(f"point datasets hold (N, D) tensors, got {tuple(data.shape)}")
        return data.float()

    @classmethod
    def render(cls, items: Tensor, columns: int = 0, reference: Tensor | None = None) -> Tensor:
        """A scatter plot of the points, over ``reference`` points in grey when given."""
        from ganvas.io.images import render_points

        return render_points(items, reference)

    def render_items(self, items: Tensor, columns: int = 0) -> Tensor:
        return self.render(items, columns, self.data[:5000])


#: Dataset kinds by name (checkpoints store the name).
DATA_KINDS: dict[str, type[Dataset]] = {"images": ImageSet, "points": PointSet}


def data_kind(name: str) -> type[Dataset]:
    """The dataset type called ``name``; UnknownNameError lists the kinds."""
    try:
        return DATA_KINDS[name]
    except KeyError:
        raise UnknownNameError("data kind", name, list(DATA_KINDS)) from None
