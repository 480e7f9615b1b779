"""A Redis cache that degrades instead of failing when Redis is unreachable.

What the cache holds here can be lost without harm: allauth's rate-limit counters, used TOTP
codes, a few computed values. A Redis outage must therefore not turn every page into a 500: the
cache behaves as an empty cache that forgets at once. A read is a miss (the default), a write
does nothing, `add` answers True (as on an empty cache: allauth takes its rate-limit lock and
marks a TOTP code used with `add`, and False would refuse every login), `touch`, `delete` and
`has_key` answer False, `incr` raises ValueError (a missing key). The outage is logged once,
with the error, when it starts, and once when Redis answers again.

After a failure, Redis is not asked again for `RETRY_AFTER` seconds (a short circuit breaker):
a page that touches the cache ten times costs one connection attempt, not ten. The connection
attempt itself is bounded by `socket_connect_timeout` (settings.CACHES: 0.25 s), so an
unreachable host does not hang a page either.

While Redis is down: login rate limiting and the TOTP replay check (allauth) are not enforced;
everything else works. Both come back with Redis, without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Errors that mean "Redis is not there", as opposed to a programming error (a bad key, a value
# that cannot be pickled), which still raises.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)

T = TypeVar("T")


class _Circuit:
    """Whether a Redis server is known to be down, shared by the threads of a process (Django
    builds one cache object per thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0  # time.monotonic() before which Redis is not asked
        self.down = False


_circuits: dict[str, _Circuit] = {}
_circuits_lock = threading.Lock()


def _circuit(location: str) -> _Circuit:
    with _circuits_lock:
        return _circuits.setdefault(location, _Circuit())


class DegradingRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache, failing soft when Redis is unreachable."""

    RETRY_AFTER = 2.0  # seconds without trying Redis after a failure

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._circuit = _circuit(str(server))

    @property
    def available(self) -> bool:
        """False while the last attempt failed less than RETRY_AFTER seconds ago."""
        return time.monotonic() >= self._circuit.down_until

    def _call(self, operation: str, fallback: T, function: Callable[[], T]) -> T:
        circuit = self._circuit
        if not self.available:
            return fallback
        try:
            result = function()
        except UNAVAILABLE as exc:
            with circuit.lock:
                circuit.down_until = time.monotonic() + self.RETRY_AFTER
                first = not circuit.down
                circuit.down = True
            if first:
                logger.error(
                    "Cache Redis injoignable (%s : %s) : fonctionnement dégradé, sans cache ni "
                    "limitation du nombre de tentatives de connexion, jusqu'à son retour.",
                    operation,
                    exc,
                )
            else:
                logger.debug("Cache Redis toujours injoignable (%s)", operation)
            return fallback
        if circuit.down:
            with circuit.lock:
                back = circuit.down
                circuit.down = False
            if back:
                logger.warning("Cache Redis de nouveau joignable : fonctionnement normal.")
        return result

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._call(
            "add", True, lambda: super(DegradingRedisCache, self).add(key, value, timeout, version)
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call(
            "get", default, lambda: super(DegradingRedisCache, self).get(key, default, version)
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call(
            "set", None, lambda: super(DegradingRedisCache, self).set(key, value, timeout, version)
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(
            "touch", False, lambda: super(DegradingRedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call(
            "delete", False, lambda: super(DegradingRedisCache, self).delete(key, version)
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._call(
            "get_many", {}, lambda: super(DegradingRedisCache, self).get_many(keys, version)
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call(
            "has_key", False, lambda: super(DegradingRedisCache, self).has_key(key, version)
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # Unavailable: like a missing key (what a caller of incr() must already handle).
        def fallback() -> int:
            raise ValueError(f"Key '{key}' not found (cache Redis injoignable).")

        result = self._call(
            "incr", None, lambda: super(DegradingRedisCache, self).incr(key, delta, version)
        )
        return fallback() if result is None else result

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        # Nothing was stored: every key is reported as failed, as the cache API says.
        return self._call(
            "set_many",
            list(data),
            lambda: super(DegradingRedisCache, self).set_many(data, timeout, version),
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call(
            "delete_many",
            None,
            lambda: super(DegradingRedisCache, self).delete_many(keys, version),
        )

    def clear(self) -> None:
        self._call("clear", None, lambda: super(DegradingRedisCache, self).clear())
