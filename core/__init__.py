"""ganvas: plugin-based generative art. Train GANs, sample and stylize them from TOML recipes.

The public, plugin-facing API is what ``__all__`` lists; everything else is private and may
change. Importing ``ganvas`` is cheap: torch is only imported by the modules that need it.
"""

from importlib import metadata as _metadata

from .errors import GanvasError, ParamError, UserInputError
from .manager import hookimpl
from .params import Param

try:
    __version__ = _metadata.version("ganvas")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "hookimpl", "Param", "GanvasError", "UserInputError", "ParamError"]
