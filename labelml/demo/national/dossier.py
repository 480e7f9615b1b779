"""One dossier of the national data set, `_Dossier`: its chain of workflow steps for the stage
it is planned to reach, their dates, the levels drawn from the structure's profile, then each
step's rows (self_assessment.py, audit.py, commission.py) and the dossier's history
(`DossierTransition`)."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from campagnes.models import Dossier, DossierTransition
from labelml.accounts.models import User
from labelml.core.pluriel import pluriel

from .audit import _ExternalAudit
from .commission import _CommissionSteps
from .data import REOPEN_REASONS
from .parameters import AJOURNE, ANCHOR_DAYS, FIRST_SUBMISSION_DAY, GAPS, Statut
from .self_assessment import _SelfAssessment

if TYPE_CHECKING:
    from .campaign import _Campaign, _Previous, _Profile, _Seance


class _Dossier(_SelfAssessment, _ExternalAudit, _CommissionSteps):
    """One Mission Locale's dossier in the campaign, planned as the workflow would have left it
    in its state; the rows go to the campaign's lists."""

    def __init__(
        self,
        campaign: _Campaign,
        ml: Any,
        stage: str,
        profile: _Profile,
        rng: random.Random,
        seance: _Seance | None,
        ordre: int,
        previous: _Previous | None = None,
    ) -> None:
        self.c, self.ml, self.stage, self.profile, self.rng = campaign, ml, stage, profile, rng
        self.seance, self.ordre, self.previous = seance, ordre, previous
        self.ref, self.net, self.rows = campaign.ref, campaign.net, campaign.rows
        self.direction = self.net.direction[ml.pk]
        self.referent = self.net.referent[ml.pk]
        self.statut = Statut.PLAN_AMELIORATION if stage == AJOURNE else stage
        self.when: dict[str, dt.datetime] = {}

    def chain(self) -> list[str]:
        rng, stage = self.rng, self.stage
        self.reopened = self.c.current and rng.random() < 0.05
        self.returned = rng.random() < 0.12
        self.audit_sub = rng.choices(["en_cours", "soumis", "a_revoir"], [55, 30, 15])[0]
        self.plan_submitted = stage != Statut.PLAN_AMELIORATION or rng.random() < 0.35
        if stage == Statut.AUTOEVALUATION:
            return ["submit_autoevaluation", "reopen_autoevaluation"] if self.reopened else []
        steps = ["submit_autoevaluation"]
        if self.reopened:
            steps += ["reopen_autoevaluation", "resubmit_autoevaluation"]
        if stage == Statut.PLAN_AMELIORATION:
            return steps + (["submit_plan"] if self.plan_submitted else [])
        steps += ["submit_plan", "request_audit"]
        if stage == Statut.AUDIT_A_PLANIFIER:
            return steps
        steps.append("assign_audit")
        if stage == Statut.AUDIT_PLANIFIE:
            return steps
        steps.append("start_audit")
        if stage == Statut.AUDIT_EN_COURS:
            if self.audit_sub != "en_cours":
                steps.append("submit_audit_report")
            if self.audit_sub == "a_revoir":
                steps.append("return_audit_report")
            return steps
        steps.append("submit_audit_report")
        if self.returned:
            steps += ["return_audit_report", "resubmit_audit_report"]
        steps.append("validate_audit_report")
        if stage == Statut.REPONSE_STRUCTURE:
            return steps
        # The direction files the demande de labellisation once the gaps are answered.
        steps += ["demande_labellisation", "place_on_agenda"]
        if stage == Statut.EN_COMMISSION:
            return steps
        return [*steps, "decision"]

    def times(self, steps: list[str]) -> None:
        """Date the steps backwards from the last one (the séance of a decided dossier, else a
        recent day), compressing the gaps when the story would start too early."""
        if not steps:
            return
        rng, c = self.rng, self.c
        if self.seance is not None and steps[-1] == "decision":
            decision_at = self.seance.at + dt.timedelta(minutes=10 * self.ordre)
            anchor = float((self.seance.at.date() - c.opening).days) + 0.55
        else:
            lo, hi = ANCHOR_DAYS[self.statut]
            anchor = c.end_day - rng.uniform(lo, hi)
        gaps = [rng.uniform(*GAPS[s]) for s in steps[1:]]
        earliest = FIRST_SUBMISSION_DAY + rng.uniform(0, 40)
        room = anchor - earliest
        if sum(gaps) > room:
            mins = [GAPS[s][0] for s in steps[1:]]
            spare = sum(g - m for g, m in zip(gaps, mins, strict=True))
            if room > sum(mins) and spare > 0:
                f = (room - sum(mins)) / spare
                gaps = [m + (g - m) * f for g, m in zip(gaps, mins, strict=True)]
            else:
                f = max(anchor - FIRST_SUBMISSION_DAY, 1.0) / max(sum(gaps), 1.0)
                gaps = [g * f for g in gaps]
        days = [anchor]
        for g in reversed(gaps):
            days.append(days[-1] - g)
        days.reverse()
        moments = [c.moment(d) for d in days]
        if steps[-1] == "decision":
            moments[-1] = decision_at
        for i in range(len(moments) - 2, -1, -1):  # strictly increasing, the last one fixed
            if moments[i] >= moments[i + 1]:
                moments[i] = moments[i + 1] - dt.timedelta(minutes=30)
        self.when = dict(zip(steps, moments, strict=True))

    def time_demande(self) -> None:
        """The demande de labellisation, between the validated report and the agenda (without
        drawing: the rest of the story stays as it was)."""
        when = self.when
        if "place_on_agenda" in when:
            validated, placed = when["validate_audit_report"], when["place_on_agenda"]
            when["demande_labellisation"] = validated + (placed - validated) * 0.6

    # -- the dossier ---------------------------------------------------------------------------

    def build(self) -> None:
        steps = self.chain()
        self.times([s for s in steps if s != "demande_labellisation"])
        self.time_demande()
        self.levels = self.draw_levels()
        self.means = self.criterion_means()
        self.dossier = Dossier(
            campagne=self.c.campagne,
            structure=self.ml,
            statut=self.statut,
            renouvellement_de=self.previous.dossier if self.previous else None,
        )
        self.rows.dossiers.append(self.dossier)
        self.self_assessment()
        self.improvement_plan()
        self.audit: Any = None
        if "assign_audit" in self.when:
            self.external_audit()
        self.point: Any = None
        if "place_on_agenda" in self.when:
            self.commission()
        self.history(steps)

    def draw_levels(self) -> dict[int, str]:
        rng, p = self.rng, self.profile
        out = {}
        for c in self.ref.criteres:
            base = (
                2.75
                + p.strength
                + self.c.drift
                + self.ref.tendency[c.pk]
                + p.parts.get(self.ref.part[c.pk], 0.0)
                + rng.gauss(0, 0.25)
            )
            for e in self.ref.by_critere[c.pk]:
                if e.sans_objet_autorise and rng.random() < 0.12:
                    out[e.pk] = "sans_objet"
                else:
                    out[e.pk] = str(min(4, max(1, round(base + rng.gauss(0, 0.55)))))
        return out

    def criterion_means(self) -> dict[int, float]:
        means = {}
        for c in self.ref.criteres:
            values = [
                int(self.levels[e.pk])
                for e in self.ref.by_critere[c.pk]
                if self.levels[e.pk] != "sans_objet"
            ]
            means[c.pk] = sum(values) / len(values) if values else 2.5
        return means

    def history(self, steps: list[str]) -> None:
        """The DossierTransition rows of the workflow, in order."""
        c, when, net = self.c, self.when, self.net
        rows = self.rows.transitions
        state: str = Statut.AUTOEVALUATION
        previous = self.previous
        if previous is None:
            action, reason = "open", f"Ouverture de la campagne « {c.campagne.nom} »"
        else:  # campagnes.services._create_dossier, with the phrases of the opening hooks
            label = previous.label
            action = "open_renewal"
            reason = (
                f"Renouvellement du label {label.numero} (valable jusqu'au "
                f"{label.date_fin:%d/%m/%Y}), campagne « {c.campagne.nom} » : "
                + pluriel(self.copied[0], "{n} réponse", "{n} réponses")
                + " et "
                + pluriel(self.copied[1], "{n} synthèse", "{n} synthèses")
                + f" reprises de la version {previous.snapshot.numero} soumise, à confirmer ; "
                + pluriel(
                    self.carried, "{n} action du plan reprise", "{n} actions du plan reprises"
                )
                + "."
            )
        rows.append(
            DossierTransition(
                dossier=self.dossier,
                subject=DossierTransition.Subject.DOSSIER,
                action=action,
                from_state="",
                to_state=state,
                actor=net.admin,
                reason=reason,
                at=c.open_at,
            )
        )

        at = c.open_at

        def move(action: str, to: str, actor: User, reason: str = "") -> None:
            nonlocal state
            rows.append(
                DossierTransition(
                    dossier=self.dossier,
                    subject=DossierTransition.Subject.DOSSIER,
                    action=action,
                    from_state=state,
                    to_state=to,
                    actor=actor,
                    reason=reason,
                    at=at,
                )
            )
            state = to

        versions = iter(enumerate(self.fingerprints, start=1))
        for step in steps:
            at = when[step]
            if step in ("submit_autoevaluation", "resubmit_autoevaluation"):
                numero, empreinte = next(versions)
                move(
                    "submit_autoevaluation",
                    Statut.PLAN_AMELIORATION,
                    self.direction,
                    f"Version {numero} soumise (empreinte {empreinte[:12]}…)",
                )
            elif step == "reopen_autoevaluation":
                move(step, Statut.AUTOEVALUATION, net.admin, self.rng.choice(REOPEN_REASONS))
            elif step == "submit_plan":
                move(
                    step,
                    state,
                    self.direction,
                    pluriel(self.plan_actions, "{n} action", "{n} actions"),
                )
            elif step == "request_audit":
                move(step, Statut.AUDIT_A_PLANIFIER, self.direction)
            elif step == "assign_audit":
                a = self.auditeur
                move(
                    step,
                    Statut.AUDIT_PLANIFIE,
                    net.admin,
                    f"{a.user} ({a.organisme}), du {self.debut:%d/%m/%Y} au {self.fin:%d/%m/%Y}",
                )
            elif step == "start_audit":
                move(step, Statut.AUDIT_EN_COURS, self.auditeur.user)
            elif step in ("submit_audit_report", "resubmit_audit_report"):
                move("submit_audit_report", state, self.auditeur.user)
            elif step == "return_audit_report":
                move(step, state, self.lead.user)  # the remarks are in the Revue row only
            elif step == "validate_audit_report":
                move(step, Statut.REPONSE_STRUCTURE, self.lead.user)
            elif step == "demande_labellisation":
                move(step, state, self.direction)
            elif step == "place_on_agenda":
                move(step, Statut.EN_COMMISSION, net.admin)
            elif step == "decision":
                assert self.seance is not None
                move(
                    f"decision_{self.outcome}",
                    self.statut,
                    self.seance.seance.president.user,
                    self.motivation,
                )
        assert state == self.statut, (state, self.statut)
        self.dossier.updated_at = rows[-1].at
