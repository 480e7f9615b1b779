"""Every named route of the product, by its qualified name ("namespace:name"), for the tests that
walk the whole URL map (authorization and isolation matrices, bad input)."""

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def iter_patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    """(qualified name, route, pattern) of every named pattern, the Django admin excepted (its
    own permissions, behind allauth's login and TOTP: see labelml/urls.py)."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from iter_patterns(p, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name, prefix + str(p.pattern), p
