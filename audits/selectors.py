"""Reads of the external audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from campagnes.autoevaluations import charts
from campagnes.autoevaluations.selectors import Progress, SectionStats, dossier_progress
from campagnes.models import Dossier, DossierTransition
from campagnes.selectors import AUDIT_STATES, dossier_capabilities
from labelml.accounts.models import User
from labelml.core.pluriel import pluriel
from labelml.core.transitions import MissingItem
from labelml.structures.home import WorkItem, capped
from labelml.structures.models import Auditeur
from labelml.structures.roles import Capability
from referentiel.models import Critere, Niveau, Section

from .models import GAP_CODES, Audit, Constat


def missions_for_user(user: User | AnonymousUser) -> QuerySet[Audit]:
    """The audits a person works on: as the assigned auditor, or as a lead auditor of the body."""
    from django.db.models import Q

    if not user.is_authenticated:
        return Audit.objects.none()
    return (
        Audit.objects.filter(
            Q(auditeur__user=user)
            | Q(organisme__auditeurs__user=user, organisme__auditeurs__est_referent=True)
        )
        .distinct()
        .select_related("dossier__structure", "dossier__campagne", "auditeur__user", "organisme")
        .order_by("date_debut")
    )


def audit_capabilities(user: User | AnonymousUser, dossier: Dossier) -> set[Capability]:
    """What the audit assignment gives: the assigned auditor records findings, the lead
    auditors of the body review the report. Both read the dossier.

    Kept on the dossier object, per user: a request asks it several times (scope, view,
    service) of the dossier it fetched once. Registered as `campagnes.hooks.dossier_grants`."""
    if dossier.statut not in AUDIT_STATES or not user.is_authenticated:
        return set()
    memo: dict[int, frozenset[Capability]] = dossier.__dict__.setdefault("_audit_caps", {})
    if user.pk in memo:
        return set(memo[user.pk])
    # One query: the audit's assigned auditor and whether the user leads its body.
    row = (
        Audit.objects.filter(dossier=dossier)
        .annotate(
            is_lead=Exists(
                Auditeur.objects.filter(
                    organisme_id=OuterRef("organisme_id"), user=user, est_referent=True
                )
            )
        )
        .values("auditeur__user_id", "is_lead")
        .first()
    )
    caps: set[Capability] = set()
    if row is None:
        memo[user.pk] = frozenset()
        return caps
    if row["auditeur__user_id"] == user.pk:
        caps |= {Capability.VIEW, Capability.RECORD_FINDINGS}
    # A lead auditor never reviews a report of their own.
    elif row["is_lead"]:
        caps |= {Capability.VIEW, Capability.REVIEW_AUDIT}
    memo[user.pk] = frozenset(caps)
    return caps


def assignment_capabilities(user: User | AnonymousUser, audit: Audit) -> frozenset[Capability]:
    """What the audit row gives, whatever the dossier's state and without a query: its auditor
    conducts it (starts it, submits the report, keeps the mission's pages once it is locked)."""
    if audit.auditeur.user_id == getattr(user, "pk", None):
        return frozenset({Capability.CONDUCT_AUDIT})
    return frozenset()


def mission_capabilities(
    user: User | AnonymousUser, dossier: Dossier, audit: Audit
) -> frozenset[Capability]:
    """The dossier's capabilities (the lead auditors review, the assigned auditor records while
    the audit runs) and the assignment's."""
    return dossier_capabilities(user, dossier) | assignment_capabilities(user, audit)


def reviewed_dossiers(user: User) -> Q:
    """campagnes.hooks.dossier_scopes: the lead auditors of a body see the audits of their body,
    to review them."""
    return Q(
        pk__in=Dossier.objects.filter(
            audit__organisme__auditeurs__user=user, audit__organisme__auditeurs__est_referent=True
        ).values("pk")
    )


def report_missing_items(audit: Audit) -> list[MissingItem]:
    """What stops the auditor from submitting: a level on every criterion, an observation on
    every gap, and the report's opening (strengths) and recommendation."""
    base = reverse("audits:audit_overview", args=[audit.dossier_id])
    out: list[MissingItem] = []
    for c in audit.constats.select_related("critere", "niveau").order_by("critere__ordre"):
        url = reverse("audits:audit_critere", args=[audit.dossier_id, c.critere.code])
        if c.niveau_id is None:
            out.append(
                MissingItem(
                    f"Critère {c.critere.code} : constat à renseigner", url, words=c.critere.titre
                )
            )
        elif c.niveau and c.niveau.code in GAP_CODES and not c.observation.strip():
            out.append(
                MissingItem(
                    f"Critère {c.critere.code} : l'écart doit être motivé",
                    url,
                    words=c.critere.titre,
                )
            )
    if not audit.points_forts.strip():
        out.append(MissingItem("Rapport : les points forts ouvrent le rapport", f"{base}#global"))
    if not audit.recommandation:
        out.append(MissingItem("Rapport : recommandation à choisir", f"{base}#global"))
    return out


def gap_deadline(audit: Audit) -> dt.date | None:
    """The structure answers the gaps within the campaign's delay after validation, or by the
    later day a UNML administrator granted."""
    if audit.valide_le is None:
        return None
    # The validation day as lived in France, not the UTC date of the timestamp.
    validated = timezone.localdate(audit.valide_le)
    deadline = validated + dt.timedelta(days=audit.dossier.campagne.delai_reponse_jours)
    return max(deadline, audit.echeance_ecarts_prolongee or deadline)


def gaps(audit: Audit) -> QuerySet[Constat]:
    return (
        audit.constats.filter(niveau__code__in=GAP_CODES)
        .select_related("critere", "niveau", "reponse_ecart", "reponse_ecart__action_plan")
        .order_by("critere__ordre")
    )


def audit_for_dossier(dossier: Dossier) -> Audit | None:
    return (
        Audit.objects.filter(dossier=dossier)
        .select_related("auditeur__user", "organisme", "valide_par")
        .first()
    )


# Self-assessment vs audit ----------------------------------------------------------------------


@dataclass
class CritereComparison:
    critere: Critere
    auto: Decimal | None  # mean self-assessment level of the criterion
    auto_pct: int | None  # the same in % of the self-assessment scale's maximum
    constat: Constat | None
    audit_pct: int | None  # the audit level in % of the audit scale's maximum


@dataclass
class SectionComparison:
    stats: SectionStats
    auto: Decimal | None  # % of the maximum
    audit: Decimal | None  # % of the maximum

    @property
    def section(self) -> Section:
        return self.stats.section


@dataclass
class Comparison:
    progress: Progress
    rows: list[CritereComparison]
    sections: list[SectionComparison]  # leaf sections, the axes of the radar
    radar: SafeString


def _scale_maxima(dossier: Dossier) -> tuple[Decimal, Decimal]:
    referentiel = dossier.campagne.referentiel
    maxima = {
        row["echelle_id"]: row["m"]
        for row in Niveau.objects.filter(
            echelle_id__in=[referentiel.echelle_autoevaluation_pk, referentiel.echelle_audit_pk]
        )
        .values("echelle_id")
        .annotate(m=Max("valeur"))
    }
    return maxima[referentiel.echelle_autoevaluation_pk], maxima[referentiel.echelle_audit_pk]


def _pct(value: Decimal | None, maximum: Decimal) -> Decimal | None:
    return 100 * value / maximum if value is not None else None


def comparison(
    dossier: Dossier,
    audit: Audit,
    *,
    progress: Progress | None = None,
    constats: Iterable[Constat] | None = None,
    font_family: str = "",
) -> Comparison:
    """Self-assessment vs audit finding, per criterion and per leaf section, both on a 0–100
    scale since the two scales differ. A section's audit value is the mean level of its rated
    findings. Callers that already hold the progress or the findings (with their level) pass
    them; otherwise 2 + 4 queries."""
    auto_max, audit_max = _scale_maxima(dossier)
    if progress is None:
        progress = dossier_progress(dossier)
    if constats is None:
        constats = audit.constats.select_related("niveau")
    by_critere = {c.critere_id: c for c in constats}

    def audit_value(constat: Constat | None) -> Decimal | None:
        if constat is None or constat.niveau is None:
            return None
        return constat.niveau.valeur

    rows = []
    for st in progress.criteres:
        constat = by_critere.get(st.critere.pk)
        auto_pct, audit_pct = _pct(st.score, auto_max), _pct(audit_value(constat), audit_max)
        rows.append(
            CritereComparison(
                critere=st.critere,
                auto=st.score,
                auto_pct=round(auto_pct) if auto_pct is not None else None,
                constat=constat,
                audit_pct=round(audit_pct) if audit_pct is not None else None,
            )
        )
    sections = []
    for leaf in progress.leaf_sections():
        values = [
            v
            for v in (audit_value(by_critere.get(st.critere.pk)) for st in leaf.criteres)
            if v is not None
        ]
        audit_mean = sum(values, Decimal(0)) / len(values) if values else None
        sections.append(
            SectionComparison(leaf, _pct(leaf.score, auto_max), _pct(audit_mean, audit_max))
        )
    radar = charts.radar_svg(
        [s.section.code for s in sections],
        [
            ("Auto-évaluation", [s.auto for s in sections], "#1d3f72"),
            ("Évaluation externe", [s.audit for s in sections], "#b45309"),
        ],
        max_value=100,
        title="Auto-évaluation et évaluation externe par partie (en % du maximum)",
        font_family=font_family,
    )
    return Comparison(progress=progress, rows=rows, sections=sections, radar=radar)


# The home's worklist (labelml.structures.home.register_worklist) ------------------------------

# A submitted report waits this long for its review; after that the UNML sees it as waiting too
# long (and the lead auditor's line shows the date passed).
REVIEW_WITHIN_DAYS = 15


def _fr(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def worklist(user: User | AnonymousUser) -> list[WorkItem]:
    """What the external audit gives the home's "À faire": the auditor's missions, with their
    days on site and their next step; the reports a lead auditor has to review; the gaps the
    direction has to answer, with their deadline; to the UNML, the audits to plan and the
    reports waiting too long for their review. A fixed number of queries."""
    from campagnes.selectors import member_roles
    from labelml.structures.roles import ROLE_CAPABILITIES
    from labelml.structures.selectors import is_national_admin

    if not user.is_authenticated:
        return []
    items: list[WorkItem] = []
    related = ("dossier__structure", "dossier__campagne", "auditeur__user", "organisme")
    # The auditor's missions (and her reports under review).
    # Through the user's relation, which keeps the row (or its absence) for the home page.
    try:
        auditeur: Auditeur | None = user.auditeur
    except Auditeur.DoesNotExist:
        auditeur = None
    if auditeur is not None:
        next_step: dict[str, str] = {
            Audit.Statut.PLANIFIE: "Préparer et démarrer l'évaluation externe",
            Audit.Statut.EN_COURS: "Renseigner les constats et rédiger le rapport",
            Audit.Statut.A_REVOIR: "Reprendre le rapport renvoyé par l'auditeur référent",
        }
        for a in (
            Audit.objects.filter(auditeur=auditeur, statut__in=list(next_step))
            .select_related(*related)
            .order_by("date_debut")
        ):
            items.append(
                WorkItem(
                    f"{next_step[a.statut]} : {a.dossier.structure.nom}",
                    reverse("audits:audit_overview", args=[a.dossier_id]),
                    due=a.date_debut if a.statut == Audit.Statut.PLANIFIE else a.date_fin,
                    detail=f"Sur site du {_fr(a.date_debut)} au {_fr(a.date_fin)}"
                    + (f" · {a.sites}" if a.sites else ""),
                    group="Missions d'évaluation",
                )
            )
        if auditeur.est_referent:
            for a in (
                Audit.objects.filter(organisme_id=auditeur.organisme_id, statut=Audit.Statut.SOUMIS)
                .exclude(auditeur=auditeur)
                .select_related(*related)
                .order_by("soumis_le")
            ):
                submitted = timezone.localdate(a.soumis_le) if a.soumis_le else None
                items.append(
                    WorkItem(
                        f"Relire le rapport d'évaluation : {a.dossier.structure.nom}",
                        reverse("audits:audit_review", args=[a.dossier_id]),
                        due=submitted + dt.timedelta(days=REVIEW_WITHIN_DAYS)
                        if submitted
                        else None,
                        detail=f"Rapport de {a.auditeur.user}"
                        + (f", soumis le {_fr(submitted)}" if submitted else ""),
                        group="Relecture des rapports",
                    )
                )
    # The direction answers the gaps of a validated report.
    answerers = [
        pk
        for pk, role in member_roles(user).items()
        if Capability.ANSWER_CONSTATS in ROLE_CAPABILITIES.get(role, frozenset())
    ]
    if answerers:
        for a in (
            Audit.objects.filter(
                dossier__structure_id__in=answerers,
                dossier__statut=Dossier.Statut.REPONSE_STRUCTURE,
            )
            .select_related("dossier__structure", "dossier__campagne")
            .annotate(open_gaps=open_gaps_count())
            .filter(open_gaps__gt=0)
        ):
            n = a.open_gaps
            items.append(
                WorkItem(
                    f"Répondre aux écarts de l'évaluation externe ({n} sans réponse)",
                    reverse("audits:audit_gaps", args=[a.dossier_id]),
                    due=gap_deadline(a),
                    detail=f"{a.dossier.structure.nom} · {a.dossier.campagne.nom}",
                    group="Évaluation externe",
                )
            )
    if is_national_admin(user):
        asked = Max(
            "transitions__at",
            filter=Q(transitions__to_state=Dossier.Statut.AUDIT_A_PLANIFIER),
        )
        to_plan: list[WorkItem] = []
        for d in (
            Dossier.objects.filter(statut=Dossier.Statut.AUDIT_A_PLANIFIER)
            .select_related("structure", "campagne")
            .annotate(asked=asked)
            .order_by("asked", "pk")
        ):
            to_plan.append(
                WorkItem(
                    f"Planifier l'évaluation externe : {d.structure.nom}",
                    reverse("audits:audit_assign", args=[d.pk]),
                    detail=d.campagne.nom
                    + (f" · demandée le {_fr(timezone.localdate(d.asked))}" if d.asked else ""),
                    group="Administration nationale",
                )
            )
        items += capped(
            to_plan,
            (
                "Et {n} autre évaluation externe à planifier (voir les campagnes)",
                "Et {n} autres évaluations externes à planifier (voir les campagnes)",
            ),
            reverse("campagnes:campagne_list"),
            "Administration nationale",
        )
        too_old = timezone.now() - dt.timedelta(days=REVIEW_WITHIN_DAYS)
        waiting: list[WorkItem] = []
        for a in (
            Audit.objects.filter(statut=Audit.Statut.SOUMIS, soumis_le__lt=too_old)
            .select_related(*related)
            .order_by("soumis_le")
        ):
            submitted = timezone.localdate(a.soumis_le)
            waiting.append(
                WorkItem(
                    f"Rapport en attente de relecture depuis le {_fr(submitted)} : "
                    f"{a.dossier.structure.nom}",
                    reverse("audits:audit_overview", args=[a.dossier_id]),
                    due=submitted + dt.timedelta(days=REVIEW_WITHIN_DAYS),
                    detail=f"{a.organisme} · auditeur {a.auditeur.user} : relancer l'auditeur "
                    "référent de l'organisme",
                    group="Administration nationale",
                )
            )
        items += capped(
            waiting,
            (
                "Et {n} autre rapport en attente de relecture (voir les campagnes)",
                "Et {n} autres rapports en attente de relecture (voir les campagnes)",
            ),
            reverse("campagnes:campagne_list"),
            "Administration nationale",
        )
        # Gaps left without an answer past their deadline: the dossier cannot reach the
        # commission unless the UNML gives more time (services.extend_gap_deadline).
        for a in (
            Audit.objects.filter(
                statut=Audit.Statut.VALIDE, dossier__statut=Dossier.Statut.REPONSE_STRUCTURE
            )
            .select_related("dossier__structure", "dossier__campagne")
            .annotate(open_gaps=open_gaps_count())
            .filter(open_gaps__gt=0)
            .order_by("valide_le")
        ):
            deadline = gap_deadline(a)
            if deadline is not None and timezone.localdate() > deadline:
                items.append(
                    WorkItem(
                        f"Délai de réponse aux écarts dépassé : {a.dossier.structure.nom}",
                        reverse("audits:audit_gaps", args=[a.dossier_id]),
                        due=deadline,
                        detail=pluriel(
                            a.open_gaps,
                            "{n} écart sans réponse envoyée · prolonger le délai",
                            "{n} écarts sans réponse envoyée · prolonger le délai",
                        ),
                        group="Administration nationale",
                    )
                )
    return items


def open_gaps_count() -> Count:
    """Per audit: its gaps whose answer is not sent."""
    return Count(
        "constats",
        filter=Q(constats__niveau__code__in=GAP_CODES)
        & (
            Q(constats__reponse_ecart__isnull=True)
            | Q(constats__reponse_ecart__envoye_le__isnull=True)
        ),
    )


def dossier_deadlines(dossier: Dossier) -> dict[str, tuple[dt.date, str]]:
    """campagnes.hooks.dossier_deadlines: the days on site and the deadline of the answers to
    the gaps (one query, while the audit is ahead or running)."""
    if dossier.statut not in (
        Dossier.Statut.AUDIT_PLANIFIE,
        Dossier.Statut.AUDIT_EN_COURS,
        Dossier.Statut.REPONSE_STRUCTURE,
    ):
        return {}
    audit = Audit.objects.filter(dossier=dossier).first()
    if audit is None:
        return {}
    out: dict[str, tuple[dt.date, str]] = {
        Dossier.Statut.AUDIT_PLANIFIE: (audit.date_debut, "premier jour sur site"),
        Dossier.Statut.AUDIT_EN_COURS: (audit.date_fin, "dernier jour sur site"),
    }
    audit.dossier = dossier
    deadline = gap_deadline(audit)
    if deadline is not None:
        out[Dossier.Statut.REPONSE_STRUCTURE] = (deadline, "réponse aux écarts attendue")
    return out


# The structure's demande de labellisation -----------------------------------------------------

DEMANDE_ACTION = "demande_labellisation"
EXTENSION_ACTION = "prolonger_delai_ecarts"
# How far an administrator may push the gaps' deadline, from today.
EXTENSION_MAX_DAYS = 180


def unanswered_gaps(audit: Audit) -> list[Constat]:
    """The gaps of `audit` whose answer is not sent yet."""
    return list(
        audit.constats.filter(niveau__code__in=GAP_CODES)
        .exclude(reponse_ecart__envoye_le__isnull=False)
        .select_related("critere")
        .order_by("critere__ordre")
    )


def _current_demandes(dossier: Any) -> QuerySet[DossierTransition]:
    """Demandes of the dossier's current cycle: an adjournment sends the dossier back to its
    plan, and a new demande is needed after it."""
    return DossierTransition.objects.filter(
        dossier=dossier, subject="dossier", action=DEMANDE_ACTION
    ).exclude(
        Exists(
            DossierTransition.objects.filter(
                dossier=OuterRef("dossier"), action="decision_ajourne", at__gt=OuterRef("at")
            )
        )
    )


def demande_filed_q() -> Q:
    """A condition on Dossier: its direction filed the demande de labellisation."""
    return Q(Exists(_current_demandes(OuterRef("pk"))))


def demande_filed(dossier: Dossier) -> bool:
    return _current_demandes(dossier).exists()


def demande(dossier: Dossier) -> DossierTransition | None:
    """The journal row of the demande, with its author."""
    return _current_demandes(dossier).select_related("actor").order_by("-at").first()
