"""Training data: dataset kinds (images, points) that batch and render themselves, and epoch order."""

from ganvas.data.kinds import DATA_KINDS, Dataset, ImageSet, PointSet, data_kind
from ganvas.data.order import EpochSampler

__all__ = ["DATA_KINDS", "Dataset", "ImageSet", "PointSet", "data_kind", "EpochSampler"]
