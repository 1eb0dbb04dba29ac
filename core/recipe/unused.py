"""Recipe keys a method will not read: which sections it declares it uses, and the warnings for
the rest (a section, or a [train] speed setting, that the recipe sets for nothing)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ganvas.errors import UnknownNameError
from ganvas.plugin.registry import Registry
from ganvas.recipe.schema import CHAINS, METHOD_SECTIONS

__all__ = ["method_uses", "warn_unused", "warn_speed_unused", "SPEED_KEYS"]


def method_uses(registry: Registry, name: str) -> frozenset[str]:
    """The recipe sections method ``name`` declares it reads (all of them when it is unknown)."""
    try:
        declared = getattr(registry.get("methods", name).load(), "uses", None)
    except UnknownNameError:
        declared = None
    return frozenset(METHOD_SECTIONS) if declared is None else frozenset(declared) & frozenset(METHOD_SECTIONS)


def warn_unused(raw: Mapping[str, Any], method: str, uses: frozenset[str], registry: Registry | None = None) -> None:
    """One warning naming the sections the recipe sets that its method ignores (and, given the
    registry, one naming the [train] speed settings it does not read)."""
    if registry is not None:
        warn_speed_unused(registry, raw, method)
    unused = [s for s in METHOD_SECTIONS if s not in uses and raw.get(s)]
    if unused:
        names = ", ".join(f"[[{s}]]" if s in CHAINS else f"[{s}]" for s in unused)
        logging.getLogger("ganvas").warning(f"method '{method}' does not use {names}; ignoring it")


#: [train] keys only methods that declare ``speed_settings = True`` read (the gan method).
SPEED_KEYS = ("precision", "channels_last", "compile")


def warn_speed_unused(registry: Registry, raw: Mapping[str, Any], method: str) -> None:
    """One warning when the recipe sets a speed setting its method does not read."""
    train = raw.get("train")
    given: Mapping[str, Any] = train if isinstance(train, Mapping) else {}
    set_keys = [k for k in SPEED_KEYS if k in given]
    if not set_keys:
        return
    try:
        reads = bool(getattr(registry.get("methods", method).load(), "speed_settings", False))
    except UnknownNameError:
        return
    if not reads:
        names = ", ".join(f"train.{k}" for k in set_keys)
        logging.getLogger("ganvas").warning(f"method '{method}' does not read {names}; it trains in fp32 as is")
