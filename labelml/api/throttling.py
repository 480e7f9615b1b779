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

    def get_rate(self) -> str | None:
        # Read at each request, not once at import: the rate is a setting (API_RATE_PER_TOKEN).
        from rest_framework.settings import api_settings

        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
