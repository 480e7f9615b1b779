"""What the security layer needs to know about a user, in one query per request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection


@dataclass(frozen=True)
class SecurityProfile:
    is_national_admin: bool
    is_auditeur: bool
    is_commission: bool
    has_totp: bool
    unread_notifications: int = 0

    @property
    def requires_two_factor(self) -> bool:
        return self.is_national_admin or self.is_auditeur or self.is_commission


@cache
def _profile_sql() -> str:
    """The five facts in one plain statement. Written by hand because it runs on every request
    (the floor of every page and autosave): the ORM's version of it cost ~2 ms of compilation
    per request, this one nothing (measured with scripts/bench_load/profile_save.py)."""
    from allauth.mfa.models import Authenticator

    from notifications.models import Notification
    from structures.models import Auditeur, Membership, MembreCommission, Structure

    def table(model: Any) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def column(model: Any, field: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(field).column)

    return (
        "SELECT "
        f"EXISTS(SELECT 1 FROM {table(Membership)} m JOIN {table(Structure)} s "
        f"ON s.{column(Structure, 'id')} = m.{column(Membership, 'structure')} "
        f"WHERE m.{column(Membership, 'user')} = %(user)s "
        f"AND m.{column(Membership, 'role')} = %(admin_role)s "
        f"AND s.{column(Structure, 'type')} = %(unml)s), "
        f"EXISTS(SELECT 1 FROM {table(Auditeur)} "
        f"WHERE {column(Auditeur, 'user')} = %(user)s), "
        f"EXISTS(SELECT 1 FROM {table(MembreCommission)} "
        f"WHERE {column(MembreCommission, 'user')} = %(user)s "
        f"AND {column(MembreCommission, 'actif')} = %(true)s), "
        f"EXISTS(SELECT 1 FROM {table(Authenticator)} "
        f"WHERE {column(Authenticator, 'user')} = %(user)s "
        f"AND {column(Authenticator, 'type')} = %(totp)s), "
        f"(SELECT COUNT(*) FROM {table(Notification)} "
        f"WHERE {column(Notification, 'destinataire')} = %(user)s "
        f"AND {column(Notification, 'lu_le')} IS NULL)"
    )


def security_profile(user: Any) -> SecurityProfile:
    """Cached on the user object for the request."""
    cached = user.__dict__.get("_security_profile")
    if cached is not None:
        return cached
    from allauth.mfa.models import Authenticator

    from structures.models import Structure
    from structures.roles import Role

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
        admin, auditeur, commission, totp, unread = cursor.fetchone()
    profile = SecurityProfile(
        is_national_admin=bool(user.is_superuser or admin),
        is_auditeur=bool(auditeur),
        is_commission=bool(commission),
        has_totp=bool(totp),
        unread_notifications=int(unread or 0),
    )
    user.__dict__["_security_profile"] = profile
    return profile
