"""Declared component parameters: name, type, default, help, and how values are checked.

Every component (architecture, loss, augmentation, stylizer, dataset) declares its parameters
with :class:`Param`. The same declaration validates recipe values (``width = 64``), parses
command-line strings (``-s oil:radius=4``) and feeds ``ganvas list``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganvas.errors import ParamError, UserInputError, did_you_mean

__all__ = ["Param", "resolve_params", "resolve_paths", "path_values", "parse_param_string"]

_TYPES: dict[type, str] = {
    int: "integer",
    float: "number",
    str: "string",
    bool: "boolean",
    list: "list of numbers",
    Path: "file path",
}


@dataclass(frozen=True)
class Param:
    """One parameter of a component.

    ``type`` is one of ``int``, ``float``, ``str``, ``bool``, ``list`` (a list of numbers as
    long as the default, e.g. Adam's ``betas``) or ``pathlib.Path`` (a file: a recipe's relative
    path is relative to the recipe's folder, the file must exist when the recipe is checked, and
    images record its content hash; the factory gets an absolute path as a string; ``""`` as
    the default makes it optional). ``choices`` restricts the value to a list; ``min``/``max`` bound numbers (inclusive). ``default=None`` with ``required=True``
    means the user must give a value.
    """

    name: str
    type: type
    default: Any = None
    help: str = ""
    choices: tuple[Any, ...] | None = None
    min: float | None = None
    max: float | None = None
    required: bool = False
    nullable: bool = field(default=False)
    #: ``Path`` only: turns what the user named (a run folder, say) into the file to read
    #: (its newest checkpoint), or raises UserInputError saying why there is none.
    locate: Callable[[Path], Path] | None = field(default=None, compare=False, repr=False)
    #: ``Path`` only: re-creating an image refuses a file whose content changed since (a trained
    #: model), instead of warning that the result will differ.
    pinned: bool = False

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise TypeError(
                f"Param {self.name!r}: type must be one of int, float, str, bool, list, pathlib.Path; got {self.type!r}"
            )
        if not self.name.isidentifier():
            raise TypeError(f"Param {self.name!r}: name must be a Python identifier")
        if self.default is not None and not self.required:
            self.check(self.default)  # a bad default is the plugin author's bug: fail early

    @property
    def type_name(self) -> str:
        return _TYPES[self.type]

    def describe(self) -> str:
        """``integer >= 1``, ``one of 'a', 'b'``: what a valid value looks like."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        text = self.type_name
        if self.type is list:
            text = f"a list of {len(self.default)} numbers"
        low, high = _number(self.min), _number(self.max)
        if self.min is not None and self.max is not None:
            text += f" in [{low}, {high}]"
        elif self.min is not None:
            text += f" >= {low}"
        elif self.max is not None:
            text += f" <= {high}"
        return text

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ParamError."""
        if value is None and self.nullable:
            return None
        got = f"{value!r} ({type(value).__name__})"
        if self.type is bool:
            ok = isinstance(value, bool)
        elif self.type is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif self.type is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if ok:
                value = float(value)
                ok = math.isfinite(value)
        elif self.type is list:
            ok = (
                isinstance(value, (list, tuple))
                and len(value) == len(self.default)
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            )
            if ok:
                value = [float(v) for v in value]
                if any(self.min is not None and v < self.min or self.max is not None and v > self.max for v in value):
                    raise ParamError(f"expected {self.describe()}, got {value!r}")
                return value
        elif self.type is Path:
            ok = isinstance(value, (str, Path))
            value = str(value) if ok else value
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ParamError(f"expected {self.describe()}, got {got}")
        if self.choices is not None and value not in self.choices:
            raise ParamError(f"expected {self.describe()}, got {value!r}")
        if self.min is not None and value < self.min or self.max is not None and value > self.max:
            raise ParamError(f"expected {self.describe()}, got {value!r}")
        return value

    def parse(self, text: str) -> Any:
        """Parse a command-line string (``4``, ``0.5``, ``true``) into a checked value."""
        value: Any = text
        if self.type is bool:
            lowered = text.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                value = True
            elif lowered in ("0", "false", "no", "off"):
                value = False
        elif self.type is int:
            try:
                value = int(text)
            except ValueError:
                pass
        elif self.type is float:
            try:
                value = float(text)
            except ValueError:
                pass
        elif self.type is list:
            try:
                value = [float(v) for v in text.strip("[]() ").replace(",", " ").split()]
            except ValueError:
                pass
        elif self.nullable and text.strip().lower() in ("none", "null", ""):
            value = None
        return self.check(value)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly description (for ``ganvas list --json``)."""
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type_name,
            "default": self.default,
            "help": self.help,
        }
        if self.choices is not None:
            data["choices"] = list(self.choices)
        if self.min is not None:
            data["min"] = self.min
        if self.max is not None:
            data["max"] = self.max
        if self.required:
            data["required"] = True
        return data


def resolve_params(
    params: Sequence[Param], given: Mapping[str, Any], *, owner: str
) -> tuple[dict[str, Any], list[str]]:
    """Check ``given`` against ``params`` and fill in defaults.

    Returns ``(values, problems)``: every problem is reported, not just the first, as
    ``"name: message"`` strings, so a recipe with three mistakes shows all three.
    """
    by_name = {p.name: p for p in params}
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in given.items():
        param = by_name.get(key)
        if param is None:
            problems.append(f"{key}: unknown parameter of {owner}; {did_you_mean(key, by_name)}")
            continue
        try:
            values[key] = param.check(value)
        except ParamError as exc:
            problems.append(f"{key}: {exc}")
    for param in params:
        if param.name in values:
            continue
        if param.required:
            problems.append(f"{param.name}: missing required parameter of {owner} ({param.help})")
        else:
            values[param.name] = param.default
    ordered = {p.name: values[p.name] for p in params if p.name in values}  # declaration order
    return ordered, problems


def path_values(params: Sequence[Param], values: Mapping[str, Any]) -> dict[str, str]:
    """``{name: path}`` for the ``Path`` parameters in ``values`` that name a file."""
    return {p.name: str(values[p.name]) for p in params if p.type is Path and values.get(p.name)}


def resolve_paths(params: Sequence[Param], values: dict[str, Any], base: Path | None = None) -> list[str]:
    """Make the ``Path`` parameters in ``values`` absolute (relative to ``base``, default the
    current folder) and check that each names a file; returns problems as ``"name: message"``."""
    problems = []
    for param in params:
        text = values.get(param.name)
        if param.type is not Path or not text:
            continue
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = (base or Path.cwd()) / path
        if param.locate is not None and path.exists():
            try:
                path = param.locate(path)
            except UserInputError as exc:
                problems.append(f"{param.name}: {exc}")
                continue
        if not path.is_file():
            where = f" (relative paths are relative to {base})" if base is not None else ""
            problems.append(f"{param.name}: file '{text}' not found{where}")
            continue
        values[param.name] = str(path.resolve())
    return problems


def parse_param_string(spec: str, params_of: Any) -> tuple[str, dict[str, Any]]:
    """Split ``name:key=value,key=value`` into a name and raw string values.

    ``params_of(name)`` returns the declared params used to parse the values. A qualified name
    (``plugin:name:key=value``) is told apart by its second part, which holds no ``=``.
    """
    name, _, rest = spec.partition(":")
    second, _, after = rest.partition(":")
    declared_params = None
    if rest.strip() and "=" not in second:
        qualified = f"{name.strip()}:{second.strip()}"
        try:  # "plugin:name[:k=v]"; unless only "name:k" (a forgotten "=") makes sense
            declared_params = params_of(qualified)
            name, rest = qualified, after
        except UserInputError:
            pass
    name = name.strip()
    declared = {p.name: p for p in (declared_params if declared_params is not None else params_of(name))}
    values: dict[str, Any] = {}
    if rest.strip():
        for item in rest.split(","):
            key, eq, text = item.partition("=")
            key = key.strip()
            if not eq:
                raise ParamError(f"'{spec}': expected key=value after '{name}:', got '{item}'")
            param = declared.get(key)
            if param is None:
                raise ParamError(f"'{spec}': unknown parameter '{key}' of '{name}'; {did_you_mean(key, declared)}")
            try:
                values[key] = param.parse(text)
            except ParamError as exc:
                raise ParamError(f"'{spec}': {key}: {exc}") from None
    return name, values


def _number(value: float | None) -> str:
    """A bound as a user writes it: integers in full (``1000000000``), other numbers short (``0.5``)."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
