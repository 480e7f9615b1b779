"""Writes on the self-assessment.

Saves are per field and optimistic: the client sends the version it started from, and the row is
updated only if nobody saved in between (`UPDATE … WHERE version = v`, atomic in the database).
Otherwise the save is refused with the other person's value, never silently overwritten. Every
acknowledged save also lands in `Saisie`, so no acknowledged value is ever lost.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from campagnes.models import Dossier
from campagnes.selectors import dossier_capabilities, lock_state_for_write
from campagnes.workflow import locked_dossier, move, require_capability, require_state
from labelml.accounts.models import User
from labelml.core.autosave import SaveResult, clean_text
from labelml.core.ids import parse_id
from labelml.core.optimistic import refusal, save_if_current, stored_value
from labelml.core.pluriel import pluriel
from labelml.core.transitions import TransitionError
from labelml.notifications.services import notify, notify_structure
from labelml.structures.models import Membership
from labelml.structures.roles import Capability
from referentiel.models import Critere, Element, Niveau

from .models import AutoEvaluation, Preuve, Reponse, Saisie, Snapshot, SyntheseCritere
from .selectors import missing_items

REPONSE_FIELDS = {"niveau", "justification"}
SYNTHESE_FIELDS = {"synthese", "points_forts", "axes_amelioration"}


def _refuse_if_submitted(dossier_id: int) -> None:
    """Under a shared lock on the dossier (see lock_state_for_write): a save racing the
    submission either lands before it or is refused after it, never in between."""
    if lock_state_for_write(dossier_id) != Dossier.Statut.AUTOEVALUATION:
        raise PermissionDenied("L'auto-évaluation n'est plus modifiable : elle a été soumise.")


def _can_edit(actor: User, dossier: Dossier, synthese: SyntheseCritere | None) -> bool:
    caps = dossier_capabilities(actor, dossier)
    if Capability.EDIT_AUTOEVALUATION in caps:
        return True
    # A contributor edits only the criteria assigned to them.
    return (
        Capability.EDIT_ASSIGNED in caps
        and synthese is not None
        and synthese.contributeur_id == actor.pk
    )


def require_open_period(dossier: Dossier, what: str = "saisie") -> None:
    """The self-assessment is written between the campaign's opening and its closing date
    (included; the UNML may extend the closing: campagnes.services.extend_closing)."""
    campagne = dossier.campagne
    today = timezone.localdate()
    if today < campagne.date_ouverture:
        raise ValidationError(
            f"La campagne « {campagne.nom} » ouvre le {campagne.date_ouverture:%d/%m/%Y} : "
            f"l'auto-évaluation ne peut pas être {what} avant cette date."
        )
    if today > campagne.date_cloture_autoevaluation:
        raise ValidationError(
            f"L'auto-évaluation de la campagne « {campagne.nom} » est close depuis le "
            f"{campagne.date_cloture_autoevaluation:%d/%m/%Y} : elle ne peut plus être {what}. "
            "L'UNML peut prolonger la date de clôture."
        )


def ensure_can_edit(actor: User, dossier: Dossier, synthese: SyntheseCritere | None) -> None:
    if dossier.statut != Dossier.Statut.AUTOEVALUATION:
        raise PermissionDenied("L'auto-évaluation n'est plus modifiable : elle a été soumise.")
    if not _can_edit(actor, dossier, synthese):
        raise PermissionDenied("Votre rôle ne permet pas de modifier ce critère.")
    require_open_period(dossier)


def _synthese_if_needed(actor: User, dossier: Dossier, reponse: Reponse) -> SyntheseCritere | None:
    """The synthesis of the answer's criterion, read only when the permission depends on it:
    a contributor edits only the criteria assigned to them, whereas whoever edits the whole
    self-assessment needs no query (an autosave's hot path)."""
    if Capability.EDIT_AUTOEVALUATION in dossier_capabilities(actor, dossier):
        return None
    return SyntheseCritere.objects.filter(
        autoevaluation_id=reponse.autoevaluation_id, critere_id=reponse.element.critere_id
    ).first()


def save_reponse_field(
    *, reponse: Reponse, actor: User, champ: str, valeur: str, version: int
) -> SaveResult:
    """Save one field of an element's answer if `version` is still the current one."""
    if champ not in REPONSE_FIELDS:
        raise ValidationError("Champ inconnu.")
    dossier = reponse.autoevaluation.dossier
    ensure_can_edit(actor, dossier, _synthese_if_needed(actor, dossier, reponse))
    update: dict[str, Any]
    if champ == "niveau":
        niveau = None
        if valeur:
            niveau = Niveau.objects.filter(
                pk=parse_id(valeur) or 0,
                echelle_id=dossier.campagne.referentiel.echelle_autoevaluation_pk,
            ).first()
            if niveau is None:
                raise ValidationError("Niveau inconnu pour cette échelle.")
            if niveau.code == "sans_objet" and not reponse.element.sans_objet_autorise:
                raise ValidationError(
                    "« Sans objet » n'est pas prévu par le référentiel pour cet élément."
                )
        update = {"niveau": niveau}
        stored = str(niveau.pk) if niveau else ""
    else:
        stored = clean_text(valeur)
        update = {"justification": stored}
    if version == reponse.version and stored == stored_value(reponse, champ):
        # The same value again (a blur after an autosave): nothing to write.
        return SaveResult(True, version, stored, reponse.updated_by, reponse.updated_at)
    result = _save(reponse, actor, version, champ, stored, update)
    if result.ok:  # the instance says what is now saved (the save's answer reads it)
        for name, value in update.items():
            setattr(reponse, name, value)
    return result


def save_synthese_field(
    *, synthese: SyntheseCritere, actor: User, champ: str, valeur: str, version: int
) -> SaveResult:
    if champ not in SYNTHESE_FIELDS:
        raise ValidationError("Champ inconnu.")
    ensure_can_edit(actor, synthese.autoevaluation.dossier, synthese)
    stored = clean_text(valeur)
    if version == synthese.version and stored == getattr(synthese, champ):
        return SaveResult(True, version, stored, synthese.updated_by, synthese.updated_at)
    return _save(synthese, actor, version, champ, stored, {champ: stored})


def _save(
    row: Reponse | SyntheseCritere,
    actor: User,
    version: int,
    champ: str,
    stored: str,
    changes: dict[str, Any],
    *,
    shown: str = "",
    target: QuerySet[Any] | None = None,
) -> SaveResult:
    """Write `changes` on `row` (no longer to confirm: a person acted on it) if `version` is
    still its current one and the self-assessment is not submitted. An acknowledged save lands
    in `Saisie` as `champ`; a refused one answers with the stored `shown` (default: `champ`)."""
    now = timezone.now()
    with transaction.atomic():
        _refuse_if_submitted(row.autoevaluation.dossier_id)
        # Only direct columns in the WHERE: PostgreSQL re-checks `version` on the locked row.
        rows = type(row) if target is None else target
        if save_if_current(
            rows, row.pk, version, **changes, a_confirmer=False, updated_by=actor, updated_at=now
        ):
            Saisie.objects.create(
                autoevaluation_id=row.autoevaluation_id,
                **{"reponse" if isinstance(row, Reponse) else "synthese": row},
                champ=champ,
                valeur=stored,
                version=version + 1,
                user=actor,
            )
            return SaveResult(True, version + 1, stored, actor, now)
    return refusal(type(row), row.pk, shown or champ, SaveResult)


@transaction.atomic
def assign_contributeur(*, synthese: SyntheseCritere, actor: User, user: User | None) -> None:
    dossier = synthese.autoevaluation.dossier
    if Capability.EDIT_AUTOEVALUATION not in dossier_capabilities(actor, dossier):
        raise PermissionDenied(
            "Seuls le référent qualité et la direction répartissent les critères."
        )
    if user is not None and not user.memberships.filter(structure_id=dossier.structure_id).exists():
        raise ValidationError("Cette personne n'est pas membre de la structure.")
    SyntheseCritere.objects.filter(pk=synthese.pk).update(contributeur=user)
    if user is not None and user.pk != actor.pk:
        notify(
            [user],
            titre=f"Critère {synthese.critere.code} confié",
            message=f"{actor} vous a confié le critère {synthese.critere.code} de "
            "l'auto-évaluation.",
            dossier=dossier,
            url=reverse(
                "autoevaluations:autoevaluation_critere", args=[dossier.pk, synthese.critere.code]
            ),
        )


def snapshot_content(dossier: Dossier) -> dict[str, Any]:
    """The submitted self-assessment as plain data, in référentiel order."""
    reponses = (
        Reponse.objects.filter(autoevaluation__dossier=dossier)
        .select_related("element__critere", "niveau")
        .order_by("element__ordre")
    )
    syntheses = (
        SyntheseCritere.objects.filter(autoevaluation__dossier=dossier)
        .select_related("critere")
        .order_by("critere__ordre")
    )
    preuves = Preuve.objects.filter(dossier=dossier).select_related("critere", "element")
    return {
        "referentiel": dossier.campagne.referentiel.label,
        "structure": {"code": dossier.structure.code, "nom": dossier.structure.nom},
        "campagne": dossier.campagne.nom,
        "reponses": [
            {
                "element": r.element.code,
                "critere": r.element.critere.code,
                "niveau": r.niveau.code if r.niveau else None,
                "niveau_libelle": r.niveau.libelle if r.niveau else None,
                "valeur": str(r.niveau.valeur)
                if r.niveau and r.niveau.valeur is not None
                else None,
                "justification": r.justification,
            }
            for r in reponses
        ],
        "syntheses": [
            {
                "critere": s.critere.code,
                "synthese": s.synthese,
                "points_forts": s.points_forts,
                "axes_amelioration": s.axes_amelioration,
            }
            for s in syntheses
        ],
        "preuves": [
            {
                "critere": p.critere.code,
                "element": p.element.code if p.element else None,
                "titre": p.titre,
                "fichier": p.nom_original,
                "empreinte": p.empreinte,
                "date_effet": p.date_effet.isoformat(),
                "date_expiration": p.date_expiration.isoformat() if p.date_expiration else None,
            }
            for p in preuves
        ],
    }


def take_snapshot(dossier: Dossier, actor: User | None) -> Snapshot:
    """Freeze what is being submitted (called by the workflow, inside its transaction)."""
    content = snapshot_content(dossier)
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    numero = (dossier.snapshots.aggregate(m=Max("numero"))["m"] or 0) + 1
    return Snapshot.objects.create(
        dossier=dossier,
        numero=numero,
        contenu=content,
        empreinte=hashlib.sha256(payload.encode()).hexdigest(),
        soumis_par=actor,
    )


# --- Renewal (SPEC §7b): answers copied from the previous dossier, each one to confirm ---------


@dataclass
class CopyReport:
    version: int | None  # the submitted version copied (None: no snapshot, live answers)
    reponses: int
    syntheses: int


def open_autoevaluation(dossier: Dossier, previous: Dossier | None, actor: User) -> str:
    """campagnes.hooks.dossier_opened: the dossier's self-assessment, one answer per element and
    one synthesis per criterion; a renewal starts from the previous one, each answer to
    confirm."""
    campagne = dossier.campagne
    # Read once per campaign opening, not once per dossier (the rows share the campaign).
    elements, criteres = campagne.__dict__.setdefault(
        "_opening_tree",
        (
            list(Element.objects.filter(referentiel_id=campagne.referentiel_id).only("pk")),
            list(Critere.objects.filter(referentiel_id=campagne.referentiel_id).only("pk")),
        ),
    )
    autoevaluation = AutoEvaluation.objects.create(dossier=dossier)
    Reponse.objects.bulk_create(Reponse(autoevaluation=autoevaluation, element=e) for e in elements)
    SyntheseCritere.objects.bulk_create(
        SyntheseCritere(autoevaluation=autoevaluation, critere=c) for c in criteres
    )
    if previous is None:
        return ""
    copied = copy_previous_autoevaluation(dossier=dossier, previous=previous)
    return (
        pluriel(copied.reponses, "{n} réponse", "{n} réponses")
        + " et "
        + pluriel(copied.syntheses, "{n} synthèse", "{n} synthèses")
        + f" reprises de la version {copied.version or '—'} soumise, à confirmer"
    )


def copy_previous_autoevaluation(*, dossier: Dossier, previous: Dossier) -> CopyReport:
    """Start the renewal `dossier` from the self-assessment `previous` submitted last (its
    snapshot, not later data): each answer whose element still exists (matched by code) gets the
    level (matched by code in the new scale) and the justification, marked to confirm; so do
    the syntheses. Elements new to the référentiel stay empty. Called inside the opening
    transaction, before anyone can edit the new dossier."""
    snapshot = previous.snapshots.order_by("-numero").first()
    content = snapshot.contenu if snapshot is not None else snapshot_content(previous)
    referentiel = dossier.campagne.referentiel
    niveaux = {
        n.code: n for n in Niveau.objects.filter(echelle_id=referentiel.echelle_autoevaluation_pk)
    }
    by_element = {r["element"]: r for r in content.get("reponses", [])}
    reponses = list(
        Reponse.objects.filter(autoevaluation__dossier=dossier).select_related("element")
    )
    copied: list[Reponse] = []
    for reponse in reponses:
        row = by_element.get(reponse.element.code)
        if row is None:
            continue
        niveau = niveaux.get(row.get("niveau") or "")
        if niveau is not None and niveau.code == "sans_objet":
            if not reponse.element.sans_objet_autorise:
                niveau = None
        reponse.niveau = niveau
        reponse.justification = row.get("justification") or ""
        # Without a level in the new scale there is nothing to confirm: the element is to rate.
        reponse.a_confirmer = niveau is not None
        if niveau is not None or reponse.justification:
            copied.append(reponse)
    Reponse.objects.bulk_update(copied, ["niveau", "justification", "a_confirmer"])

    # The contributors assigned last time keep their criteria if they are still members.
    members = set(
        Membership.objects.filter(structure_id=dossier.structure_id).values_list(
            "user_id", flat=True
        )
    )
    assigned = {
        code: user_id
        for code, user_id in SyntheseCritere.objects.filter(
            autoevaluation__dossier=previous, contributeur__isnull=False
        ).values_list("critere__code", "contributeur_id")
        if user_id in members
    }
    by_critere = {s["critere"]: s for s in content.get("syntheses", [])}
    syntheses = list(
        SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).select_related("critere")
    )
    texts = ("synthese", "points_forts", "axes_amelioration")
    count = 0
    for synthese in syntheses:
        row = by_critere.get(synthese.critere.code) or {}
        for name in texts:
            setattr(synthese, name, row.get(name) or "")
        synthese.a_confirmer = any(getattr(synthese, name) for name in texts)
        count += synthese.a_confirmer
        synthese.contributeur_id = assigned.get(synthese.critere.code)
    SyntheseCritere.objects.bulk_update(syntheses, [*texts, "a_confirmer", "contributeur"])
    return CopyReport(
        version=snapshot.numero if snapshot is not None else None,
        reponses=sum(1 for r in copied if r.a_confirmer),
        syntheses=count,
    )


def confirm_reponse(*, reponse: Reponse, actor: User, version: int) -> SaveResult:
    """A person confirms a copied answer unchanged: it counts as rated again. Optimistic like a
    save: refused (with the current answer) when somebody saved it since `version`; recorded in
    the answer's history."""
    dossier = reponse.autoevaluation.dossier
    ensure_can_edit(actor, dossier, _synthese_if_needed(actor, dossier, reponse))
    if version == reponse.version and not reponse.a_confirmer:
        return SaveResult(
            True, version, str(reponse.niveau_id or ""), reponse.updated_by, reponse.updated_at
        )
    if reponse.niveau_id is None and version == reponse.version:
        raise ValidationError(
            f"Élément {reponse.element.code} : choisissez un niveau, il n'y a rien à confirmer."
        )
    # Recorded in the history as a confirmation; refused unless still to confirm, with a level.
    to_confirm = Reponse.objects.filter(a_confirmer=True, niveau__isnull=False)
    stored = str(reponse.niveau_id or "")
    return _save(
        reponse, actor, version, "confirmation", stored, {}, shown="niveau", target=to_confirm
    )


def confirm_synthese(*, synthese: SyntheseCritere, actor: User, version: int) -> SaveResult:
    """The same for a copied synthesis (its three texts kept as they are)."""
    ensure_can_edit(actor, synthese.autoevaluation.dossier, synthese)
    if version == synthese.version and not synthese.a_confirmer:
        return SaveResult(
            True, version, synthese.synthese, synthese.updated_by, synthese.updated_at
        )
    to_confirm = SyntheseCritere.objects.filter(a_confirmer=True)
    stored = synthese.synthese
    return _save(
        synthese, actor, version, "confirmation", stored, {}, shown="synthese", target=to_confirm
    )


@dataclass
class CritereConfirmation:
    confirmed: list[str]  # codes of the elements confirmed ("synthèse" for the synthesis)
    conflicts: list[str]  # changed by somebody since the page was read: not confirmed


def confirm_critere(
    *,
    synthese: SyntheseCritere,
    actor: User,
    versions: dict[int, int],
    synthese_version: int | None,
) -> CritereConfirmation:
    """ "Tout confirmer" on a criterion's page (the criterion of `synthese`), after the person
    reviewed it: every copied answer of the criterion shown at `versions` (answer pk → version
    read) is confirmed, and the synthesis at `synthese_version`. An answer saved by somebody
    else since is left to confirm and reported; an answer not shown on the page is not
    confirmed."""
    dossier = synthese.autoevaluation.dossier
    ensure_can_edit(actor, dossier, synthese)
    out = CritereConfirmation(confirmed=[], conflicts=[])
    reponses = (
        Reponse.objects.filter(
            autoevaluation__dossier=dossier,
            element__critere_id=synthese.critere_id,
            a_confirmer=True,
        )
        .select_related("element__critere", "autoevaluation", "niveau", "updated_by")
        .order_by("element__ordre")
    )
    with transaction.atomic():
        for reponse in reponses:
            # The dossier checked above, with its structure: not one more per answer.
            reponse.autoevaluation.dossier = dossier
            if reponse.pk not in versions:
                out.conflicts.append(reponse.element.code)
                continue
            result = confirm_reponse(reponse=reponse, actor=actor, version=versions[reponse.pk])
            (out.confirmed if result.ok else out.conflicts).append(reponse.element.code)
        if synthese.a_confirmer:
            if synthese_version is None:
                out.conflicts.append("synthèse")
            else:
                result = confirm_synthese(synthese=synthese, actor=actor, version=synthese_version)
                (out.confirmed if result.ok else out.conflicts).append("synthèse")
    return out


def submit_autoevaluation(dossier: Dossier, actor: User) -> Dossier:
    """The direction submits a complete self-assessment: it is frozen as a new snapshot and the
    dossier moves on to the improvement plan."""
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        require_capability(actor, dossier, Capability.SUBMIT, "soumettre l'auto-évaluation")
        require_state(dossier, [Dossier.Statut.AUTOEVALUATION], "soumettre l'auto-évaluation")
        try:
            require_open_period(dossier, "soumise")
        except ValidationError as exc:
            raise TransitionError(exc.messages[0]) from None
        missing = missing_items(dossier)
        if missing:
            to_confirm = sum(1 for m in missing if m.kind == "a_confirmer")
            raise TransitionError(
                "L'auto-évaluation n'est pas complète : "
                + pluriel(missing, "{n} point à compléter", "{n} points à compléter")
                + (
                    ", dont "
                    + pluriel(
                        to_confirm,
                        "{n} réponse reprise du dossier précédent à confirmer (confirmez-la "
                        "telle quelle ou modifiez-la).",
                        "{n} réponses reprises du dossier précédent à confirmer (confirmez-les "
                        "telles quelles ou modifiez-les).",
                    )
                    if to_confirm
                    else "."
                ),
                missing,
            )
        snapshot = take_snapshot(dossier, actor)
        move(
            dossier,
            actor,
            "submit_autoevaluation",
            Dossier.Statut.PLAN_AMELIORATION,
            reason=f"Version {snapshot.numero} soumise (empreinte {snapshot.empreinte[:12]}…)",
        )
        notify_structure(
            dossier,
            titre=f"Auto-évaluation soumise — {dossier.structure.nom}",
            message=f"{actor} a soumis l'auto-évaluation. Prochaine étape : le plan "
            "d'amélioration.",
            include_arml=True,
        )
    return dossier
