"""The component registry: every architecture, loss, augmentation, stylizer and dataset by name.

Plugins fill it through the ``register_*`` hooks; the core owns names, aliases and duplicate
checks. A component is a factory (a class or function, or a lazy ``"module:attr"`` reference
that is imported only when the component is built) plus its declared :class:`Param` list.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ganvas.errors import DuplicateNameError, ParamError, UnknownNameError
from ganvas.plugin.params import Param, resolve_params

__all__ = ["KINDS", "Component", "Registry", "RegisterFn"]

#: Component kinds, in the order ``ganvas list`` shows them, with their hook names.
KINDS: dict[str, str] = {
    "methods": "register_methods",
    "architectures": "register_architectures",
    "losses": "register_losses",
    "regularizers": "register_regularizers",
    "augmentations": "register_augmentations",
    "stylizers": "register_stylizers",
    "datasets": "register_datasets",
}

_SINGULAR = {
    "methods": "method",
    "architectures": "architecture",
    "losses": "loss",
    "regularizers": "regularizer",
    "augmentations": "augmentation",
    "stylizers": "stylizer",
    "datasets": "dataset",
}


class RegisterFn(Protocol):
    """The ``register`` callback a component hook receives (``register_stylizers(register)``, ...).

    ``factory`` is a class or function, or a lazy ``"package.module:attr"`` string imported only
    when the component is first used; ``params`` declare its parameters (validated, listed by
    ``ganvas list``, completed by the shell); ``help`` defaults to the factory's first docstring
    line. A name or alias another plugin already registered is an error naming both plugins.
    """

    def __call__(
        self,
        name: str,
        factory: Callable[..., Any] | str,
        *,
        params: Sequence[Param] = (),
        help: str | None = None,
        aliases: Sequence[str] = (),
    ) -> None: ...


@dataclass
class Component:
    """A registered component: its kind, name, factory, parameters and owning plugin."""

    kind: str
    name: str
    factory: Callable[..., Any] | str
    params: tuple[Param, ...]
    help: str
    plugin: str
    aliases: tuple[str, ...] = ()
    _loaded: Callable[..., Any] | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{_SINGULAR[self.kind]} '{self.name}'"

    def load(self) -> Callable[..., Any]:
        """The factory, importing it first when it was registered as ``"module:attr"``."""
        if self._loaded is None:
            if isinstance(self.factory, str):
                module_name, _, attr = self.factory.partition(":")
                self._loaded = getattr(importlib.import_module(module_name), attr)
            else:
                self._loaded = self.factory
        return self._loaded

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Validated parameter values with defaults filled in; raises ParamError listing all problems."""
        values, problems = resolve_params(self.params, given, owner=self.label)
        if problems:
            raise ParamError("; ".join(problems))
        return values

    def build(self, *args: Any, **given: Any) -> Any:
        """Validate ``given`` and call the factory with positional ``args`` and the parameters."""
        return self.load()(*args, **self.resolve(given))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "aliases": list(self.aliases),
            "plugin": self.plugin,
            "help": self.help,
            "params": [p.to_dict() for p in self.params],
        }


def _first_doc_line(obj: Any) -> str:
    doc = inspect.getdoc(obj) if not isinstance(obj, str) else None
    return doc.strip().splitlines()[0] if doc else ""


class Registry:
    """Components by kind and name; filled by plugins, read by recipes and the CLI."""

    def __init__(self) -> None:
        self._items: dict[str, dict[str, Component]] = {kind: {} for kind in KINDS}
        self._aliases: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
        #: Plugins that are installed but failed to load (label -> why): an unknown name says so,
        #: since a skipped plugin is the likeliest reason its components are missing.
        self.failed_plugins: dict[str, str] = {}

    def register_fn(self, kind: str, plugin: str) -> RegisterFn:
        """The ``register`` callback handed to ``plugin``'s ``register_<kind>`` hook."""

        def register(
            name: str,
            factory: Callable[..., Any] | str,
            *,
            params: Sequence[Param] = (),
            help: str | None = None,
            aliases: Sequence[str] = (),
        ) -> None:
            self.add(
                Component(
                    kind=kind,
                    name=name,
                    factory=factory,
                    params=tuple(params),
                    help=help if help is not None else _first_doc_line(factory),
                    plugin=plugin,
                    aliases=tuple(aliases),
                )
            )

        register.__doc__ = f"Register one of ganvas's {kind} (see ganvas.plugin.hookspecs)."
        return register

    def add(self, component: Component) -> None:
        """Add ``component``; a name or alias already taken raises DuplicateNameError."""
        kind = component.kind
        if kind not in self._items:
            raise ValueError(f"unknown component kind {kind!r}; valid: {', '.join(KINDS)}")
        if not isinstance(component.name, str) or not component.name or ":" in component.name:
            raise ValueError(f"invalid {kind} name {component.name!r}: use a non-empty name without ':'")
        if not (callable(component.factory) or isinstance(component.factory, str)):
            raise TypeError(f"{component.label}: factory must be callable or a 'module:attr' string")
        for param in component.params:
            if not isinstance(param, Param):
                raise TypeError(f"{component.label}: params must be ganvas.Param, got {param!r}")
        names = [p.name for p in component.params]
        if len(set(names)) != len(names):
            raise ValueError(f"{component.label}: parameter names repeat: {names}")
        for name in (component.name, *component.aliases):
            owner = self._owner(kind, name)
            if owner is not None:
                raise DuplicateNameError(
                    f"{_SINGULAR[kind]} '{name}' is registered twice: by plugin "
                    f"'{owner.plugin}' and by plugin '{component.plugin}'"
                )
        self._items[kind][component.name] = component
        for alias in component.aliases:
            self._aliases[kind][alias] = component.name

    def _owner(self, kind: str, name: str) -> Component | None:
        if name in self._items[kind]:
            return self._items[kind][name]
        if name in self._aliases[kind]:
            return self._items[kind][self._aliases[kind][name]]
        return None

    def get(self, kind: str, name: str) -> Component:
        """The component named ``name`` (or an alias); UnknownNameError lists the valid names."""
        found = self._owner(kind, name)
        if found is None:
            valid = list(self._items[kind]) + list(self._aliases[kind])
            error = UnknownNameError(_SINGULAR[kind], name, valid)
            if self.failed_plugins:
                why = "; ".join(
                    f"{label} is installed but failed to load: {reason}"
                    for label, reason in self.failed_plugins.items()
                )
                error.args = (f"{error}; note: {why}",)
            raise error
        return found

    def parse_spec(self, kind: str, spec: str) -> tuple[str, dict[str, Any]]:
        """``"name:key=value,..."`` -> (registered name, fully resolved parameters), checked
        against the component's declared params; unknown names or bad values raise one-line errors."""
        from ganvas.errors import UserInputError
        from ganvas.plugin.params import parse_param_string

        if not spec.strip():
            raise UserInputError(f"empty {_SINGULAR[kind]} spec; expected NAME or NAME:key=value,...")
        name, values = parse_param_string(spec, lambda n: self.get(kind, n.strip()).params)
        component = self.get(kind, name)
        return component.name, component.resolve(values)

    def names(self, kind: str) -> list[str]:
        return sorted(self._items[kind])

    def components(self, kind: str | None = None) -> Iterator[Component]:
        kinds = [kind] if kind else list(KINDS)
        for k in kinds:
            for name in sorted(self._items[k]):
                yield self._items[k][name]

    def remove_plugin(self, plugin: str) -> None:
        """Drop everything ``plugin`` registered (used when its hook fails part-way)."""
        for kind in KINDS:
            for name in [n for n, c in self._items[kind].items() if c.plugin == plugin]:
                del self._items[kind][name]
            self._aliases[kind] = {a: n for a, n in self._aliases[kind].items() if n in self._items[kind]}
