"""Exceptions ganvas raises for problems a user can fix.

The CLI prints them as one line (``error: ...``) without a traceback; ``--debug`` shows it.
``UserInputError`` means the input was wrong (exit code 2), ``GanvasError`` that something
went wrong while working (exit code 1).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "GanvasError",
    "UserInputError",
    "UnknownNameError",
    "AmbiguousNameError",
    "DuplicateNameError",
    "ParamError",
    "closest",
    "did_you_mean",
]


class GanvasError(Exception):
    """A runtime failure with a message meant for the user (exit code 1)."""

    exit_code = 1


class UserInputError(GanvasError):
    """Bad input: a recipe, an option, a parameter or a path (exit code 2)."""

    exit_code = 2


def closest(name: str, valid: Iterable[str]) -> str | None:
    """The valid name most similar to ``name``, or None when nothing is close."""
    matches = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.5)
    return matches[0] if matches else None


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """Format ``valid: a, b, c (did you mean 'b'?)`` for an error message."""
    names = sorted(valid)
    text = "valid: " + (", ".join(names) if names else "(none)")
    suggestion = closest(name, names)
    if suggestion is not None:
        text += f" (did you mean '{suggestion}'?)"
    return text


class UnknownNameError(UserInputError):
    """A component, parameter or recipe name that does not exist."""

    def __init__(self, what: str, name: str, valid: Iterable[str]) -> None:
        self.name = name
        self.valid = sorted(valid)
        self.suggestion = closest(name, self.valid)
        super().__init__(f"unknown {what} '{name}'; {did_you_mean(name, self.valid)}")


class AmbiguousNameError(UnknownNameError):
    """A bare component name that several plugins registered; ``choices`` are their qualified names.

    A kind of :class:`UnknownNameError`: either way the name does not say which component."""

    def __init__(self, what: str, name: str, choices: Iterable[str]) -> None:
        self.name = name
        self.choices = self.valid = list(choices)
        self.suggestion = None
        UserInputError.__init__(
            self,
            f"{what} '{name}' is provided by several plugins; say which: {', '.join(repr(c) for c in self.choices)}",
        )


class DuplicateNameError(GanvasError):
    """Two plugins registered the same component name."""


class ParamError(UserInputError):
    """A component parameter with a wrong name, type or value."""
