"""What the security layer needs to know about a user, in one query per request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery


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


def security_profile(user: Any) -> SecurityProfile:
    """Cached on the user object for the request."""
    cached = user.__dict__.get("_security_profile")
    if cached is not None:
        return cached
    from allauth.mfa.models import Authenticator

    from accounts.models import User
    from notifications.models import Notification
    from structures.models import Auditeur, Membership, MembreCommission
    from structures.roles import Role

    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            _admin=Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), role=Role.ADMIN_UNML, structure__type="unml"
                )
            ),
            _auditeur=Exists(Auditeur.objects.filter(user=OuterRef("pk"))),
            _commission=Exists(MembreCommission.objects.filter(user=OuterRef("pk"), actif=True)),
            _totp=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
            ),
            # The header's unread count rides along: no query of its own on every page.
            _unread=Subquery(
                Notification.objects.filter(destinataire=OuterRef("pk"), lu_le__isnull=True)
                .order_by()
                .values("destinataire")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )
        .values("_admin", "_auditeur", "_commission", "_totp", "_unread")
        .first()
    ) or {"_admin": False, "_auditeur": False, "_commission": False, "_totp": False}
    profile = SecurityProfile(
        is_national_admin=bool(user.is_superuser or row["_admin"]),
        is_auditeur=bool(row["_auditeur"]),
        is_commission=bool(row["_commission"]),
        has_totp=bool(row["_totp"]),
        unread_notifications=row.get("_unread") or 0,
    )
    user.__dict__["_security_profile"] = profile
    return profile
