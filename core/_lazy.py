"""Lazy public names for a package: ``import ganvas.io`` stays cheap, ``ganvas.io.save_png`` imports
the module that holds it on first use (so start-up never pays for torch it does not need)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, modules: Mapping[str, Sequence[str]], namespace: dict[str, Any]
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """``(__all__, __getattr__, __dir__)`` for ``package`` exporting ``modules[mod]`` names from
    each ``package.mod``; a name is imported and cached in ``namespace`` on first access."""
    where = {name: f"{package}.{mod}" for mod, names in modules.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name in where:
            value = getattr(importlib.import_module(where[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module '{package}' has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    return list(where), __getattr__, __dir__
