"""Reads of the commission. Votes stay secret until the chair closes the vote."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q

from audits.models import Audit, Constat
from audits.selectors import Comparison, audit_for_dossier, comparison, demande
from audits.selectors import gaps as audit_gaps
from campagnes.models import Dossier, DossierTransition
from campagnes.plans.models import Action
from labelml.accounts.models import User
from labelml.structures.home import WorkItem, capped
from labelml.structures.models import MembreCommission, Structure
from labelml.structures.roles import Capability
from labelml.structures.selectors import is_national_admin
from referentiel.models import Niveau

from .models import PointOrdreDuJour, Seance, Vote


def agenda_dossiers(user: User) -> Q:
    """campagnes.hooks.dossier_scopes: commission members read the dossiers on the agenda of
    the séances they sit on."""
    return Q(
        pk__in=Dossier.objects.filter(
            points_commission__seance__membres__user=user,
            points_commission__seance__membres__actif=True,
        ).values("pk")
    )


def sitting_member(user: User | AnonymousUser, seance: Seance) -> MembreCommission | None:
    """The user's row as an active member sitting at `seance`, or None (kept on the séance
    object: a page or a service asks it again)."""
    memo: dict[Any, MembreCommission | None] = seance.__dict__.setdefault("_sitting", {})
    pk = getattr(user, "pk", None)
    if pk not in memo:
        memo[pk] = seance.membres.filter(user_id=pk or 0, actif=True).first()
    return memo[pk]


def seance_capabilities(user: User | AnonymousUser, seance: Seance) -> frozenset[Capability]:
    """What `user` may do at `seance`: its active members sit (vote, declare a conflict of
    interest: SIT_COMMISSION); its chair closes the votes and records the decisions
    (CHAIR_SEANCE)."""
    caps = {Capability.SIT_COMMISSION} if sitting_member(user, seance) is not None else set()
    if seance.president.user_id == getattr(user, "pk", None):
        caps.add(Capability.CHAIR_SEANCE)
    return frozenset(caps)


def visible_votes(point: PointOrdreDuJour, user: User | AnonymousUser) -> list[Vote]:
    """The individual votes of a dossier: nobody sees them before the vote is closed."""
    if point.vote != PointOrdreDuJour.Vote.CLOS:
        return []
    return list(point.votes.select_related("membre__user"))


def own_vote(point: PointOrdreDuJour, user: User | AnonymousUser) -> Vote | None:
    """A member sees their own vote (to change it) while the vote is open."""
    return point.votes.filter(membre__user_id=getattr(user, "pk", 0) or 0).first()


def labels_expiring(within_days: int = 183) -> Any:
    """Valid labels whose validity ends within about six months: flagged to the UNML."""
    import datetime as dt

    from django.utils import timezone

    from .models import Label

    today = timezone.localdate()
    return (
        Label.objects.filter(
            statut=Label.Statut.VALIDE,
            date_fin__gte=today,
            date_fin__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("structure")
        .order_by("date_fin")
    )


def labels_for(user: User | AnonymousUser) -> Any:
    """The labels `user` may read in the application (beyond the public page): national
    administrators and active commission members, all; others, the labels of the structures
    they may see (their own, their ARML's Missions Locales). Fails closed."""
    from .models import Label

    if not user.is_authenticated or not user.is_active:
        return Label.objects.none()
    if (
        is_national_admin(user)
        or MembreCommission.objects.filter(user_id=user.pk, actif=True).exists()
    ):
        return Label.objects.all()
    return Label.objects.filter(structure__in=Structure.objects.for_user(user).values("pk"))


# The home's worklist (labelml.structures.home.register_worklist) ------------------------------


def worklist(user: User | AnonymousUser) -> list[WorkItem]:
    """What the commission gives the home's "À faire": to its members, the séances to come and
    the dossiers to vote on (or to declare a conflict of interest on); to a séance's chair, the
    votes to close, with how many have voted and whether the quorum is reached, and the
    decisions to record; to the UNML, the dossiers ready for the commission (report validated,
    every gap answered) not yet on an agenda. A fixed number of queries."""
    from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.urls import reverse
    from django.utils import timezone

    from audits.models import GAP_CODES, Audit, Constat

    from . import tally as t
    from .models import Decision, Recusation

    if not user.is_authenticated:
        return []
    items: list[WorkItem] = []
    today = timezone.localdate()

    def lowered(text: str) -> str:
        """« Séance du … » inside a sentence: only its first letter (the place keeps its)."""
        return text[:1].lower() + text[1:]

    def when(seance: Seance) -> str:
        local = timezone.localtime(seance.date)
        return f"Séance du {local:%d/%m/%Y à %Hh%M}" + (f", {seance.lieu}" if seance.lieu else "")

    membre = MembreCommission.objects.filter(user_id=user.pk, actif=True).first()
    if membre is not None:
        for seance in (
            Seance.objects.filter(membres=membre)
            .exclude(statut=Seance.Statut.CLOSE)
            .select_related("president__user")
            .annotate(n_points=Count("points", distinct=True))
            .order_by("date")
        ):
            n = seance.n_points
            chair = seance.president.user_id == user.pk
            day = timezone.localtime(seance.date).date()
            items.append(
                WorkItem(
                    f"{when(seance)} : {n} dossier{'s' if n > 1 else ''} à l'ordre du jour",
                    reverse("commission:seance_detail", args=[seance.pk]),
                    due=day,
                    detail=f"Présidence : {seance.president.user}" + (" (vous)" if chair else ""),
                    group="Commission de labellisation",
                )
            )
            if chair and seance.statut == Seance.Statut.PLANIFIEE and day <= today:
                items.append(
                    WorkItem(
                        f"Ouvrir la {lowered(when(seance))}",
                        reverse("commission:seance_detail", args=[seance.pk]),
                        due=day,
                        detail="Une fois ouverte, la séance n'est plus modifiable.",
                        group="Présidence de séance",
                    )
                )
        recused = Recusation.objects.filter(point_id=OuterRef("pk"), membre=membre)
        voted = Vote.objects.filter(point_id=OuterRef("pk"), membre=membre)
        for point in (
            PointOrdreDuJour.objects.filter(
                seance__membres=membre, vote=PointOrdreDuJour.Vote.OUVERT
            )
            .exclude(seance__statut=Seance.Statut.CLOSE)
            .annotate(recused=Exists(recused), voted=Exists(voted))
            .filter(recused=False, voted=False)
            .select_related("seance", "dossier__structure")
            .order_by("seance__date", "ordre", "pk")
        ):
            day = timezone.localtime(point.seance.date).date()
            # Votes open on the séance's day (services._require_seance_day): before it, the
            # member reads the dossier.
            title = (
                f"Voter sur le dossier {point.dossier.structure.nom}, ou déclarer un conflit "
                "d'intérêts"
                if day <= today
                else f"Préparer le dossier {point.dossier.structure.nom} : vote à partir du "
                f"{day:%d/%m/%Y}"
            )
            items.append(
                WorkItem(
                    title,
                    reverse("commission:point_detail", args=[point.seance_id, point.pk]),
                    due=day,
                    detail=when(point.seance),
                    group="Commission de labellisation",
                )
            )
        members = (
            Seance.objects.filter(pk=OuterRef("seance_id")).annotate(n=Count("membres")).values("n")
        )
        recusals = (
            Recusation.objects.filter(point_id=OuterRef("pk"))
            .values("point_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # Only the votes of members not recused count (as in tally.tally).
        recused_vote = Recusation.objects.filter(
            point_id=OuterRef("point_id"), membre_id=OuterRef("membre_id")
        )
        votes = (
            Vote.objects.filter(point_id=OuterRef("pk"))
            .exclude(Exists(recused_vote))
            .values("point_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        decided = Decision.objects.filter(point_id=OuterRef("pk"))
        for chaired in (
            PointOrdreDuJour.objects.filter(seance__president=membre)
            .exclude(seance__statut=Seance.Statut.CLOSE)
            .annotate(
                n_members=Coalesce(Subquery(members, output_field=IntegerField()), 0),
                n_recused=Coalesce(Subquery(recusals, output_field=IntegerField()), 0),
                n_votes=Coalesce(Subquery(votes, output_field=IntegerField()), 0),
                decided=Exists(decided),
            )
            .filter(decided=False)
            .select_related("seance", "dossier__structure")
            .order_by("seance__date", "ordre", "pk")
        ):
            eligible = chaired.n_members - chaired.n_recused
            quorum = eligible > 0 and chaired.n_votes >= t.quorum_required(
                eligible, chaired.seance.quorum_pourcentage
            )
            count = (
                f"{chaired.n_votes} votant{'s' if chaired.n_votes > 1 else ''} sur {eligible} "
                f"membre{'s' if eligible > 1 else ''} non récusé{'s' if eligible > 1 else ''}, "
                f"quorum {'atteint' if quorum else 'non atteint'}"
            )
            day = timezone.localtime(chaired.seance.date).date()
            if chaired.vote == PointOrdreDuJour.Vote.OUVERT:
                items.append(
                    WorkItem(
                        f"Présider le vote sur {chaired.dossier.structure.nom} et le clore"
                        if day <= today
                        else f"Présider le vote sur {chaired.dossier.structure.nom} le "
                        f"{day:%d/%m/%Y}",
                        reverse("commission:point_detail", args=[chaired.seance_id, chaired.pk]),
                        due=timezone.localdate(chaired.seance.date),
                        detail=f"{when(chaired.seance)} · {count}",
                        group="Présidence de séance",
                    )
                )
            else:
                items.append(
                    WorkItem(
                        f"Enregistrer la décision sur {chaired.dossier.structure.nom}",
                        reverse("commission:point_decide", args=[chaired.seance_id, chaired.pk]),
                        due=timezone.localdate(chaired.seance.date),
                        detail=f"{when(chaired.seance)} · vote clos · {count}",
                        group="Présidence de séance",
                    )
                )
    if is_national_admin(user):
        unanswered = Constat.objects.filter(
            audit__dossier_id=OuterRef("pk"), niveau__code__in=GAP_CODES
        ).exclude(reponse_ecart__envoye_le__isnull=False)
        ready = (
            Dossier.objects.filter(statut=Dossier.Statut.REPONSE_STRUCTURE)
            .filter(Exists(Audit.objects.filter(dossier_id=OuterRef("pk"), statut="valide")))
            .exclude(Exists(unanswered))
            .select_related("structure", "campagne")
            .order_by("structure__nom")
        )
        next_seance = (
            Seance.objects.filter(
                statut=Seance.Statut.PLANIFIEE, date__date__gte=timezone.localdate()
            )
            .order_by("date")
            .first()
        )
        ready_items: list[WorkItem] = []
        for d in ready:
            if next_seance is not None:
                url = reverse("commission:seance_detail", args=[next_seance.pk])
                where = f"prochaine {lowered(when(next_seance))}"
            else:
                url, where = (
                    reverse("commission:seance_create"),
                    "aucune séance à venir : en créer une",
                )
            ready_items.append(
                WorkItem(
                    f"Inscrire à l'ordre du jour de la commission : {d.structure.nom}",
                    url,
                    detail=f"{d.campagne.nom} · rapport validé, écarts répondus · {where}",
                    group="Administration nationale",
                )
            )
        items += capped(
            ready_items,
            (
                "Et {n} autre dossier prêt pour la commission (voir les séances)",
                "Et {n} autres dossiers prêts pour la commission (voir les séances)",
            ),
            reverse("commission:seance_list"),
            "Administration nationale",
        )
    return items


def dossier_deadlines(dossier: Dossier) -> dict[str, tuple[Any, str]]:
    """campagnes.hooks.dossier_deadlines: the séance whose agenda holds the dossier (one query,
    while it is before the commission)."""
    from django.utils import timezone

    if dossier.statut != Dossier.Statut.EN_COMMISSION:
        return {}
    point = (
        PointOrdreDuJour.objects.filter(dossier=dossier, decision__isnull=True)
        .select_related("seance")
        .order_by("seance__date")
        .first()
    )
    if point is None:
        return {}
    return {
        Dossier.Statut.EN_COMMISSION: (
            timezone.localdate(point.seance.date),
            "séance de la commission",
        )
    }


# --- The decision-ready item page -------------------------------------------------------------


@dataclass
class FindingClass:
    """A class of findings (a level of the audit scale) and its criteria."""

    niveau: Niveau | None  # None: not rated
    constats: list[Constat]


@dataclass
class DecisionFile:
    """All a commission member reads before voting on an item, in a fixed number of queries
    whatever the size of the dossier."""

    audit: Audit | None
    comparison: Comparison | None
    classes: list[FindingClass]
    gaps: list[Constat]
    plan_counts: list[tuple[str, int]]
    plan_total: int
    demande: DossierTransition | None


def decision_file(point: PointOrdreDuJour) -> DecisionFile:
    dossier = point.dossier
    audit = audit_for_dossier(dossier)
    comp: Comparison | None = None
    classes: list[FindingClass] = []
    gap_rows: list[Constat] = []
    if audit is not None:
        constats = list(
            audit.constats.select_related("critere", "niveau").order_by("critere__ordre")
        )
        comp = comparison(dossier, audit, constats=constats)
        by_niveau: dict[int | None, FindingClass] = {}
        for c in constats:
            by_niveau.setdefault(c.niveau_id, FindingClass(c.niveau, [])).constats.append(c)
        # The gaps first (the lowest levels), unrated last.
        classes = sorted(
            by_niveau.values(),
            key=lambda k: (k.niveau is None, k.niveau.valeur if k.niveau else 0),
        )
        gap_rows = list(audit_gaps(audit))
    counts = dict(
        Action.objects.filter(plan__dossier=dossier)
        .values_list("statut")
        .annotate(n=Count("pk"))
        .values_list("statut", "n")
    )
    plan_counts = [(str(label), counts.get(value, 0)) for value, label in Action.Statut.choices]
    return DecisionFile(
        audit=audit,
        comparison=comp,
        classes=classes,
        gaps=gap_rows,
        plan_counts=plan_counts,
        plan_total=sum(counts.values()),
        demande=demande(dossier),
    )
