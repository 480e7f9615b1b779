"""A dossier's self-assessment and improvement plan in the national data set: the answers and
syntheses as far as the structure got (a renewal's copied from the previous dossier, those not
reviewed yet left to confirm), the submitted versions (snapshots and their fingerprints), the
plan's actions (a renewal's carried over first) and their progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

from campagnes.autoevaluations.models import AutoEvaluation, Reponse, Snapshot, SyntheseCritere
from campagnes.plans.models import Action, PlanAmelioration
from campagnes.plans.services import suggested_description, suggested_title

from .data import JUSTIFICATIONS, MANUAL_ACTIONS, SYNTHESES
from .helpers import _fingerprint
from .parameters import AJOURNE
from .state import _DossierState


class _SelfAssessment(_DossierState):
    """The self-assessment and improvement plan steps of `_Dossier`."""

    def self_assessment(self) -> None:
        rng, ref, c = self.rng, self.ref, self.c
        open_at = c.open_at
        self.dossier.created_at = open_at
        self.autoevaluation = AutoEvaluation(dossier=self.dossier, created_at=open_at)
        self.rows.autoevaluations.append(self.autoevaluation)
        submitted_at = self.when.get("submit_autoevaluation")
        if submitted_at is not None:
            progress = 1.0
            stop = submitted_at - dt.timedelta(hours=1)
        else:
            u = rng.random()
            if not c.current:
                progress = rng.uniform(0.1, 0.8)
            else:
                progress = 0.0 if u < 0.12 else 1.0 if u > 0.9 else rng.uniform(0.05, 0.97)
            stop = self.end_at
        start = open_at + dt.timedelta(days=2)
        target = round(progress * len(ref.elements))
        rated: set[int] = set()
        written: set[int] = set()
        for critere in sorted(ref.criteres, key=lambda cr: cr.ordre + rng.gauss(0, 5)):
            if len(rated) >= target:
                break
            elements = ref.by_critere[critere.pk]
            taken = elements[: target - len(rated)]
            rated.update(e.pk for e in taken)
            if len(taken) == len(elements) and (progress == 1.0 or rng.random() < 0.75):
                written.add(critere.pk)
        self.progress = progress
        copied_answers, copied_syntheses = self.copied_content()
        answers = []  # (element, level code or None, justification), in référentiel order
        for e in ref.elements:
            code = self.levels[e.pk] if e.pk in rated else None
            old = copied_answers.get(e.pk)
            justification = ""
            if code is not None and old is not None and old[0] == code:
                justification = old[1]  # a renewal's answer, confirmed as it was
            elif code is not None and (
                progress == 1.0 or code == "sans_objet" or rng.random() > 0.1
            ):
                justification = rng.choice(JUSTIFICATIONS[code])
            answers.append((e, code, justification))
            if code is None and old is not None:  # copied from the previous dossier, unseen
                self.rows.reponses.append(
                    Reponse(
                        autoevaluation=self.autoevaluation,
                        element_id=e.pk,
                        niveau_id=ref.auto[old[0]].pk if old[0] else None,
                        justification=old[1],
                        a_confirmer=old[0] is not None,
                    )
                )
                continue
            self.rows.reponses.append(
                Reponse(
                    autoevaluation=self.autoevaluation,
                    element_id=e.pk,
                    niveau_id=ref.auto[code].pk if code else None,
                    justification=justification,
                    version=rng.randint(1, 3) if code else 0,
                    updated_by=(self.referent if rng.random() < 0.75 else self.direction)
                    if code
                    else None,
                    updated_at=self.between(start, stop) if code else None,
                )
            )
        syntheses = []  # (critere, synthese, points forts, axes)
        for critere in ref.criteres:
            old_texts = copied_syntheses.get(critere.pk)
            if critere.pk not in written and old_texts is not None:  # copied, to confirm
                syntheses.append((critere, *old_texts))
                self.rows.syntheses.append(
                    SyntheseCritere(
                        autoevaluation=self.autoevaluation,
                        critere_id=critere.pk,
                        synthese=old_texts[0],
                        points_forts=old_texts[1],
                        axes_amelioration=old_texts[2],
                        a_confirmer=True,
                    )
                )
            elif critere.pk in written:
                mean = self.means[critere.pk]
                bucket = "haut" if mean >= 3.2 else "moyen" if mean >= 2.4 else "bas"
                texts = rng.choice(SYNTHESES[bucket])
                syntheses.append((critere, *texts))
                self.rows.syntheses.append(
                    SyntheseCritere(
                        autoevaluation=self.autoevaluation,
                        critere_id=critere.pk,
                        synthese=texts[0],
                        points_forts=texts[1],
                        axes_amelioration=texts[2],
                        version=rng.randint(1, 2),
                        updated_by=self.referent,
                        updated_at=self.between(start, stop),
                    )
                )
            else:
                syntheses.append((critere, "", "", ""))
                self.rows.syntheses.append(
                    SyntheseCritere(autoevaluation=self.autoevaluation, critere_id=critere.pk)
                )
        self.answers = answers
        # What was submitted, frozen (campagnes.autoevaluations.services.take_snapshot).
        self.fingerprints: list[str] = []
        if submitted_at is None:
            return
        versions = [(submitted_at, answers)]
        if "resubmit_autoevaluation" in self.when:
            # The first version had a few levels that the reopening corrected.
            corrected = set(
                rng.sample([e.pk for e, code, _j in answers if code in ("2", "3", "4")], 3)
            )
            first = [
                (e, str(int(code) - 1) if code and e.pk in corrected else code, j)
                for e, code, j in answers
            ]
            versions = [(submitted_at, first), (self.when["resubmit_autoevaluation"], answers)]
        for numero, (at, version) in enumerate(versions, start=1):
            content = self.snapshot_content(version, syntheses)
            empreinte = _fingerprint(content)
            self.fingerprints.append(empreinte)
            self.rows.snapshots.append(
                Snapshot(
                    dossier=self.dossier,
                    numero=numero,
                    contenu=content,
                    empreinte=empreinte,
                    soumis_par=self.direction,
                    soumis_le=at,
                )
            )

    def copied_content(
        self,
    ) -> tuple[dict[int, tuple[str | None, str]], dict[int, tuple[str, str, str]]]:
        """What a renewal copies from the previous dossier's last submitted version
        (campagnes.autoevaluations.services.copy_previous_autoevaluation): per element present
        in the référentiel (by code), its level (by code, « sans objet » only where allowed)
        and justification when there is one of them; per criterion, the synthesis' texts when
        there is one. Counted for the opening's journal entry."""
        self.copied = (0, 0)
        if self.previous is None:
            return {}, {}
        content = self.previous.snapshot.contenu
        elements, criteres = self.c.element_by_code, self.c.critere_by_code
        answers: dict[int, tuple[str | None, str]] = {}
        for row in content.get("reponses", []):
            element = elements.get(row["element"])
            if element is None:
                continue
            code = row.get("niveau") if row.get("niveau") in self.ref.auto else None
            if code == "sans_objet" and not element.sans_objet_autorise:
                code = None
            justification = row.get("justification") or ""
            if code is not None or justification:
                answers[element.pk] = (code, justification)
        syntheses: dict[int, tuple[str, str, str]] = {}
        for row in content.get("syntheses", []):
            critere = criteres.get(row["critere"])
            texts = tuple(
                row.get(k) or "" for k in ("synthese", "points_forts", "axes_amelioration")
            )
            if critere is not None and any(texts):
                syntheses[critere.pk] = texts  # type: ignore[assignment]
        self.copied = (sum(1 for code, _j in answers.values() if code), len(syntheses))
        return answers, syntheses

    def snapshot_content(self, answers: list, syntheses: list) -> dict:
        """campagnes.autoevaluations.services.snapshot_content, from memory."""
        auto = self.ref.auto
        return {
            "referentiel": self.ref.referentiel.label,
            "structure": {"code": self.ml.code, "nom": self.ml.nom},
            "campagne": self.c.campagne.nom,
            "reponses": [
                {
                    "element": e.code,
                    "critere": e.critere.code,
                    "niveau": code,
                    "niveau_libelle": auto[code].libelle if code else None,
                    "valeur": str(auto[code].valeur)
                    if code and auto[code].valeur is not None
                    else None,
                    "justification": justification,
                }
                for e, code, justification in answers
            ],
            "syntheses": [
                {
                    "critere": critere.code,
                    "synthese": synthese,
                    "points_forts": forts,
                    "axes_amelioration": axes,
                }
                for critere, synthese, forts, axes in syntheses
            ],
            "preuves": [],
        }

    def improvement_plan(self) -> None:
        rng, ref = self.rng, self.ref
        submitted_plan_at = self.when.get("submit_plan")
        self.plan = PlanAmelioration(
            dossier=self.dossier,
            soumis_le=submitted_plan_at,
            soumis_par=self.direction if submitted_plan_at else None,
        )
        self.rows.plans.append(self.plan)
        self.actions_by_critere: dict[int, Any] = {}
        carried = self.carry_over_actions()
        self.plan_actions = len(carried)
        covered = {a.element_source_id for a in carried}  # no second action for an element
        weak = sorted(
            (
                (code, e)
                for e, code, _j in self.answers
                if code in ("1", "2") and e.pk not in covered
            ),
            key=lambda ce: (ce[0], ce[1].ordre),
        )
        submitted_at = self.when.get("submit_autoevaluation")
        if submitted_at is None:
            if not (self.progress > 0.6 and rng.random() < 0.3 and weak):
                return
            planned: list[tuple[str, Any]] = [("suggestion", w) for w in weak[: rng.randint(1, 2)]]
            start, stop = self.c.open_at + dt.timedelta(days=10), self.end_at
        else:
            planned = [("suggestion", w) for w in weak[: rng.randint(2, 6)]]
            by_mean = sorted(ref.criteres, key=lambda cr: self.means[cr.pk])
            planned += [("manuelle", cr) for cr in by_mean[: rng.randint(1, 2)]]
            start = submitted_at
            if submitted_plan_at is not None:
                stop = submitted_plan_at - dt.timedelta(hours=1)
            else:
                stop = self.end_at
                planned = planned[: rng.randint(0, len(planned))]
        request_at = self.when.get("request_audit")
        # The plan is read-only from the audit request on (until an adjournment reopens it).
        frozen = request_at if request_at and self.stage != AJOURNE else self.end_at
        for kind, item in planned:
            created = self.between(start, stop)
            echeance = created.date() + dt.timedelta(days=rng.randint(45, 365))
            statut, avancement, updated = self.action_progress(created, echeance, frozen)
            if kind == "suggestion":
                code, element = item
                critere_pk = element.critere_id
                action = Action(
                    plan=self.plan,
                    titre=suggested_title(element),
                    description=suggested_description(element, ref.auto[code].libelle),
                    element_source_id=element.pk,
                    priorite=Action.Priorite.HAUTE if code == "1" else Action.Priorite.MOYENNE,
                    origine=Action.Origine.SUGGESTION,
                )
            else:
                critere_pk = item.pk
                action = Action(
                    plan=self.plan,
                    titre=rng.choice(MANUAL_ACTIONS).format(code=item.code),
                    description="Rédiger la procédure, la présenter en réunion d'équipe et "
                    "suivre un indicateur trimestriel.",
                    priorite=rng.choice(list(Action.Priorite.values)),
                    origine=Action.Origine.MANUELLE,
                )
            action.responsable = rng.choice([self.referent, self.direction, None])
            action.echeance = echeance
            action.statut, action.avancement = statut, avancement
            action.created_by = self.referent
            action.created_at, action.updated_at = created, updated
            self.rows.actions.append(action)
            self.rows.action_criteres.append((action, [critere_pk]))
            self.actions_by_critere.setdefault(critere_pk, action)
        self.plan_actions += len(planned)
        for action in carried:
            for pk in self.carried_criteres[id(action)]:
                self.actions_by_critere.setdefault(pk, action)

    def carry_over_actions(self) -> list[Any]:
        """A renewal's plan starts with the open actions of the previous one, progress kept
        (campagnes.plans.services.carry_over_actions): criteria and source element matched in
        the référentiel, the owner kept if still a member, « reprise » of the original."""
        self.carried = 0
        self.carried_criteres: dict[int, list[int]] = {}
        if self.previous is None:
            return []
        criteres = {c.pk for c in self.ref.criteres}
        members = {self.direction.pk, self.referent.pk}
        out = []
        for old, old_criteres in self.previous.actions:
            kept = [pk for pk in old_criteres if pk in criteres]
            if not kept:
                continue
            source = old.element_source_id
            if source is not None and self.c.element_critere.get(source) not in kept:
                source = None
            action = Action(
                plan=self.plan,
                titre=old.titre,
                description=old.description,
                element_source_id=source,
                responsable_id=old.responsable_id if old.responsable_id in members else None,
                echeance=old.echeance,
                priorite=old.priorite,
                statut=old.statut,
                avancement=old.avancement,
                origine=Action.Origine.REPRISE,
                reprise_de_id=old.pk,
                created_by=self.net.admin,
                created_at=self.c.open_at,
                updated_at=self.c.open_at,
            )
            self.rows.actions.append(action)
            self.rows.action_criteres.append((action, kept))
            self.carried_criteres[id(action)] = kept
            out.append(action)
        self.carried = len(out)
        return out

    def action_progress(
        self, created: dt.datetime, echeance: dt.date, frozen: dt.datetime
    ) -> tuple[str, int, dt.datetime]:
        rng = self.rng
        S = Action.Statut
        if echeance <= frozen.date():
            statut = rng.choices([S.FAIT, S.EN_COURS, S.ABANDONNE], [60, 30, 10])[0]
        elif (frozen - created).days > 45:
            statut = rng.choices([S.EN_COURS, S.A_FAIRE, S.FAIT], [50, 40, 10])[0]
        else:
            statut = rng.choices([S.A_FAIRE, S.EN_COURS], [80, 20])[0]
        avancement = {
            S.FAIT: 100,
            S.A_FAIRE: 0,
            S.EN_COURS: rng.choice([10, 20, 30, 40, 50, 60, 70, 80]),
            S.ABANDONNE: rng.choice([0, 10, 20]),
        }[statut]
        updated = created if statut == S.A_FAIRE else self.between(created, frozen)
        return statut, avancement, updated
