"""A rate limit per token (not per person: each tool gets its own budget), in Django's cache
(Redis in production, shared by the web processes). Beyond it: 429 with `Retry-After`."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle

from .models import JetonAcces


class JetonRateThrottle(SimpleRateThrottle):
    scope = "jeton"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if isinstance(request.auth, JetonAcces):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
        return None
