"""ganvas: plugin-based generative art. Train GANs, sample and stylize them from TOML recipes.

The public, plugin-facing API is what ``__all__`` lists, plus the modules ``ganvas.plugin.hookspecs``
(every hook), ``ganvas.plugin.testing`` (test helpers) and ``ganvas.runs`` (reading run folders);
everything else is private and may change.
Importing ``ganvas`` is cheap: the torch-backed names (the component base classes and the image
helpers) are imported on first use.
"""

from importlib import metadata as _metadata
from typing import Any as _Any

from ganvas.errors import GanvasError, ParamError, UserInputError
from ganvas.plugin.manager import hookimpl
from ganvas.plugin.params import Param
from ganvas.plugin.traits import Shapes

try:
    __version__ = _metadata.version("ganvas")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

#: Public names that import torch, and the module each lives in.
_LAZY = {
    # datasets: the kinds of training data
    "Dataset": "ganvas.data.kinds",
    "ImageSet": "ganvas.data.kinds",
    "PointSet": "ganvas.data.kinds",
    # methods: what one training step is, and how a trained one draws
    "Method": "ganvas.training.method",
    "TrainContext": "ganvas.training.method",
    "Drawer": "ganvas.training.method",
    "DrawContext": "ganvas.training.method",
    # adversarial component base classes
    "Networks": "ganvas.training.components",
    "Loss": "ganvas.training.components",
    "LogitLoss": "ganvas.training.components",
    "PhaseResult": "ganvas.training.components",
    "Regularizer": "ganvas.training.components",
    # repair: what a paired method trains to undo
    "Corruption": "ganvas.training.corruption",
    # image helpers: files <-> uint8 (C, H, W) tensors, grids, PNGs with metadata
    "open_image": "ganvas.io.images",
    "square_resize": "ganvas.io.images",
    "pil_to_tensor": "ganvas.io.images",
    "to_uint8": "ganvas.io.images",
    "make_grid": "ganvas.io.images",
    "save_png": "ganvas.io.images",
}

__all__ = [
    "__version__",
    "hookimpl",
    "Param",
    "Shapes",
    "GanvasError",
    "UserInputError",
    "ParamError",
    *_LAZY,
]


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ganvas' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
