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

from ganvas.errors import AmbiguousNameError, DuplicateNameError, ParamError, UnknownNameError
from ganvas.plugin.params import Param, resolve_params, resolve_paths
from ganvas.plugin.traits import check_traits, describe_accepts

__all__ = ["KINDS", "BUILTIN_SCOPE", "Component", "Registry", "RegisterFn"]

#: Component kinds, in the order ``ganvas list`` shows them, with their hook names.
KINDS: dict[str, str] = {
    "methods": "register_methods",
    "architectures": "register_architectures",
    "losses": "register_losses",
    "regularizers": "register_regularizers",
    "augmentations": "register_augmentations",
    "stylizers": "register_stylizers",
    "datasets": "register_datasets",
    "callbacks": "register_callbacks",
    "loggers": "register_loggers",
    "corruptions": "register_corruptions",
}

#: The qualifier of built-in components: ``ganvas:oil``.
BUILTIN_SCOPE = "ganvas"

_SINGULAR = {
    "methods": "method",
    "architectures": "architecture",
    "losses": "loss",
    "regularizers": "regularizer",
    "augmentations": "augmentation",
    "stylizers": "stylizer",
    "datasets": "dataset",
    "callbacks": "callback",
    "loggers": "logger",
    "corruptions": "corruption",
}


class RegisterFn(Protocol):
    """The ``register`` callback a component hook receives (``register_stylizers(register)``, ...).

    ``factory`` is a class or function, or a lazy ``"package.module:attr"`` string imported only
    when the component is first used; ``params`` declare its parameters (validated, listed by
    ``ganvas list``, completed by the shell); ``help`` defaults to the factory's first docstring
    line. A name another plugin registered too stays reachable as ``PLUGIN:NAME`` (see the module).
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
    #: What qualifies the name: the plugin's name, or ``ganvas`` for built-ins.
    scope: str = ""
    #: What it declares it can do (see :mod:`ganvas.plugin.traits`).
    traits: dict[str, Any] = field(default_factory=dict)
    _loaded: Callable[..., Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.scope = self.scope or self.plugin

    @property
    def label(self) -> str:
        return f"{_SINGULAR[self.kind]} '{self.name}'"

    @property
    def qualified(self) -> str:
        """``plugin:name``: the name that always means this component, whatever else is installed."""
        return f"{self.scope}:{self.name}"

    @property
    def builtin(self) -> bool:
        return self.scope == BUILTIN_SCOPE

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
            "qualified": self.qualified,
            "help": self.help,
            "params": [p.to_dict() for p in self.params],
            **({"traits": {k: _trait_json(self.kind, k, v) for k, v in self.traits.items()}} if self.traits else {}),
        }


def _trait_json(kind: str, name: str, value: Any) -> Any:
    """A trait as JSON: flags as they are, shapes in words, functions as 'declared'."""
    if isinstance(value, bool):
        return value
    if kind == "architectures" and name == "accepts":
        return describe_accepts(value)
    return "declared"


def _first_doc_line(obj: Any) -> str:
    doc = inspect.getdoc(obj) if not isinstance(obj, str) else None
    return doc.strip().splitlines()[0] if doc else ""


class Registry:
    """Components by kind and name; filled by plugins, read by recipes and the CLI."""

    def __init__(self) -> None:
        #: kind -> qualified name -> component, in registration order (built-ins first)
        self._items: dict[str, dict[str, Component]] = {kind: {} for kind in KINDS}
        #: kind -> bare name or alias -> the components answering to it
        self._names: dict[str, dict[str, list[Component]]] = {kind: {} for kind in KINDS}
        #: Plugins that are installed but failed to load (label -> why): an unknown name says so,
        #: since a skipped plugin is the likeliest reason its components are missing.
        self.failed_plugins: dict[str, str] = {}

    def register_fn(self, kind: str, plugin: str, scope: str = "") -> RegisterFn:
        """The ``register`` callback handed to ``plugin``'s ``register_<kind>`` hook."""

        def register(
            name: str,
            factory: Callable[..., Any] | str,
            *,
            params: Sequence[Param] = (),
            help: str | None = None,
            aliases: Sequence[str] = (),
            **traits: Any,
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
                    scope=scope,
                    traits=check_traits(kind, f"{_SINGULAR[kind]} '{name}'", traits),
                )
            )

        register.__doc__ = f"Register one of ganvas's {kind} (see ganvas.plugin.hookspecs)."
        return register

    def add(self, component: Component) -> None:
        """Add ``component``; one plugin registering a name or alias twice raises DuplicateNameError
        (another plugin's component of the same name stays: see :meth:`get`)."""
        kind = component.kind
        if kind not in self._items:
            raise ValueError(f"unknown component kind {kind!r}; valid: {', '.join(KINDS)}")
        for name in (component.name, *component.aliases):
            if not isinstance(name, str) or not name or ":" in name:
                raise ValueError(f"invalid {kind} name {name!r}: use a non-empty name without ':'")
        if not (callable(component.factory) or isinstance(component.factory, str)):
            raise TypeError(f"{component.label}: factory must be callable or a 'module:attr' string")
        for param in component.params:
            if not isinstance(param, Param):
                raise TypeError(f"{component.label}: params must be ganvas.Param, got {param!r}")
        names = [p.name for p in component.params]
        if len(set(names)) != len(names):
            raise ValueError(f"{component.label}: parameter names repeat: {names}")
        for name in (component.name, *component.aliases):
            if any(other.scope == component.scope for other in self._names[kind].get(name, ())):
                raise DuplicateNameError(
                    f"{_SINGULAR[kind]} '{name}' is registered twice by plugin '{component.plugin}'"
                )
        self._items[kind][component.qualified] = component
        for name in dict.fromkeys((component.name, *component.aliases)):
            self._names[kind].setdefault(name, []).append(component)

    def get(self, kind: str, name: str) -> Component:
        """The component called ``name``: a bare name or alias, or ``plugin:name``.

        UnknownNameError lists the valid names (and plugins that failed to load);
        AmbiguousNameError, for a bare name two plugins registered, lists their qualified names.
        """
        scope, qualified, bare = name.rpartition(":")
        found = self._names[kind].get(bare, [])
        if qualified:
            found = [c for c in found if c.scope == scope or c.plugin == scope]
        elif len(found) > 1:
            builtin = [c for c in found if c.builtin]
            if not builtin:
                raise AmbiguousNameError(_SINGULAR[kind], name, sorted(c.qualified for c in found))
            found = builtin
        if not found:
            valid = list(self._names[kind])
            error = UnknownNameError(_SINGULAR[kind], name, valid)
            if qualified:
                scopes = sorted({c.scope for c in self._items[kind].values()})
                error.args = (
                    f"{error}; a qualified name is PLUGIN:NAME, with PLUGIN one of {', '.join(scopes) or '(none)'}",
                )
            if self.failed_plugins:
                why = "; ".join(
                    f"{label} is installed but failed to load: {reason}"
                    for label, reason in self.failed_plugins.items()
                )
                error.args = (f"{error.args[0]}; note: {why}",)
            raise error
        return found[0]

    def ref(self, component: Component) -> str:
        """The name a recipe records for ``component``: its bare name when that means it, else
        its qualified name (so a recipe never changes meaning when another plugin is installed)."""
        try:
            if self.get(component.kind, component.name) is component:
                return component.name
        except AmbiguousNameError:
            pass
        return component.qualified

    def duplicates(self, kind: str | None = None) -> dict[tuple[str, str], list[Component]]:
        """(kind, name) -> the components of different plugins answering to that name or alias."""
        kinds = [kind] if kind else list(KINDS)
        return {
            (k, name): list(found) for k in kinds for name, found in sorted(self._names[k].items()) if len(found) > 1
        }

    def parse_spec(self, kind: str, spec: str) -> tuple[str, dict[str, Any]]:
        """``"name:key=value,..."`` (or ``"plugin:name:key=value"``) -> (the name to record, fully
        resolved parameters), checked against the component's declared params; unknown names or
        bad values raise one-line errors."""
        from ganvas.errors import UserInputError
        from ganvas.plugin.params import parse_param_string

        if not spec.strip():
            raise UserInputError(f"empty {_SINGULAR[kind]} spec; expected NAME or NAME:key=value,...")
        name, values = parse_param_string(spec, lambda n: self.get(kind, n.strip()).params)
        component = self.get(kind, name)
        resolved = component.resolve(values)
        problems = resolve_paths(component.params, resolved)
        if problems:
            raise ParamError(f"'{spec}': " + "; ".join(problems))
        return self.ref(component), resolved

    def names(self, kind: str) -> list[str]:
        """The registered names of ``kind`` (each once, however many plugins registered it)."""
        return sorted({c.name for c in self._items[kind].values()})

    def components(self, kind: str | None = None) -> Iterator[Component]:
        kinds = [kind] if kind else list(KINDS)
        for k in kinds:
            yield from sorted(self._items[k].values(), key=lambda c: (c.name, not c.builtin, c.scope))

    def remove_plugin(self, plugin: str) -> None:
        """Drop everything ``plugin`` registered (used when its hook fails part-way)."""
        for kind in KINDS:
            self._items[kind] = {q: c for q, c in self._items[kind].items() if c.plugin != plugin}
            names = {n: [c for c in found if c.plugin != plugin] for n, found in self._names[kind].items()}
            self._names[kind] = {n: found for n, found in names.items() if found}
