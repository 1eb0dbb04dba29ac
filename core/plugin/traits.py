"""What a component declares it can do, beside its parameters: its *traits*.

A plugin passes them to ``register`` as keywords; the core checks them before anything is built,
so a recipe that cannot work fails when it is validated, not inside a run:

- architectures: ``accepts`` (a :class:`Shapes`: the item shapes its networks take; or, when
  that depends on its parameters, a function ``(shape, params) -> problem | None`` whose
  docstring's first line says what fits),
  ``any_size`` (its generator renders at any size: ``generator(z, size=(H, W))``) and ``tiles``
  (it also takes ``tile=True`` and then paints a seamless tile: opposite edges match) and
  ``conditional`` (its factory takes ``classes=K``; the generator then takes z of ``z_dim + K``,
  the noise and the class weights, and the discriminator ``labels=`` ``(B, K)``);
- datasets: ``shape`` (a function ``(argument, params) -> (C, H, W) | (D,) | None | str`` giving
  the item shape a recipe's data will have without loading it; ``None`` when it cannot say; a
  string saying why its parameters cannot work together).

Every trait is optional; a component that declares none is taken on trust, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Shapes", "TRAITS", "check_traits", "shape_text", "shape_problem", "describe_accepts"]


def shape_text(shape: tuple[int, ...]) -> str:
    """``3x32x32`` or ``2``: an item shape as the CLI prints it."""
    return "x".join(map(str, shape))


@dataclass(frozen=True)
class Shapes:
    """The item shapes an architecture accepts: images ``(C, H, W)`` and/or points ``(D,)``.

    Image sides must lie in ``[min_size, max_size]``; ``square`` and ``power_of_two`` narrow
    them further and ``channels`` (``None``: any) lists the channel counts that work.
    """

    images: bool = True
    points: bool = False
    min_size: int = 1
    max_size: int = 4096
    square: bool = False
    power_of_two: bool = False
    channels: tuple[int, ...] | None = None

    def problem(self, shape: tuple[int, ...]) -> str | None:
        """Why items of ``shape`` do not fit, or None when they do."""
        if len(shape) == 1:
            return None if self.points else f"needs {self.describe()}, not points of {shape[0]} dimensions"
        if len(shape) != 3:
            return f"needs {self.describe()}, got items of shape {shape_text(shape)}"
        if not self.images:
            return f"needs {self.describe()}, not images"
        channels, height, width = shape
        if self.channels is not None and channels not in self.channels:
            return f"needs {self.describe()}, got {channels} channels"
        sides_ok = all(self.min_size <= side <= self.max_size for side in (height, width))
        if self.square and height != width:
            sides_ok = False
        if self.power_of_two and any(side & (side - 1) for side in (height, width)):
            sides_ok = False
        return None if sides_ok else f"needs {self.describe()}, got {height}x{width} px"

    def sizes(self) -> list[int]:
        """The valid sides when they are powers of two (for messages); empty otherwise."""
        if not self.power_of_two:
            return []
        return [2**k for k in range(12) if self.min_size <= 2**k <= self.max_size]

    def describe(self) -> str:
        """``square images of 16, 32, 64, 128 or 256 px``: what fits, in words."""
        parts = []
        if self.images:
            square = "square " if self.square else ""
            if self.power_of_two:
                sizes = [str(s) for s in self.sizes()]
                sides = ", ".join(sizes[:-1]) + f" or {sizes[-1]}" if len(sizes) > 1 else "".join(sizes)
                parts.append(f"{square}images of {sides} px")
            else:
                parts.append(f"{square}images of {self.min_size} to {self.max_size} px a side")
            if self.channels is not None:
                parts[-1] += f" with {' or '.join(map(str, self.channels))} channels"
        if self.points:
            parts.append("points")
        return " or ".join(parts) or "nothing"


def shape_problem(accepts: Any, shape: tuple[int, ...], params: Mapping[str, Any]) -> str | None:
    """What an ``accepts`` trait says about items of ``shape`` (None: they fit)."""
    if isinstance(accepts, Shapes):
        return accepts.problem(shape)
    return accepts(shape, dict(params))


def describe_accepts(accepts: Any) -> str:
    """An ``accepts`` trait in words."""
    if isinstance(accepts, Shapes):
        return accepts.describe()
    doc = (getattr(accepts, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else "declared by a check"


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


#: kind -> trait name -> (check of the value, what a valid value is).
TRAITS: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    "architectures": {
        "accepts": (lambda v: isinstance(v, Shapes) or callable(v), "a ganvas.Shapes or a function (shape, params)"),
        "any_size": (_is_bool, "true or false"),
        "tiles": (_is_bool, "true or false"),
        "conditional": (_is_bool, "true or false"),
    },
    "datasets": {"shape": (callable, "a function (argument, params) -> item shape or None")},
}


def check_traits(kind: str, label: str, traits: Mapping[str, Any]) -> dict[str, Any]:
    """``traits`` checked for a component of ``kind``; a TypeError names a wrong one (the plugin
    author's bug, reported when the plugin loads)."""
    valid = TRAITS.get(kind, {})
    for name, value in traits.items():
        if name not in valid:
            known = ", ".join(valid) or "none"
            raise TypeError(f"{label}: unknown trait {name!r} for {kind}; valid: {known}")
        check, expected = valid[name]
        if not check(value):
            raise TypeError(f"{label}: trait {name!r} must be {expected}, got {value!r}")
    if traits.get("tiles") and not traits.get("any_size"):
        raise TypeError(f"{label}: trait 'tiles' needs 'any_size' (a tile is drawn at a chosen size)")
    return dict(traits)
