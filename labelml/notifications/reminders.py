"""Deadline reminders (issue 7), sent once a day by Celery beat (labelml.notifications.tasks):

- self-assessment closing: 14 and 3 days before the campaign's `date_cloture_autoevaluation`,
  to the quality referents and the direction of every dossier still in self-assessment;
- gap answers: 7 days before `audits.selectors.gap_deadline`, to the direction, while gaps of
  the validated report are still without a sent answer;
- label expiry: 6 months and 1 month before `date_fin`, to the structure and to the national
  administrators, unless a later label already takes over;
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

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from audits.commission.models import Label
from audits.models import GAP_CODES, Audit
from audits.selectors import gap_deadline
from campagnes.autoevaluations.models import Reponse
from campagnes.autoevaluations.selectors import rated_q
from campagnes.models import Campagne, Dossier
from labelml.structures.roles import Role

from .models import Notification, Rappel
from .services import notify, notify_national_admins, notify_structure

logger = logging.getLogger(__name__)
Kind = Rappel.Kind


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
    kind: str
    days: int = 0
    months: int = 0

    def start(self, deadline: dt.date) -> dt.date:
        return months_before(deadline, self.months) - dt.timedelta(days=self.days)


AUTOEVALUATION_STEPS = (
    Step(Kind.AUTOEVALUATION_J14, days=14),
    Step(Kind.AUTOEVALUATION_J3, days=3),
)
ECARTS_STEPS = (Step(Kind.ECARTS_J7, days=7),)
LABEL_STEPS = (Step(Kind.LABEL_M6, months=6), Step(Kind.LABEL_M1, months=1))


def due_step(steps: Sequence[Step], deadline: dt.date, today: dt.date) -> Step | None:
    """The step whose period `today` falls in (from its start to the next step's start, or to
    the deadline itself), or None before the first step and after the deadline."""
    if today > deadline:
        return None
    started = [s for s in steps if s.start(deadline) <= today]
    return max(started, key=lambda s: s.start(deadline)) if started else None


def _when(deadline: dt.date, today: dt.date) -> str:
    days = (deadline - today).days
    if days == 0:
        return "aujourd'hui"
    if days == 1:
        return "demain"
    return f"dans {days} jours"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def _send(
    kind: str, object_id: int, deadline: dt.date, send: Callable[[], list[Notification]]
) -> bool:
    """Record the reminder and send it in one transaction. False when it was already sent (or
    is being sent by a concurrent run), or when nobody could receive it (tried again on the
    next run, e.g. once the structure has a direction)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                rappel = Rappel.objects.create(kind=kind, object_id=object_id, deadline=deadline)
        except IntegrityError:
            return False
        notifications = send()
        if not notifications:
            transaction.set_rollback(True)
            return False
        rappel.recipients = len({n.destinataire_id for n in notifications})
        rappel.save(update_fields=["recipients"])
    return True


def _not_sent(qs: Any, kind: str, deadline: dt.date) -> Any:
    return qs.exclude(
        pk__in=Rappel.objects.filter(kind=kind, deadline=deadline).values("object_id")
    )


# --- self-assessment closing ---------------------------------------------------------------


def _autoevaluation_reminders(today: dt.date, counts: dict[str, int]) -> None:
    horizon = today + dt.timedelta(days=max(s.days for s in AUTOEVALUATION_STEPS))
    for campagne in Campagne.objects.filter(date_cloture_autoevaluation__range=(today, horizon)):
        deadline = campagne.date_cloture_autoevaluation
        step = due_step(AUTOEVALUATION_STEPS, deadline, today)
        if step is None:
            continue
        dossiers = list(
            _not_sent(
                Dossier.objects.filter(campagne=campagne, etat=Dossier.Etat.AUTOEVALUATION),
                step.kind,
                deadline,
            ).select_related("structure", "campagne")
        )
        if not dossiers:
            continue
        progress = {
            row["autoevaluation__dossier"]: (row["rated"], row["total"])
            for row in Reponse.objects.filter(autoevaluation__dossier__in=dossiers)
            .order_by()
            .values("autoevaluation__dossier")
            .annotate(total=Count("pk"), rated=Count("pk", filter=rated_q()))
        }
        when = _when(deadline, today)
        for dossier in dossiers:
            rated, total = progress.get(dossier.pk, (0, 0))
            message = (
                f"L'auto-évaluation de la campagne « {campagne.nom} » se clôture le "
                f"{deadline:%d/%m/%Y}. {rated} élément{'s' if rated > 1 else ''} "
                f"sur {total} {'sont évalués' if rated > 1 else 'est évalué'}. "
                "Complétez les niveaux et les synthèses, puis la direction soumet "
                "l'auto-évaluation."
            )

            def send(
                dossier: Dossier = dossier, message: str = message, when: str = when
            ) -> list[Notification]:
                return notify_structure(
                    dossier, titre=f"Auto-évaluation : clôture {when}", message=message
                )

            if _send(step.kind, dossier.pk, deadline, send):
                counts[step.kind] += 1


# --- gap answers -----------------------------------------------------------------------------


def _gap_reminders(today: dt.date, counts: dict[str, int]) -> None:
    unanswered = Q(
        constats__niveau__code__in=GAP_CODES, constats__reponse_ecart__envoye_le__isnull=True
    )
    audits = (
        Audit.objects.filter(
            statut=Audit.Statut.VALIDE,
            valide_le__isnull=False,
            dossier__etat=Dossier.Etat.REPONSE_STRUCTURE,
        )
        .annotate(unanswered=Count("constats", filter=unanswered))
        .filter(unanswered__gt=0)
        .select_related("dossier__campagne", "dossier__structure")
    )
    User = get_user_model()
    for audit in audits:
        deadline = gap_deadline(audit)
        if deadline is None:
            continue
        step = due_step(ECARTS_STEPS, deadline, today)
        if step is None:
            continue
        dossier = audit.dossier
        if Rappel.objects.filter(kind=step.kind, object_id=dossier.pk, deadline=deadline).exists():
            continue
        n = audit.unanswered  # type: ignore[attr-defined]
        message = (
            f"{_plural(n, 'écart')} de l'évaluation externe "
            f"{'attendent' if n > 1 else 'attend'} encore une réponse envoyée. Le délai de "
            f"réponse se termine le {deadline:%d/%m/%Y} ; passé cette date, les réponses ne "
            "sont plus acceptées."
        )

        def send(
            dossier: Dossier = dossier, message: str = message, deadline: dt.date = deadline
        ) -> list[Notification]:
            direction = User.objects.filter(
                memberships__structure=dossier.structure, memberships__role=Role.DIRECTION
            )
            return notify(
                direction,
                titre=f"Réponse aux écarts : échéance {_when(deadline, today)}",
                message=message,
                url=reverse("audit_gaps", args=[dossier.pk]),
                dossier=dossier,
            )

        if _send(step.kind, dossier.pk, deadline, send):
            counts[step.kind] += 1


# --- label expiry ----------------------------------------------------------------------------


def _label_reminders(today: dt.date, counts: dict[str, int]) -> None:
    horizon = months_after(today, max(s.months for s in LABEL_STEPS))
    later = Label.objects.filter(
        structure=OuterRef("structure"),
        statut=Label.Statut.VALIDE,
        date_fin__gt=OuterRef("date_fin"),
    )
    labels = (
        Label.objects.filter(statut=Label.Statut.VALIDE, date_fin__range=(today, horizon))
        .exclude(Exists(later))  # renewed already: the newer label takes over
        .select_related("structure", "decision__dossier__structure")
    )
    for label in labels:
        deadline = label.date_fin
        step = due_step(LABEL_STEPS, deadline, today)
        if step is None:
            continue
        dossier = label.decision.dossier
        titre = f"Le label de {label.structure.nom} expire le {deadline:%d/%m/%Y}"

        def send(
            label: Label = label, dossier: Dossier = dossier, titre: str = titre
        ) -> list[Notification]:
            return notify_structure(
                dossier,
                titre=titre,
                message=(
                    f"Le label n° {label.numero} est valable jusqu'au {label.date_fin:%d/%m/%Y}. "
                    "Préparez son renouvellement : un nouveau dossier reprend votre dernière "
                    "auto-évaluation, chaque réponse étant à confirmer."
                ),
            ) + notify_national_admins(
                dossier,
                titre=titre,
                message=(
                    f"Le label n° {label.numero} de {label.structure.nom} arrive à échéance le "
                    f"{label.date_fin:%d/%m/%Y}."
                ),
            )

        if _send(step.kind, label.pk, deadline, send):
            counts[step.kind] += 1


def send_due_reminders(today: dt.date) -> dict[str, int]:
    """Send the reminders due on `today` that were not sent yet; the number sent per kind."""
    counts = {kind: 0 for kind in Kind.values}
    _autoevaluation_reminders(today, counts)
    _gap_reminders(today, counts)
    _label_reminders(today, counts)
    from audits.suivis.reminders import suivi_reminders

    suivi_reminders(today, counts)
    logger.info("Reminders of %s: %s", today, counts)
    return counts
