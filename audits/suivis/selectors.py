"""Reads of the follow-up audit, and who may do what with one.

Scope, exactly as for the external audit (SPEC §2): the structure's members (and its ARML's
referents, and the national administrators) read the follow-up; the direction and the quality
referent answer the points; the direction sends the file; the assigned auditor reviews it
(`suivi_capabilities`). Any other person — another structure's member, another auditor — gets
404, as for a missing one; a person who sees it but may not act gets 403.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

from audits.commission.models import Label
from labelml.accounts.models import User
from labelml.core.transitions import MissingItem
from labelml.structures.home import WorkItem, capped
from labelml.structures.models import Structure
from labelml.structures.roles import Capability
from labelml.structures.selectors import capabilities_for, visible_structures_q

from .models import AuditSuivi, PointSuivi

DEFAULT_RATIO = Decimal("0.5")
DEFAULT_HORIZON_DAYS = 90
DEFAULT_REMINDER_DAYS = 30


def ratio() -> Decimal:
    """Where, in a label's validity, the follow-up takes place (settings.SUIVI_MI_PARCOURS, a
    fraction strictly between 0 and 1; 0.5 by default)."""
    value = Decimal(str(getattr(settings, "SUIVI_MI_PARCOURS", DEFAULT_RATIO)))
    if not Decimal(0) < value < Decimal(1):
        raise ValueError("SUIVI_MI_PARCOURS doit être strictement compris entre 0 et 1.")
    return value


def horizon_days() -> int:
    """A follow-up is scheduled this many days before its date (SUIVI_PLANIFICATION_JOURS)."""
    return int(getattr(settings, "SUIVI_PLANIFICATION_JOURS", DEFAULT_HORIZON_DAYS))


def reminder_days() -> int:
    """The structure is reminded this many days before the date if its file is not sent
    (SUIVI_RAPPEL_JOURS)."""
    return int(getattr(settings, "SUIVI_RAPPEL_JOURS", DEFAULT_REMINDER_DAYS))


def mid_term_date(label: Label, fraction: Decimal | None = None) -> dt.date:
    """label.date_debut + (date_fin − date_debut) × ratio, to the nearest day."""
    fraction = ratio() if fraction is None else fraction
    span = (label.date_fin - label.date_debut).days
    days = int((Decimal(span) * fraction).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return label.date_debut + dt.timedelta(days=days)


# --- scope ---------------------------------------------------------------------------------------


def suivis_for_user(user: User | AnonymousUser) -> QuerySet[AuditSuivi]:
    """The follow-ups a person may read: those of the structures they see, and those they are
    the assigned auditor of. Fails closed for anonymous users."""
    if not user.is_authenticated or not user.is_active:
        return AuditSuivi.objects.none()
    q = Q(auditeur__user=user)
    condition = visible_structures_q(user)
    if condition is not None:
        q |= Q(dossier__structure__in=Structure.objects.filter(condition).values("pk"))
    return AuditSuivi.objects.filter(q).select_related(
        "label",
        "dossier__structure__parent",
        "dossier__campagne__referentiel",
        "auditeur__user",
        "organisme",
    )


def suivi_capabilities(user: User | AnonymousUser, suivi: AuditSuivi) -> frozenset[Capability]:
    """What `user` may do with `suivi`: their roles' capabilities on its structure, not
    narrowed by the dossier's state (the dossier is closed, the follow-up lives on): the
    direction and the quality referent answer the file (ANSWER_SUIVI), the direction sends it
    (SUBMIT), the administrators designate the auditor (ADMINISTER); and the assigned auditor
    reviews it (REVIEW_SUIVI)."""
    caps = capabilities_for(user, suivi.dossier.structure)
    if suivi.auditeur is not None and suivi.auditeur.user_id == getattr(user, "pk", None):
        return caps | {Capability.REVIEW_SUIVI}
    return caps


def get_suivi_for_user(
    user: User | AnonymousUser, pk: int
) -> tuple[AuditSuivi, frozenset[Capability]]:
    suivi = suivis_for_user(user).filter(pk=pk).first()
    if suivi is None:
        raise Http404("Audit de suivi introuvable.")
    return suivi, suivi_capabilities(user, suivi)


def points_of(suivi: AuditSuivi) -> QuerySet[PointSuivi]:
    return (
        suivi.points.select_related(
            "critere", "action", "updated_by", "constat", "constat__reponse_ecart"
        )
        .prefetch_related("preuves")
        .order_by("ordre", "pk")
    )


def suivis_for_structure(structure: Structure) -> QuerySet[AuditSuivi]:
    """A structure's follow-ups, newest first (for its label history). The caller checks that
    the user may see the structure."""
    return (
        AuditSuivi.objects.filter(dossier__structure=structure)
        .select_related("label", "dossier__campagne", "auditeur__user", "organisme")
        .order_by("-date_prevue", "-pk")
    )


# --- what stops a step -------------------------------------------------------------------------


def file_missing_items(suivi: AuditSuivi) -> list[MissingItem]:
    """What stops the direction from sending the file: an answer on every point."""
    base = reverse("suivis:suivi_detail", args=[suivi.pk])
    return [
        MissingItem(
            f"Critère {p.critere.code} ({p.get_nature_display().lower()}) : réponse à rédiger",
            f"{base}#point-{p.pk}",
        )
        for p in suivi.points.select_related("critere").order_by("ordre", "pk")
        if not p.reponse.strip()
    ]


def conclusion_missing_items(suivi: AuditSuivi, today: dt.date) -> list[MissingItem]:
    """What stops the auditor from concluding: a finding on every point and the
    videoconference held."""
    from django.utils import timezone

    base = reverse("suivis:suivi_review", args=[suivi.pk])
    out = [
        MissingItem(
            f"Critère {p.critere.code} : constat de suivi à renseigner", f"{base}#point-{p.pk}"
        )
        for p in suivi.points.select_related("critere").order_by("ordre", "pk")
        if not p.avis
    ]
    if suivi.date_visio is None:
        out.append(MissingItem("Visioconférence : date à enregistrer", f"{base}#visio"))
    elif timezone.localdate(suivi.date_visio) > today:
        out.append(
            MissingItem(
                f"Visioconférence prévue le {timezone.localtime(suivi.date_visio):%d/%m/%Y} : "
                "concluez après l'avoir tenue",
                f"{base}#visio",
            )
        )
    return out


# The home's worklist (labelml.structures.home.register_worklist) ------------------------------


def worklist(user: User | AnonymousUser) -> list[WorkItem]:
    """What the follow-up audits give the home's "À faire": to the structure (référent qualité,
    direction), the file to prepare and send before the mid-term date; to the assigned auditor,
    the files to review; to the UNML, the follow-ups still without an auditor. A fixed number of
    queries."""
    from campagnes.selectors import member_roles
    from labelml.structures.roles import ROLE_CAPABILITIES
    from labelml.structures.selectors import is_national_admin

    if not user.is_authenticated:
        return []
    S = AuditSuivi.Statut
    related = ("label__structure", "auditeur__user")
    items: list[WorkItem] = []
    answerers = [
        pk
        for pk, role in member_roles(user).items()
        if Capability.ANSWER_SUIVI in ROLE_CAPABILITIES.get(role, frozenset())
    ]
    if answerers:
        for s in (
            AuditSuivi.objects.filter(
                label__structure_id__in=answerers, statut__in=[S.PLANIFIE, S.DOSSIER_EN_COURS]
            )
            .select_related(*related)
            .order_by("date_prevue")
        ):
            items.append(
                WorkItem(
                    "Préparer et transmettre le dossier de l'audit de suivi",
                    reverse("suivis:suivi_detail", args=[s.pk]),
                    due=s.date_prevue,
                    detail=f"{s.label.structure.nom} · label {s.label.numero}",
                    group="Audit de suivi",
                )
            )
    review: dict[str, str] = {
        S.TRANSMIS: "Revoir le dossier de suivi",
        S.EN_REVUE: "Conclure l'audit de suivi",
    }
    for s in (
        AuditSuivi.objects.filter(auditeur__user_id=user.pk, statut__in=list(review))
        .select_related(*related)
        .order_by("date_prevue")
    ):
        items.append(
            WorkItem(
                f"{review[s.statut]} : {s.label.structure.nom}",
                reverse("suivis:suivi_detail", args=[s.pk]),
                due=s.date_prevue,
                detail=f"Label {s.label.numero}",
                group="Audit de suivi",
            )
        )
    if is_national_admin(user):
        unassigned: list[WorkItem] = []
        for s in (
            AuditSuivi.objects.filter(auditeur__isnull=True)
            .exclude(statut=S.CONCLU)
            .select_related(*related)
            .order_by("date_prevue")
        ):
            unassigned.append(
                WorkItem(
                    f"Désigner l'auditeur de l'audit de suivi : {s.label.structure.nom}",
                    reverse("suivis:suivi_assign", args=[s.pk]),
                    due=s.date_prevue,
                    detail=f"Label {s.label.numero} · audit à mi-parcours",
                    group="Administration nationale",
                )
            )
        items += capped(
            unassigned,
            (
                "Et {n} autre audit de suivi sans auditeur",
                "Et {n} autres audits de suivi sans auditeur",
            ),
            reverse("suivis:suivi_list"),
            "Administration nationale",
        )
    return items
