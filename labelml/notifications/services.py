"""Notifications: an in-app row per recipient, e-mailed by a Celery task after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse

from labelml.accounts.models import User
from labelml.core import jobs
from labelml.structures.models import Membership
from labelml.structures.roles import Role

from .models import Notification

STRUCTURE_ROLES = [Role.REFERENT_QUALITE, Role.DIRECTION]


def notify(
    users: Iterable[Any], *, titre: str, message: str = "", url: str = "", dossier: Any = None
) -> list[Notification]:
    from .tasks import send_notification_email

    unique = {u.pk: u for u in users if u is not None and u.is_active}
    notifications = Notification.objects.bulk_create(
        Notification(destinataire=u, dossier=dossier, titre=titre, message=message, url=url)
        for u in unique.values()
    )
    for n in notifications:
        jobs.enqueue(n, send_notification_email, field="email_enqueued_at")
    return notifications


# An e-mail that could not be handed to the task queue (Redis down) is still sent within this
# delay (the in-app notification exists at once); after it, it would only be noise.
EMAIL_RECOVERY_WINDOW = dt.timedelta(days=1)


def requeue_pending() -> int:
    """E-mails of the last day never handed to the task queue (or whose message was lost)."""
    from django.utils import timezone

    from .tasks import send_notification_email

    recent = Notification.objects.filter(
        email_envoye_le__isnull=True, created_at__gte=timezone.now() - EMAIL_RECOVERY_WINDOW
    )
    return jobs.requeue(recent, send_notification_email, field="email_enqueued_at")


def _dossier_url(dossier: Any) -> str:
    return reverse("campagnes:dossier_detail", args=[dossier.pk])


def notify_structure(
    dossier: Any, *, titre: str, message: str = "", include_arml: bool = False
) -> list[Notification]:
    """The structure's quality referents and direction (and its ARML referents if asked)."""
    User = get_user_model()
    condition = {
        "memberships__structure": dossier.structure,
        "memberships__role__in": STRUCTURE_ROLES,
    }
    users = list(User.objects.filter(**condition))
    if include_arml and dossier.structure.parent_id:
        users += list(
            User.objects.filter(
                memberships__structure_id=dossier.structure.parent_id,
                memberships__role=Role.REFERENT_ARML,
            )
        )
    return notify(users, titre=titre, message=message, url=_dossier_url(dossier), dossier=dossier)


def notify_national_admins(dossier: Any, *, titre: str, message: str = "") -> list[Notification]:
    User = get_user_model()
    users = User.objects.filter(
        memberships__role=Role.ADMIN_UNML, memberships__structure__type="unml"
    )
    return notify(users, titre=titre, message=message, url=_dossier_url(dossier), dossier=dossier)


def mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(destinataire=user, lu_le__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(lu_le=timezone.now())


__all__ = ["Membership", "mark_read", "notify", "notify_national_admins", "notify_structure"]
