"""Hooks: how a lower layer hears from the layers above it without importing them.

A layer declares a `Hook` where the apps above plug in (a step to run when a dossier opens, the
capabilities an audit assignment grants…); each of those apps registers its function in its
`AppConfig.ready()`, and the lower layer calls whatever is registered. So imports only ever go
down (docs/architecture.md), and the lower layer still behaves as one piece once the project is
loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Hook(Generic[F]):
    def __init__(self, name: str, *, single: bool = False) -> None:
        self.name = name
        # A single hook has exactly one implementation (a provider), not a list of listeners.
        self.single = single
        self._functions: list[F] = []

    def register(self, function: F) -> F:
        """Register `function` (idempotent: ready() may run twice in tests)."""
        if function in self._functions:
            return function
        if self.single and self._functions:
            raise RuntimeError(f"Le point d'extension {self.name} a déjà son implémentation.")
        self._functions.append(function)
        return function

    def __iter__(self) -> Iterator[F]:
        return iter(list(self._functions))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The single implementation's answer."""
        if not self._functions:
            raise RuntimeError(f"Aucune application n'a fourni {self.name}.")
        return self._functions[0](*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._functions)}>"
