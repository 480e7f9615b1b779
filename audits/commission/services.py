"""Writes of the commission: séances, agenda, conflicts of interest, votes and decisions; the
label's life after the decision (suspension, lifting of a suspension, withdrawal)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from audits.models import Audit, Constat
from audits.selectors import demande_filed
from campagnes.models import VALIDITE_MAX, Campagne, Dossier, DossierTransition
from campagnes.plans.models import Action
from campagnes.plans.services import add_followup_action
from campagnes.workflow import locked_dossier, log_step, move, require_capability, require_state
from labelml.accounts.models import User
from labelml.core.autosave import MAX_TEXT, clean_text
from labelml.core.pluriel import pluriel
from labelml.core.transitions import JournalTable, TransitionError, Workflow
from labelml.core.types import Actor
from labelml.notifications.services import notify_national_admins, notify_structure
from labelml.structures.models import Membership, MembreCommission
from labelml.structures.roles import Capability
from labelml.structures.selectors import is_national_admin

from . import tally as t
from .models import (
    CompteurCertificat,
    Decision,
    Label,
    PointOrdreDuJour,
    Recusation,
    Seance,
    Vote,
)
from .selectors import seance_capabilities, sitting_member


@transaction.atomic
def create_seance(
    *,
    actor: User,
    date: dt.datetime,
    president: MembreCommission,
    membres: list[MembreCommission],
    lieu: str = "",
    quorum_pourcentage: int = 50,
) -> Seance:
    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs UNML organisent les séances.")
    if not 0 <= quorum_pourcentage <= 99:
        raise ValidationError("Le quorum est un pourcentage entre 0 et 99.")
    seance = Seance.objects.create(
        date=date, lieu=lieu, president=president, quorum_pourcentage=quorum_pourcentage
    )
    seance.membres.set({*membres, president})
    return seance


@transaction.atomic
def add_to_agenda(
    *, actor: User, seance: Seance, dossier: Dossier, rapporteur: MembreCommission | None = None
) -> PointOrdreDuJour:
    """Place the dossier on the agenda and recuse, automatically, the members who belong to the
    structure or to its ARML. Under the séance's lock: its state is read at the moment of the
    act, and two dossiers added at once get distinct places."""
    seance = SEANCE.lock(seance.pk)
    if seance.statut == Seance.Statut.CLOSE:
        raise ValidationError("La séance est close.")
    pending = (
        PointOrdreDuJour.objects.filter(dossier=dossier, decision__isnull=True)
        .exclude(vote=PointOrdreDuJour.Vote.SANS_QUORUM)
        .exclude(seance=seance)
    )
    if pending.exists():
        raise ValidationError(
            "Le dossier est déjà inscrit à l'ordre du jour d'une autre séance, où il attend "
            "son vote."
        )
    place_on_agenda(dossier, actor)
    point, _ = PointOrdreDuJour.objects.get_or_create(
        seance=seance,
        dossier=dossier,
        defaults={"rapporteur": rapporteur, "ordre": seance.points.count() + 1},
    )
    _recuse_conflicted(point)
    return point


def _conflicted_user_ids(point: PointOrdreDuJour) -> set[int]:
    """The users who belong, now, to the dossier's structure or to its ARML (SPEC §2: they never
    vote on its dossier). Read at the moment of the act, not only when the agenda was set."""
    dossier = point.dossier
    structures = [pk for pk in (dossier.structure_id, dossier.structure.parent_id) if pk]
    return set(
        Membership.objects.filter(structure_id__in=structures).values_list("user_id", flat=True)
    )


AUTO_RECUSAL = "Membre de la structure ou de son ARML (récusation automatique)"


def _recuse_conflicted_members(point: PointOrdreDuJour) -> set[int]:
    """Under the point's row lock: recuse the séance's members who belong now to the structure
    or its ARML (a member who joined after the agenda was set) and drop their votes, which never
    count. Returns the user ids of every recused member of the point."""
    conflicted = _conflicted_user_ids(point)
    recused = set(point.recusations.values_list("membre_id", flat=True))
    Recusation.objects.bulk_create(
        [
            Recusation(point=point, membre_id=pk, automatique=True, motif=AUTO_RECUSAL)
            for pk in point.seance.membres.filter(user_id__in=conflicted)
            .exclude(pk__in=recused)
            .values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )
    Vote.objects.filter(point=point, membre__user_id__in=conflicted).delete()
    return set(point.recusations.values_list("membre__user_id", flat=True))


def _locked_point(point: PointOrdreDuJour) -> PointOrdreDuJour:
    return (
        PointOrdreDuJour.objects.select_for_update(of=("self",))
        .select_related("seance__president", "dossier__campagne", "dossier__structure")
        .get(pk=point.pk)
    )


def _require_seance_day(point: PointOrdreDuJour, what: str) -> None:
    """Votes and decisions are taken from the séance's day, and never once it is closed."""
    if point.seance.statut == Seance.Statut.CLOSE:
        raise ValidationError(f"La séance est close : {what} n'est plus possible.")
    day = timezone.localtime(point.seance.date).date()
    if timezone.localdate() < day:
        raise ValidationError(
            f"La séance est fixée au {day:%d/%m/%Y} : {what} n'est pas possible avant cette date."
        )


def _require_sitting_member(user: User, point: PointOrdreDuJour) -> MembreCommission:
    if Capability.SIT_COMMISSION not in seance_capabilities(user, point.seance):
        raise PermissionDenied("Vous ne siégez pas à cette séance.")
    return cast(MembreCommission, sitting_member(user, point.seance))


@transaction.atomic
def declare_conflict(*, point: PointOrdreDuJour, user: User, motif: str) -> Recusation:
    # Under the point's lock, as the vote and its closing: a page shown before the closing
    # cannot withdraw a vote from a closed count.
    point = _locked_point(point)
    membre = _require_sitting_member(user, point)
    if point.vote != PointOrdreDuJour.Vote.OUVERT:
        raise ValidationError("Le vote est clos.")
    motif = (motif or "").strip() or "Conflit d'intérêts déclaré"
    recusation, _ = Recusation.objects.get_or_create(
        point=point, membre=membre, defaults={"motif": motif[:300]}
    )
    # A recused member's earlier vote no longer exists.
    Vote.objects.filter(point=point, membre=membre).delete()
    return recusation


def cast_vote(*, point: PointOrdreDuJour, user: User, choix: str) -> Vote:
    """A member votes once per dossier and may change the vote until the chair closes it. The
    conflict of interest is checked now, under the point's lock: a member who joined the
    structure (or its ARML) since the agenda was set is recused at this moment (the recusal is
    kept) and the vote is refused."""
    newly_recused = False
    with transaction.atomic():
        point = _locked_point(point)
        membre = _require_sitting_member(user, point)
        if point.vote != PointOrdreDuJour.Vote.OUVERT:
            raise ValidationError("Le vote est clos : il ne peut plus changer.")
        already = Recusation.objects.filter(point=point, membre=membre).exists()
        if not already and user.pk in _recuse_conflicted_members(point):
            newly_recused = True
        elif already:
            raise PermissionDenied("Vous êtes récusé(e) pour ce dossier.")
        else:
            _require_seance_day(point, "le vote")
            if choix not in t.CHOICES:
                raise ValidationError("Choix de vote inconnu.")
            vote, _ = Vote.objects.update_or_create(
                point=point, membre=membre, defaults={"choix": choix}
            )
            return vote
    # Outside the block: the recusal is committed with the refusal.
    assert newly_recused
    raise PermissionDenied(
        "Vous êtes membre de la structure de ce dossier ou de son ARML : vous êtes récusé(e) "
        "et ne pouvez pas voter sur ce dossier."
    )


def current_tally(point: PointOrdreDuJour) -> t.Tally:
    return t.tally(
        point.seance.membres.values_list("pk", flat=True),
        point.recusations.values_list("membre_id", flat=True),
        dict(point.votes.values_list("membre_id", "choix")),
        point.seance.quorum_pourcentage,
    )


def require_chair(user: User, point: PointOrdreDuJour) -> None:
    """The chair acts on a dossier only when not recused on it (a declared conflict, an
    automatic recusal, or a membership of the structure or its ARML checked now)."""
    if Capability.CHAIR_SEANCE not in seance_capabilities(user, point.seance):
        raise PermissionDenied("Seul(e) le (la) président(e) de séance clôt les votes et décide.")
    if Recusation.objects.filter(
        point=point, membre__user_id=user.pk
    ).exists() or user.pk in _conflicted_user_ids(point):
        raise PermissionDenied(
            "Vous êtes récusé(e) pour ce dossier (conflit d'intérêts) : vous ne pouvez ni clore "
            "le vote ni enregistrer la décision."
        )


@transaction.atomic
def close_vote(*, point: PointOrdreDuJour, user: User) -> t.Tally:
    point = _locked_point(point)
    require_chair(user, point)
    if point.vote != PointOrdreDuJour.Vote.OUVERT:
        raise ValidationError("Le vote est déjà clos.")
    _require_seance_day(point, "la clôture du vote")
    _recuse_conflicted_members(point)
    result = current_tally(point)
    # Without quorum, no decision: the item goes back to the agenda (_back_to_agenda).
    point.vote = PointOrdreDuJour.Vote.CLOS if result.quorum else PointOrdreDuJour.Vote.SANS_QUORUM
    point.clos_le = timezone.now()
    point.save(update_fields=["vote", "clos_le"])
    if not result.quorum:
        _back_to_agenda(point, user, result)
    return result


def _open_major_gap(dossier: Dossier) -> bool:
    """A major gap stays open until a later audit lifts it: the structure's answer (a corrective
    action) goes to the commission but does not close it."""
    return Constat.objects.filter(audit__dossier=dossier, niveau__code="ecart_majeur").exists()


def _reserve_criteres(dossier: Dossier) -> list[Any]:
    """The criteria a reservation is about: those with gaps, else those with improvement tracks,
    else the first criterion (a follow-up action is always tied to the référentiel)."""
    for codes in (("ecart_majeur", "ecart_mineur"), ("piste_de_progres",)):
        found = [
            c.critere
            for c in Constat.objects.filter(
                audit__dossier=dossier, niveau__code__in=codes
            ).select_related("critere")
        ]
        if found:
            return found
    return list(dossier.campagne.referentiel.criteres.order_by("ordre")[:1])


def next_certificate_number(year: int) -> str:
    """The next number of `year`, from its counter row taken under a row lock (held until the
    decision's transaction ends): unique and gapless under simultaneous decisions. Numbers
    written by other means (the demonstration data) are never given again."""
    prefix = f"LML-{year}-"
    with transaction.atomic():
        CompteurCertificat.objects.get_or_create(annee=year)
        counter = CompteurCertificat.objects.select_for_update().get(annee=year)
        highest = (
            Label.objects.filter(numero__startswith=prefix)
            .order_by("-numero")
            .values_list("numero", flat=True)
            .first()
        )
        last = max(counter.dernier, int(highest.removeprefix(prefix)) if highest else 0)
        counter.dernier = last + 1
        counter.save(update_fields=["dernier"])
    return f"{prefix}{counter.dernier:05d}"


def label_period(dossier: Dossier, today: dt.date) -> tuple[dt.date, dt.date]:
    """The validity of the label granted to `dossier` on `today`: the campaign's validity
    (default 3 years). A renewal decided while the structure's label is still valid follows it
    without a gap (from the day after it ends); otherwise it starts on the decision day. A
    suspended or withdrawn label is not in force: it does not delay the new one."""
    current = (
        Label.objects.filter(
            structure_id=dossier.structure_id, statut=Label.Statut.VALIDE, date_fin__gte=today
        )
        .order_by("-date_fin")
        .first()
    )
    start = current.date_fin + dt.timedelta(days=1) if current else today
    years = dossier.campagne.validite_label_annees
    if not 1 <= years <= VALIDITE_MAX:
        raise ValidationError(
            f"La durée de validité du label de la campagne ({years} ans) doit être comprise "
            f"entre 1 et {VALIDITE_MAX} ans : corrigez la campagne avant de décider."
        )
    try:
        end = start.replace(year=start.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return start, end


@transaction.atomic
def decide(*, point: PointOrdreDuJour, user: User, motivation: str) -> Decision:
    """The chair records the outcome of the closed vote with its motivation. No quorum, no
    decision. An open major gap forbids `labellise` when the campaign says so."""
    point = _locked_point(point)
    require_chair(user, point)
    if point.vote == PointOrdreDuJour.Vote.SANS_QUORUM:
        raise ValidationError(
            "Quorum non atteint : pas de décision. Rouvrez le vote ou inscrivez le dossier "
            "à l'ordre du jour d'une prochaine séance."
        )
    if point.vote != PointOrdreDuJour.Vote.CLOS:
        raise ValidationError("Clôturez d'abord le vote.")
    _require_seance_day(point, "la décision")
    if Decision.objects.filter(point=point).exists():
        raise ValidationError("La décision est déjà enregistrée.")
    motivation = (motivation or "").strip()
    if not motivation:
        raise ValidationError("La motivation de la décision est obligatoire.")
    _recuse_conflicted_members(point)
    result = current_tally(point)
    if not result.quorum or result.outcome is None:
        required = t.quorum_required(result.eligible, point.seance.quorum_pourcentage)
        raise ValidationError(
            "Quorum non atteint ("
            + pluriel(result.participants, "{n} votant", "{n} votants")
            + " sur "
            + pluriel(result.eligible, "{n} membre non récusé", "{n} membres non récusés")
            + f", {required} requis) : pas de décision."
        )
    dossier = point.dossier
    outcome = result.outcome
    if (
        outcome == t.LABELLISE
        and dossier.campagne.ecart_majeur_bloquant
        and _open_major_gap(dossier)
    ):
        outcome = t.LABELLISE_SOUS_RESERVE
        motivation += (
            "\n\nUn écart majeur reste ouvert : « labellisé » est exclu par la règle "
            "de la campagne, le label est accordé sous réserve."
        )
    decision = Decision.objects.create(
        point=point,
        dossier=dossier,
        resultat=outcome,
        motivation=motivation,
        decompte={
            "counts": result.counts,
            "eligible": result.eligible,
            "participants": result.participants,
        },
        decide_par=user,
    )
    record_decision(dossier, user, outcome, motivation)
    if outcome in (t.LABELLISE, t.LABELLISE_SOUS_RESERVE):
        today = timezone.localdate()
        start, end = label_period(dossier, today)
        Label.objects.create(
            structure=dossier.structure,
            decision=decision,
            numero=next_certificate_number(today.year),
            date_debut=start,
            date_fin=end,
            reserves=motivation if outcome == t.LABELLISE_SOUS_RESERVE else "",
        )
        if outcome == t.LABELLISE_SOUS_RESERVE:
            add_followup_action(
                dossier=dossier,
                titre="Lever les réserves de la commission",
                criteres=_reserve_criteres(dossier),
                origine="reserve",
                echeance=today + dt.timedelta(days=180),
                description=motivation,
                actor=user,
            )
    notify_structure(
        dossier,
        titre=f"Décision de la commission : {decision.get_resultat_display()}",
        message=motivation,
        include_arml=True,
    )
    return decision


# --- The label's life: suspension, lifting of the suspension, withdrawal (SPEC §7b) ----------
#
# Who decides follows the rule of the label's campaign (`Campagne.retrait_par`):
# - "unml": the national administrators;
# - "commission": the commission decides; its decision is recorded by a séance chair (an active
#   commission member who chairs or chaired a séance and belongs neither to the structure nor to
#   its ARML) or by a national administrator (the commission's secretariat).
# Each change is one transaction with a row lock on the label, writes a journal row and
# notifies the structure (its ARML too) and the national administrators; the notification
# e-mails leave after commit. The public registry and verification page read the label's
# status on each request, so they reflect the change at once.


def may_change_label_status(user: User | AnonymousUser, label: Label) -> bool:
    """May `user` suspend, reinstate or withdraw `label` under its campaign's rule?"""
    if not user.is_authenticated:
        return False
    if is_national_admin(user):
        return True
    rule = label.decision.dossier.campagne.retrait_par
    if rule != Campagne.RetraitPar.COMMISSION:
        return False
    if not Seance.objects.filter(president__user_id=user.pk, president__actif=True).exists():
        return False
    structure = label.structure
    conflicted = [pk for pk in (structure.pk, structure.parent_id) if pk]
    return not Membership.objects.filter(user=user, structure_id__in=conflicted).exists()


def _require_label_actor(user: User, label: Label) -> None:
    if may_change_label_status(user, label):
        return
    if label.decision.dossier.campagne.retrait_par == Campagne.RetraitPar.UNML:
        raise PermissionDenied(
            "Selon la règle de la campagne, seuls les administrateurs UNML suspendent, "
            "rétablissent ou retirent ce label."
        )
    raise PermissionDenied(
        "Seul(e) un(e) président(e) de séance de la commission, sans lien avec la structure, "
        "ou un administrateur UNML enregistre la suspension, le rétablissement ou le retrait "
        "de ce label."
    )


# The engine locks, moves and journals; the label's checks raise ValidationError (below).
LABEL = Workflow(
    Label,
    "statut",
    "le label",
    JournalTable(DossierTransition, "label", "statut", dossier="decision.dossier_id"),
    related=("structure", "decision__dossier__campagne"),
)

_STATUS_CHANGES: dict[str, tuple[tuple[str, ...], str, str]] = {
    # action: (allowed from, to, verb for the messages)
    Label.Action.SUSPENSION: ((Label.Statut.VALIDE,), Label.Statut.SUSPENDU, "suspendu"),
    Label.Action.RETABLISSEMENT: (
        (Label.Statut.SUSPENDU,),
        Label.Statut.VALIDE,
        "rétabli",
    ),
    Label.Action.RETRAIT: (
        (Label.Statut.VALIDE, Label.Statut.SUSPENDU),
        Label.Statut.RETIRE,
        "retiré",
    ),
}


def _change_label_status(*, actor: User, label: Label, motivation: str, action: str) -> Label:
    allowed, to, verb = _STATUS_CHANGES[action]
    with transaction.atomic():
        label = LABEL.lock(label.pk)
        _require_label_actor(actor, label)
        today = timezone.localdate()
        if label.statut == Label.Statut.RETIRE:
            raise ValidationError("Ce label a été retiré : le retrait est définitif.")
        if label.statut not in allowed:
            if action == Label.Action.SUSPENSION:
                raise ValidationError("Ce label est déjà suspendu.")
            raise ValidationError("Ce label n'est pas suspendu : il n'y a rien à lever.")
        if action != Label.Action.RETABLISSEMENT and today > label.date_fin:
            raise ValidationError(
                f"Ce label a expiré le {label.date_fin:%d/%m/%Y} : il ne peut plus être {verb}."
            )
        motivation = (motivation or "").strip()
        if not motivation:
            raise ValidationError("La motivation est obligatoire.")
        LABEL.move(label, actor, action, to, motivation)

        titre = f"Label {label.numero} {verb}"
        if action == Label.Action.RETABLISSEMENT:
            titre = f"Label {label.numero} : suspension levée"
        dossier = label.decision.dossier
        notify_structure(dossier, titre=titre, message=motivation, include_arml=True)
        notify_national_admins(
            dossier, titre=f"{titre} — {label.structure.nom}", message=motivation
        )
    return label


def suspend_label(*, actor: User, label: Label, motivation: str) -> Label:
    """Suspend a valid, unexpired label; the suspension can be lifted (`reinstate_label`)."""
    return _change_label_status(
        actor=actor, label=label, motivation=motivation, action=Label.Action.SUSPENSION
    )


def reinstate_label(*, actor: User, label: Label, motivation: str) -> Label:
    """Lift a suspension: the label is valid again until its end date (expired if past it)."""
    return _change_label_status(
        actor=actor,
        label=label,
        motivation=motivation,
        action=Label.Action.RETABLISSEMENT,
    )


def withdraw_label(*, actor: User, label: Label, motivation: str) -> Label:
    """Withdraw a valid or suspended, unexpired label. Final."""
    return _change_label_status(
        actor=actor, label=label, motivation=motivation, action=Label.Action.RETRAIT
    )


def place_on_agenda(dossier: Dossier, actor: User) -> Dossier:
    """An administrator puts a dossier whose audit report and gap answers are complete on a
    séance's agenda (`add_to_agenda` chooses the séance)."""
    what = "inscrire le dossier à l'ordre du jour"
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        require_capability(actor, dossier, Capability.ADMINISTER, what)
        require_state(
            dossier,
            [Dossier.Statut.REPONSE_STRUCTURE, Dossier.Statut.EN_COMMISSION],
            what,
        )
        audit = Audit.objects.filter(dossier=dossier, statut=Audit.Statut.VALIDE).first()
        if audit is None:
            raise TransitionError("Le rapport d'évaluation externe n'est pas validé.")
        unanswered = Constat.objects.filter(
            audit=audit, niveau__code__in=("ecart_mineur", "ecart_majeur")
        ).exclude(reponse_ecart__envoye_le__isnull=False)
        if unanswered.exists() and dossier.statut == Dossier.Statut.REPONSE_STRUCTURE:
            codes = ", ".join(unanswered.values_list("critere__code", flat=True))
            raise TransitionError(f"La structure n'a pas encore répondu aux écarts ({codes}).")
        if not demande_filed(dossier):
            raise TransitionError("La structure n'a pas encore déposé sa demande de labellisation.")
        if dossier.statut == Dossier.Statut.REPONSE_STRUCTURE:
            move(dossier, actor, "place_on_agenda", Dossier.Statut.EN_COMMISSION)
        else:
            log_step(dossier, actor, "place_on_agenda")
    return dossier


def record_decision(dossier: Dossier, actor: User, resultat: str, motivation: str) -> Dossier:
    """The commission's decision moves the dossier (called by `decide`, which checks the chair,
    the vote and the quorum). `ajourne` sends it back to the plan."""
    target = {
        "labellise": Dossier.Statut.LABELLISE,
        "labellise_sous_reserve": Dossier.Statut.LABELLISE_SOUS_RESERVE,
        "refuse": Dossier.Statut.REFUSE,
        "ajourne": Dossier.Statut.PLAN_AMELIORATION,
    }[resultat]
    dossier = locked_dossier(dossier)
    require_state(dossier, [Dossier.Statut.EN_COMMISSION], "enregistrer la décision")
    move(dossier, actor, f"decision_{resultat}", target, motivation)
    return dossier


# --- A vote without quorum: back to the agenda -------------------------------------------------

VOTE_SANS_QUORUM = "vote_sans_quorum"
REOPEN_VOTE = "reouverture_vote"


def quorum_phrase(result: t.Tally, percent: int) -> str:
    """« 1 votant sur 3 membres non récusés ; 2 requis »."""
    votants = pluriel(result.participants, "{n} votant", "{n} votants")
    membres = pluriel(result.eligible, "{n} membre non récusé", "{n} membres non récusés")
    return f"{votants} sur {membres} ; {t.quorum_required(result.eligible, percent)} requis"


def _back_to_agenda(point: PointOrdreDuJour, actor: User, result: t.Tally) -> None:
    """The vote closed without quorum: no decision; the dossier stays before the commission,
    to be voted again (vote reopened, or placed on a later séance), with the reason in its
    journal."""
    dossier = locked_dossier(point.dossier)
    log_step(
        dossier,
        actor,
        VOTE_SANS_QUORUM,
        f"Quorum non atteint à la séance du {timezone.localtime(point.seance.date):%d/%m/%Y} "
        f"({quorum_phrase(result, point.seance.quorum_pourcentage)}) : pas de décision, "
        "le dossier revient à l'ordre du jour.",
    )
    notify_national_admins(
        dossier,
        titre=f"Vote sans quorum : {dossier.structure.nom}",
        message="Le dossier est à inscrire à l'ordre du jour d'une prochaine séance "
        "(ou le vote à rouvrir).",
    )


def _require_chair_or_admin(user: User, seance: Seance, what: str) -> None:
    if Capability.CHAIR_SEANCE in seance_capabilities(user, seance) or is_national_admin(user):
        return
    raise PermissionDenied(
        f"Seul(e) le (la) président(e) de séance ou un administrateur UNML peut {what}."
    )


@transaction.atomic
def reopen_vote(*, point: PointOrdreDuJour, user: User) -> PointOrdreDuJour:
    """Reopen a vote closed without quorum, at the same séance while it is not closed: the
    votes already cast are kept, the members who had not voted can vote."""
    point = (
        PointOrdreDuJour.objects.select_for_update(of=("self",))
        .select_related("seance__president", "dossier")
        .get(pk=point.pk)
    )
    _require_chair_or_admin(user, point.seance, "rouvrir le vote")
    if point.vote != PointOrdreDuJour.Vote.SANS_QUORUM:
        raise ValidationError("Seul un vote clos sans quorum peut être rouvert.")
    if point.seance.statut == Seance.Statut.CLOSE:
        raise ValidationError(
            "La séance est close : inscrivez le dossier à l'ordre du jour d'une prochaine séance."
        )
    point.vote = PointOrdreDuJour.Vote.OUVERT
    point.clos_le = None
    point.save(update_fields=["vote", "clos_le"])
    log_step(locked_dossier(point.dossier), user, REOPEN_VOTE, f"Séance du {point.seance}")
    return point


@transaction.atomic
def save_rapporteur_note(*, point: PointOrdreDuJour, user: User, note: str) -> PointOrdreDuJour:
    """The rapporteur writes the note the members read before voting, until the vote closes."""
    point = (
        PointOrdreDuJour.objects.select_for_update(of=("self",))
        .select_related("seance__president", "rapporteur")
        .get(pk=point.pk)
    )
    if point.rapporteur is None or point.rapporteur.user_id != user.pk:
        raise PermissionDenied("Seul(e) le (la) rapporteur(e) du dossier écrit sa note.")
    if point.vote != PointOrdreDuJour.Vote.OUVERT:
        raise ValidationError("Le vote est clos : la note n'est plus modifiable.")
    point.note_rapporteur = clean_text(note or "").strip()[:MAX_TEXT]
    point.save(update_fields=["note_rapporteur"])
    return point


# --- The séance: edited until it opens; planned → open → closed -------------------------------


def _seance_journal(
    seance: Seance, actor: Actor | None, action: str, previous: str, reason: str
) -> None:
    """A séance's step goes in the journal of each dossier on its agenda (subject "seance")."""
    actor = actor if getattr(actor, "pk", None) else None
    DossierTransition.objects.bulk_create(
        DossierTransition(
            dossier_id=dossier_id,
            subject=DossierTransition.Subject.SEANCE,
            subject_id=seance.pk,
            action=action,
            from_state=previous,
            to_state=seance.statut,
            actor=actor,
            reason=reason,
        )
        for dossier_id in seance.points.values_list("dossier_id", flat=True)
    )


SEANCE = Workflow(Seance, "statut", "la séance", _seance_journal, related=("president",))


def _recuse_conflicted(point: PointOrdreDuJour) -> None:
    dossier = point.dossier
    structures = [pk for pk in (dossier.structure_id, dossier.structure.parent_id) if pk]
    conflicted = MembreCommission.objects.filter(
        seances=point.seance,
        user__in=Membership.objects.filter(structure_id__in=structures).values("user"),
    )
    for membre in conflicted:
        Recusation.objects.get_or_create(
            point=point,
            membre=membre,
            defaults={
                "automatique": True,
                "motif": "Membre de la structure ou de son ARML (récusation automatique)",
            },
        )


def update_seance(
    *,
    actor: User,
    seance: Seance,
    date: dt.datetime,
    president: MembreCommission,
    membres: list[MembreCommission],
    lieu: str = "",
    quorum_pourcentage: int = 50,
    ordre: list[int] | None = None,
) -> Seance:
    """The UNML administrator edits a planned séance: date, place, members, chair, quorum and
    the agenda's order (`ordre`: the points' ids in their new order). Refused once it opens."""
    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs UNML organisent les séances.")
    if not 0 <= quorum_pourcentage <= 99:
        raise ValidationError("Le quorum est un pourcentage entre 0 et 99.")
    with transaction.atomic():
        seance = SEANCE.lock(seance.pk)
        SEANCE.require_state(seance, [Seance.Statut.PLANIFIEE], "modifier la séance")
        changed = []
        if seance.date != date:
            changed.append(f"date : {timezone.localtime(date):%d/%m/%Y %H:%M}")
        if seance.lieu != lieu:
            changed.append(f"lieu : {lieu or '—'}")
        if seance.president_id != president.pk:
            changed.append(f"présidence : {president}")
        if seance.quorum_pourcentage != quorum_pourcentage:
            changed.append(f"quorum : {quorum_pourcentage} %")
        seance.date, seance.lieu, seance.president = date, lieu, president
        seance.quorum_pourcentage = quorum_pourcentage
        seance.save(update_fields=["date", "lieu", "president", "quorum_pourcentage"])
        before = set(seance.membres.values_list("pk", flat=True))
        after = {m.pk for m in membres} | {president.pk}
        if before != after:
            changed.append("membres")
            seance.membres.set(after)
            gone = before - after
            # Who no longer sits neither votes nor is recused at this séance.
            Vote.objects.filter(point__seance=seance, membre_id__in=gone).delete()
            Recusation.objects.filter(point__seance=seance, membre_id__in=gone).delete()
        points = list(seance.points.select_related("dossier__structure"))
        for point in points:
            _recuse_conflicted(point)
        if ordre is not None:
            by_pk = {p.pk: p for p in points}
            new = [by_pk[pk] for pk in ordre if pk in by_pk]
            new += [p for p in points if p not in new]
            if [p.pk for p in new] != [p.pk for p in points]:
                changed.append("ordre du jour")
            for rank, point in enumerate(new, start=1):
                if point.ordre != rank:
                    point.ordre = rank
                    point.save(update_fields=["ordre"])
        if changed:
            SEANCE.log_step(seance, actor, Seance.Action.MODIFICATION, " ; ".join(changed))
    return seance


def open_seance(*, actor: User, seance: Seance) -> Seance:
    """The chair (or a UNML administrator) opens the séance: it can no longer be edited."""
    with transaction.atomic():
        seance = SEANCE.lock(seance.pk)
        _require_chair_or_admin(actor, seance, "ouvrir la séance")
        SEANCE.require_state(seance, [Seance.Statut.PLANIFIEE], "ouvrir la séance")
        SEANCE.move(seance, actor, Seance.Action.OUVERTURE, Seance.Statut.OUVERTE)
    return seance


def close_seance(*, actor: User, seance: Seance) -> Seance:
    """The chair (or a UNML administrator) closes the séance once no vote is open and every
    vote closed with its quorum has its decision. An item closed without quorum goes to a
    later séance's agenda."""
    with transaction.atomic():
        seance = SEANCE.lock(seance.pk)
        _require_chair_or_admin(actor, seance, "clore la séance")
        SEANCE.require_state(seance, [Seance.Statut.OUVERTE], "clore la séance")
        still_open = seance.points.filter(vote=PointOrdreDuJour.Vote.OUVERT).count()
        if still_open:
            raise TransitionError(
                ngettext(
                    "Un vote est encore ouvert : clôturez-le avant de clore la séance.",
                    "%(n)d votes sont encore ouverts : clôturez-les avant de clore la séance.",
                    still_open,
                )
                % {"n": still_open}
            )
        undecided = seance.points.filter(
            vote=PointOrdreDuJour.Vote.CLOS, decision__isnull=True
        ).count()
        if undecided:
            raise TransitionError(
                ngettext(
                    "Une décision reste à enregistrer avant de clore la séance.",
                    "%(n)d décisions restent à enregistrer avant de clore la séance.",
                    undecided,
                )
                % {"n": undecided}
            )
        SEANCE.move(seance, actor, Seance.Action.CLOTURE, Seance.Statut.CLOSE)
    return seance


# --- Lifting the reservations of a "labellisé sous réserve" decision ----------------------------


def reserve_actions(label: Label) -> Any:
    return Action.objects.filter(
        plan__dossier_id=label.decision.dossier_id, origine=Action.Origine.RESERVE
    ).select_related("responsable")


def record_reserves_lifted(*, actor: User, label: Label, motivation: str) -> Label:
    """A UNML administrator records that the structure lifted the reservations of its label
    (every reservation action done): journaled on the label, shown on its pages."""
    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs UNML constatent la levée des réserves.")
    with transaction.atomic():
        label = LABEL.lock(label.pk)
        if label.decision.resultat != Decision.Resultat.LABELLISE_SOUS_RESERVE:
            raise ValidationError("Ce label n'a pas été accordé sous réserve.")
        if label.reserves_levees_le is not None:
            raise ValidationError("Les réserves de ce label sont déjà levées.")
        if label.statut == Label.Statut.RETIRE:
            raise ValidationError("Ce label a été retiré.")
        pending = [a for a in reserve_actions(label) if a.statut != Action.Statut.FAIT]
        if pending:
            raise ValidationError(
                ngettext(
                    "Une action de levée des réserves n'est pas encore réalisée : %(titres)s.",
                    "%(n)d actions de levée des réserves ne sont pas encore réalisées : "
                    "%(titres)s.",
                    len(pending),
                )
                % {"n": len(pending), "titres": ", ".join(a.titre for a in pending)}
            )
        motivation = clean_text(motivation or "").strip()
        if not motivation:
            raise ValidationError("La motivation est obligatoire.")
        label.reserves_levees_le = timezone.now()
        label.save(update_fields=["reserves_levees_le"])
        LABEL.log_step(label, actor, Label.Action.LEVEE_RESERVES, motivation)
        dossier = label.decision.dossier
        titre = f"Label {label.numero} : réserves levées"
        notify_structure(dossier, titre=titre, message=motivation, include_arml=True)
    return label
