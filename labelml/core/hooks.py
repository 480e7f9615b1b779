"""Hooks: how a lower layer hears from the layers above it without importing them.

A layer declares a `Hook` where the apps above plug in (a step to run when a dossier opens, the
capabilities an audit assignment grants, a section of the personal-data export…); each of those
apps registers its part in its `AppConfig.ready()`, and the lower layer uses whatever is
registered, in the order of registration (that of INSTALLED_APPS). So imports only ever go down
(docs/architecture.md), and the lower layer still behaves as one piece once the project is
loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Hook(Generic[T]):
    def __init__(
        self, name: str, *, single: bool = False, on_change: Callable[[], Any] | None = None
    ) -> None:
        self.name = name
        # A single hook has exactly one implementation (a provider), not a list of listeners.
        self.single = single
        # Called after each registration (e.g. to drop what was built from the registered parts).
        self.on_change = on_change
        self._parts: dict[str, T] = {}

    def register(self, part: T, *, name: str | None = None) -> T:
        """Register `part` under `name` (by default the function's qualified name). Registering a
        name again replaces its part: ready() may run twice in tests."""
        key = name or f"{getattr(part, '__module__', '')}.{getattr(part, '__qualname__', part)}"
        if self.single and self._parts and key not in self._parts:
            raise RuntimeError(f"Le point d'extension {self.name} a déjà son implémentation.")
        self._parts[key] = part
        if self.on_change is not None:
            self.on_change()
        return part

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._parts.values()))

    def items(self) -> list[tuple[str, T]]:
        return list(self._parts.items())

    def __len__(self) -> int:
        return len(self._parts)

    def get(self) -> T:
        """The single implementation."""
        if not self._parts:
            raise RuntimeError(f"Aucune application n'a fourni {self.name}.")
        return next(iter(self._parts.values()))

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {', '.join(self._parts) or 'vide'}>"
