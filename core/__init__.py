"""ganvas: plugin-based generative art. Train GANs, sample and stylize them from TOML recipes.

The public, plugin-facing API is what ``__all__`` lists, plus the modules ``ganvas.hookspecs``
(every hook) and ``ganvas.testing`` (test helpers); everything else is private and may change.
Importing ``ganvas`` is cheap: the torch-backed names (the component base classes and the image
helpers) are imported on first use.
"""

from importlib import metadata as _metadata
from typing import Any as _Any

from .errors import GanvasError, ParamError, UserInputError
from .manager import hookimpl
from .params import Param

try:
    __version__ = _metadata.version("ganvas")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

#: Public names that import torch, and the module each lives in.
_LAZY = {
    # component base classes
    "Dataset": "ganvas.components",
    "Networks": "ganvas.components",
    "Loss": "ganvas.components",
    "LogitLoss": "ganvas.components",
    "PhaseResult": "ganvas.components",
    "Regularizer": "ganvas.components",
    # image helpers: files <-> uint8 (C, H, W) tensors, grids, PNGs with metadata
    "open_image": "ganvas.imageio",
    "square_resize": "ganvas.imageio",
    "pil_to_tensor": "ganvas.imageio",
    "to_uint8": "ganvas.imageio",
    "make_grid": "ganvas.imageio",
    "save_png": "ganvas.imageio",
}

__all__ = [
    "__version__",
    "hookimpl",
    "Param",
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
