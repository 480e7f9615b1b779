"""Deadline reminders (issue 7), sent once a day by Celery beat (labelml.notifications.tasks).

The deadlines belong to the apps above notifications, which each register their reminders
(register_reminders) in their AppConfig.ready():

- self-assessment closing: 14 and 3 days before the campaign's `date_cloture_autoevaluation`,
  to the quality referents and the direction of every dossier still in self-assessment
  (campagnes.autoevaluations.reminders);
- gap answers: 7 days before `audits.selectors.gap_deadline`, to the direction, while gaps of
  the validated report are still without a sent answer (audits.reminders);
- label expiry: 6 months and 1 month before `date_fin`, to the structure and to the national
  administrators, unless a later label already takes over (audits.commission.reminders);
- follow-up audit: SUIVI_RAPPEL_JOURS days before its date, to the structure while its file is
  not sent (audits.suivis.reminders).

Each reminder is a `Rappel` row, unique per kind, object and deadline, written in the same
transaction as its notifications (whose e-mails are queued after commit): running the job
twice sends nothing more, and a moved deadline gets its own reminders. A step reached late is
caught up on the next run (a day without the job loses nothing), but only the nearest step is
sent: a dossier opened three days before the closing gets the "3 days" reminder alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from calendar import monthrange
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from labelml.core.hooks import Hook

from .models import Notification, Rappel

logger = logging.getLogger(__name__)
Type = Rappel.Type


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the last day of a shorter month)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def months_after(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


@dataclass(frozen=True)
class Step:
    type: str
    days: int = 0
    months: int = 0

    def start(self, deadline: dt.date) -> dt.date:
        return months_before(deadline, self.months) - dt.timedelta(days=self.days)


def due_step(steps: Sequence[Step], deadline: dt.date, today: dt.date) -> Step | None:
    """The step whose period `today` falls in (from its start to the next step's start, or to
    the deadline itself), or None before the first step and after the deadline."""
    if today > deadline:
        return None
    started = [s for s in steps if s.start(deadline) <= today]
    return max(started, key=lambda s: s.start(deadline)) if started else None


def due_in(deadline: dt.date, today: dt.date) -> str:
    """The deadline as the reminder's title says it: "aujourd'hui", "demain", "dans 3 jours"."""
    days = (deadline - today).days
    if days == 0:
        return "aujourd'hui"
    if days == 1:
        return "demain"
    return f"dans {days} jours"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def send_once(
    kind: str, object_id: int, deadline: dt.date, send: Callable[[], list[Notification]]
) -> bool:
    """Record the reminder and send it in one transaction. False when it was already sent (or
    is being sent by a concurrent run), or when nobody could receive it (tried again on the
    next run, e.g. once the structure has a direction)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                rappel = Rappel.objects.create(type=kind, object_id=object_id, deadline=deadline)
        except IntegrityError:
            return False
        notifications = send()
        if not notifications:
            transaction.set_rollback(True)
            return False
        rappel.recipients = len({n.destinataire_id for n in notifications})
        rappel.save(update_fields=["recipients"])
    return True


def not_sent(qs: Any, kind: str, deadline: dt.date) -> Any:
    return qs.exclude(
        pk__in=Rappel.objects.filter(type=kind, deadline=deadline).values("object_id")
    )


# Why a registry: the deadlines belong to the apps above notifications; each registers its
# reminders in its AppConfig.ready(). A provider sends those due on the day (send_once) and adds
# them to the counts by kind.
ReminderProvider = Callable[[dt.date, dict[str, int]], None]
_PROVIDERS: Hook[ReminderProvider] = Hook("notifications.reminders")


def register_reminders(name: str, provider: ReminderProvider) -> None:
    """Have the daily job call `provider(today, counts)`; providers run in the order they were
    registered (INSTALLED_APPS'). Registering a name again replaces its provider."""
    _PROVIDERS.register(provider, name=name)


def send_due_reminders(today: dt.date) -> dict[str, int]:
    """Send the reminders due on `today` that were not sent yet; the number sent per kind."""
    counts = {kind: 0 for kind in Type.values}
    for provider in _PROVIDERS:
        provider(today, counts)
    logger.info("Reminders of %s: %s", today, counts)
    return counts
