"""Every route of the URL conf as a concrete path (parameters filled with sample values that
resolve), for the tests that must hold on all of them: CSRF, mandatory TOTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern

# Sample values of route converters and of the named groups of regex routes (admin, allauth).
CONVERTERS = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}
GROUPS = {"app_label": "accounts", "url": "x", "key": "abc", "uidb36": "1"}


@dataclass(frozen=True)
class Route:
    path: str
    name: str | None
    callback: Any


def _segment(pattern: Any) -> str:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = re.sub(r"\(\?P<(\w+)>.*?\)(?=/|-|\$|$)", lambda m: GROUPS[m.group(1)], text)
        return text.lstrip("^").rstrip("$").replace("\\", "")
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: CONVERTERS[m.group(1) or "str"], text)


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        path = prefix + _segment(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, path)
        else:
            yield path, pattern


def all_routes() -> list[Route]:
    routes = []
    for path, pattern in _walk(get_resolver().url_patterns, "/"):
        match = resolve(path)
        # The sample path reaches this very route (not an earlier one that shadows it).
        if match.func is not pattern.callback and match.url_name != pattern.name:
            continue
        routes.append(Route(path=path, name=pattern.name, callback=pattern.callback))
    return routes
