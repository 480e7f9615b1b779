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


# The five facts in one statement: {names} are the models' tables and columns (filled in by
# _profile_sql, quoted by the database backend), %(names)s bound parameters.
_PROFILE_SQL = (
    "SELECT "
    "EXISTS(SELECT 1 FROM {membership} m JOIN {structure} s ON s.{structure_id} = m.{m_structure}"
    " WHERE m.{m_user} = %(user)s AND m.{m_role} = %(admin_role)s AND s.{s_type} = %(unml)s), "
    "EXISTS(SELECT 1 FROM {auditeur} WHERE {a_user} = %(user)s), "
    "EXISTS(SELECT 1 FROM {commission} WHERE {c_user} = %(user)s AND {c_actif} = %(true)s), "
    "EXISTS(SELECT 1 FROM {authenticator} WHERE {t_user} = %(user)s AND {t_type} = %(totp)s), "
    "(SELECT COUNT(*) FROM {notification} WHERE {n_user} = %(user)s AND {n_read} IS NULL)"
)


@cache
def _profile_sql() -> str:
    """Written by hand because it runs on every request (the floor of every page and
    autosave): the ORM's version cost ~2 ms of compilation per request, this one nothing
    (measured with scripts/bench_load/profile_save.py; docs/decisions.md)."""
    from allauth.mfa.models import Authenticator

    from labelml.notifications.models import Notification
    from labelml.structures.models import Auditeur, Membership, MembreCommission, Structure

    def table(model: Any) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def column(model: Any, field: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(field).column)

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
        "notification": table(Notification),
        "n_user": column(Notification, "destinataire"),
        "n_read": column(Notification, "lu_le"),
    }
    return _PROFILE_SQL.format(**names)  # nosec B608 # the models' own names, quoted


def security_profile(user: Any) -> SecurityProfile:
    """Cached on the user object for the request."""
    cached = user.__dict__.get("_security_profile")
    if cached is not None:
        return cached
    from allauth.mfa.models import Authenticator

    from labelml.structures.models import Structure
    from labelml.structures.roles import Role

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
