"""What the security layer needs to know about a user, in one query per request: the roles that
make two-factor authentication mandatory (national administrator, auditor, commission member,
all held through structures' models), whether a TOTP device is set up, and the facts the apps
above register (the header's unread notifications)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from allauth.mfa.models import Authenticator
from django.db import connection

from labelml.core.hooks import Hook
from labelml.core.types import Actor

from .models import Auditeur, Membership, MembreCommission, Structure
from .roles import Role


@dataclass(frozen=True)
class SecurityProfile:
    is_national_admin: bool
    is_auditeur: bool
    is_commission: bool
    has_totp: bool
    # The registered facts (register_profile_fact), by name.
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def requires_two_factor(self) -> bool:
        return self.is_national_admin or self.is_auditeur or self.is_commission


# The four facts in one statement, then the registered ones: {names} are the models' tables and
# columns (filled in by _profile_sql, quoted by the database backend), %(names)s bound parameters.
_PROFILE_SQL = (
    "SELECT "
    "EXISTS(SELECT 1 FROM {membership} m JOIN {structure} s ON s.{structure_id} = m.{m_structure}"
    " WHERE m.{m_user} = %(user)s AND m.{m_role} = %(admin_role)s AND s.{s_type} = %(unml)s), "
    "EXISTS(SELECT 1 FROM {auditeur} WHERE {a_user} = %(user)s), "
    "EXISTS(SELECT 1 FROM {commission} WHERE {c_user} = %(user)s AND {c_actif} = %(true)s), "
    "EXISTS(SELECT 1 FROM {authenticator} WHERE {t_user} = %(user)s AND {t_type} = %(totp)s)"
)

# Why a registry: the profile sits in structures, below the apps that have a per-request fact to
# add to its statement (notifications: the unread count); each registers it in its ready().
# The statement is built once, at the first request: a registration drops the built one.
_FACTS: Hook[Callable[[], str]] = Hook(
    "structures.profile_facts", on_change=lambda: _forget_profile_sql()
)


def _forget_profile_sql() -> None:
    _profile_sql.cache_clear()


def register_profile_fact(name: str, sql: Callable[[], str]) -> None:
    """Add the fact `name` to the profile's statement (read as `profile.facts[name]`): `sql()`
    returns a scalar SQL expression on the bound parameter %(user)s, built from the models' own
    names (`table`, `column`; called once, at the first request)."""
    _FACTS.register(sql, name=name)


def table(model: Any) -> str:
    """The model's table, quoted by the database backend."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model: Any, name: str) -> str:
    """The column of the model's field `name`, quoted by the database backend."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


@cache
def _profile_sql() -> str:
    """Written by hand because it runs on every request (the floor of every page and
    autosave): the ORM's version cost ~2 ms of compilation per request, this one nothing
    (measured with scripts/bench_load/profile_save.py; docs/decisions.md)."""
    names = {
        "membership": table(Membership),
        "structure": table(Structure),
        "structure_id": column(Structure, "id"),
        "m_structure": column(Membership, "structure"),
        "m_user": column(Membership, "user"),
        "m_role": column(Membership, "role"),
        "s_type": column(Structure, "type"),
        "auditeur": table(Auditeur),
        "a_user": column(Auditeur, "user"),
        "commission": table(MembreCommission),
        "c_user": column(MembreCommission, "user"),
        "c_actif": column(MembreCommission, "actif"),
        "authenticator": table(Authenticator),
        "t_user": column(Authenticator, "user"),
        "t_type": column(Authenticator, "type"),
    }
    extra = "".join(f", ({sql()})" for sql in _FACTS)
    return _PROFILE_SQL.format(**names) + extra  # nosec B608 # the models' own names, quoted


def security_profile(user: Actor) -> SecurityProfile:
    """Cached on the user object for the request."""
    cached = user.__dict__.get("_security_profile")
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(
            _profile_sql(),
            {
                "user": user.pk,
                "admin_role": Role.ADMIN_UNML.value,
                "unml": Structure.Type.UNML.value,
                "true": True,
                "totp": Authenticator.Type.TOTP.value,
            },
        )
        admin, auditeur, commission, totp, *facts = cursor.fetchone()
    profile = SecurityProfile(
        is_national_admin=bool(user.is_superuser or admin),
        is_auditeur=bool(auditeur),
        is_commission=bool(commission),
        has_totp=bool(totp),
        facts=dict(zip((name for name, _ in _FACTS.items()), facts, strict=True)),
    )
    user.__dict__["_security_profile"] = profile
    return profile
