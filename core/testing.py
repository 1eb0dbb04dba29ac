"""Helpers for testing ganvas and ganvas plugins with pytest.

``tiny_recipe()`` gives recipe data that trains in well under a second on a CPU;
``make_host(plugin, ...)`` builds an isolated plugin host with your plugin registered beside
the built-ins (and none of the machine's installed plugins).
"""

from __future__ import annotations

import copy
from typing import Any

from .manager import PluginHost

__all__ = ["tiny_recipe", "make_host"]

_TINY: dict[str, Any] = {
    "name": "tiny",
    "data": {"source": "procedural:circles", "size": 16, "count": 32},
    "model": {"name": "dcgan", "width": 8, "z_dim": 8},
    "loss": {"name": "nonsaturating"},
    "train": {"steps": 6, "batch": 8, "sample_every": 3, "checkpoint_every": 3, "log_every": 2,
              "device": "cpu", "keep_checkpoints": 5},
    "sample": {"seeds": "0-3"},
}


def tiny_recipe(**sections: dict[str, Any]) -> dict[str, Any]:
    """Raw recipe data for a 16-px DCGAN trained 6 steps.

    ``train={"steps": 2}`` updates a section; a section that names another component
    (``model={"name": "mlp"}``, ``data={"source": "toy2d:ring"}``) replaces it whole, since the
    parameters belong to the component.
    """
    raw = copy.deepcopy(_TINY)
    for key, values in sections.items():
        if isinstance(values, dict) and not ({"name", "source"} & values.keys()):
            raw.setdefault(key, {}).update(values)
        else:
            raw[key] = values
    return raw


def make_host(*plugins: Any) -> PluginHost:
    """A plugin host with the built-ins and ``plugins`` (modules or objects with ``@hookimpl``s)."""
    return PluginHost(entry_points=False, extra=plugins)
