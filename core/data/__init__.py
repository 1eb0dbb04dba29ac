"""Training data: dataset kinds (images, points) that batch and render themselves, epoch order,
and data sets larger than memory (an on-disk cache of decoded items, read as batches ask).

The cache and streaming names are imported on first use (``from ganvas.data import DiskImageSet``).
"""

from ganvas._lazy import lazy_exports
from ganvas.data.kinds import DATA_KINDS, Dataset, ImageSet, PointSet, data_kind
from ganvas.data.order import EpochSampler

_LAZY, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "cache": ["ItemCache", "cache_root", "cache_dir", "files_fingerprint", "cached_items"],
        "stream": ["DiskImageSet", "BatchFeed"],
    },
    globals(),
)

__all__ = ["DATA_KINDS", "Dataset", "ImageSet", "PointSet", "data_kind", "EpochSampler", *_LAZY]
