"""A dossier's external audit in the national data set: the auditor and the lead auditor, the
dates and sites, the findings per criterion (consistent with the commission's outcome), the
report and its reviews, and the structure's answers to the gaps."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from audits.models import Audit, Constat, ReponseEcart, Revue
from campagnes.models import DossierUserObjectPermission

from .data import (
    ACTIONS_CORRECTIVES,
    AUDIT_POINTS_FORTS,
    AUDIT_PROGRES,
    AVIS,
    OBSERVATIONS,
    PREUVES_ECART,
    PREUVES_EXAMINEES,
    RETURN_REMARKS,
    de_ville,
)
from .helpers import _audit_level, _aware
from .parameters import AJOURNE, AUDIT_BIAS, DECIDED, GAP_CODES, Statut
from .state import _DossierState


class _ExternalAudit(_DossierState):
    """The external audit steps of `_Dossier`."""

    def findings(self, outcome: str | None) -> tuple[dict[int, str], dict[int, float]]:
        """The auditor's level per criterion: the self-assessment, the auditor's own eye, the
        criteria where gaps are common; consistent with the commission's outcome."""
        rng = self.rng
        severity = rng.gauss(0, 0.2)
        score = {
            c.pk: self.means[c.pk] + severity + AUDIT_BIAS.get(c.code, 0.0) + rng.gauss(0, 0.45)
            for c in self.ref.criteres
        }
        codes = {pk: _audit_level(x) for pk, x in score.items()}
        weakest = sorted(score, key=lambda pk: score[pk])

        def gaps() -> list[int]:
            return [pk for pk in weakest if codes[pk] in GAP_CODES]

        if outcome == "labellise":
            for pk in gaps():
                codes[pk] = "ecart_mineur"
            for pk in gaps()[2:]:
                codes[pk] = "piste_de_progres"
        elif outcome == "labellise_sous_reserve" and not gaps():
            codes[weakest[0]] = "ecart_mineur"
        elif outcome == "refuse":
            codes[weakest[0]] = "ecart_majeur"
            for pk in weakest[1:3]:
                if codes[pk] not in GAP_CODES:
                    codes[pk] = "ecart_mineur"
        elif outcome == AJOURNE:
            for pk in weakest[:2]:
                if codes[pk] not in GAP_CODES:
                    codes[pk] = "ecart_mineur"
        return codes, score

    def external_audit(self) -> None:
        rng, ref, when, net = self.rng, self.ref, self.when, self.net
        auditeur = rng.choice(net.auditeurs)
        lead = rng.choice(net.leads[auditeur.organisme_id])
        self.auditeur, self.lead = auditeur, lead
        assigned = when["assign_audit"]
        if "start_audit" in when:
            debut = when["start_audit"].date()
        else:  # planned: the visit is to come
            debut = max(
                self.c.end + dt.timedelta(days=rng.randint(3, 45)),
                assigned.date() + dt.timedelta(days=10),
            )
            while debut.weekday() >= 5:
                debut += dt.timedelta(days=1)
        fin = debut + dt.timedelta(days=rng.randint(0, 2))
        report_at = when.get("resubmit_audit_report") or when.get("submit_audit_report")
        first_report = when.get("submit_audit_report")
        if first_report is not None and first_report.date() <= fin:
            fin = max(debut, first_report.date() - dt.timedelta(days=1))
        self.debut, self.fin = debut, fin
        others = [v for v in self.c.net.mls if v.region == self.ml.region and v.pk != self.ml.pk]
        sites = f"Siège {de_ville(self.ml.ville)}"
        if others and rng.random() < 0.6:
            sites += f" ; antenne {de_ville(rng.choice(others).ville)}"
        S = Audit.Statut
        if self.stage == Statut.AUDIT_PLANIFIE:
            statut = S.PLANIFIE
        elif self.stage == Statut.AUDIT_EN_COURS:
            statut = {"en_cours": S.EN_COURS, "soumis": S.SOUMIS, "a_revoir": S.A_REVOIR}[
                self.audit_sub
            ]
        else:
            statut = S.VALIDE
        outcome = self.stage if self.stage in DECIDED else None
        codes, _score = self.findings(outcome)
        self.codes = codes
        if statut == S.PLANIFIE:
            filled = 0
        elif statut == S.EN_COURS:
            filled = round(rng.uniform(0.1, 0.9) * len(ref.criteres))
        else:
            filled = len(ref.criteres)
        started = when.get("start_audit")
        stop = (report_at or self.end_at) - dt.timedelta(hours=2)
        audit = Audit(
            dossier=self.dossier,
            organisme_id=auditeur.organisme_id,
            auditeur=auditeur,
            date_debut=debut,
            date_fin=fin,
            sites=sites,
            statut=statut,
            created_at=assigned,
        )
        self.audit = audit
        reported = statut in (S.SOUMIS, S.A_REVOIR, S.VALIDE)
        if reported:
            gap_codes = [codes[c.pk] for c in ref.criteres]
            majeurs = gap_codes.count("ecart_majeur")
            n_gaps = majeurs + gap_codes.count("ecart_mineur")
            if self.stage == "refuse" or majeurs >= 2:
                recommandation = Audit.Recommandation.DEFAVORABLE
            elif n_gaps >= 2 or majeurs or (n_gaps == 1 and rng.random() < 0.5):
                recommandation = Audit.Recommandation.RESERVE
            else:
                recommandation = Audit.Recommandation.FAVORABLE
            audit.points_forts = rng.choice(AUDIT_POINTS_FORTS)
            audit.progres = rng.choice(AUDIT_PROGRES)
            audit.avis_global = AVIS[recommandation]
            audit.recommandation = recommandation
            audit.version = rng.randint(3, 6)
            audit.soumis_le = report_at
        elif statut == S.EN_COURS and rng.random() < 0.5:
            audit.points_forts = rng.choice(AUDIT_POINTS_FORTS)
            audit.version = 1
        if statut == S.VALIDE:
            audit.valide_le = when["validate_audit_report"]
            audit.valide_par = lead.user
        self.rows.audits.append(audit)
        self.constats = {}
        for i, c in enumerate(ref.criteres):
            constat = Constat(audit=audit, critere_id=c.pk)
            if i < filled and started is not None:
                code = codes[c.pk]
                constat.niveau_id = ref.audit[code].pk
                if code in GAP_CODES or rng.random() < 0.65:
                    constat.observation = rng.choice(OBSERVATIONS[code])
                if rng.random() < 0.8:
                    constat.preuves_examinees = rng.choice(PREUVES_EXAMINEES)
                constat.version = rng.randint(1, 2)
                constat.updated_by = auditeur.user
                constat.updated_at = self.between(started, stop)
            self.constats[c.pk] = constat
            self.rows.constats.append(constat)
        self.rows.permissions.append(
            DossierUserObjectPermission(
                user=auditeur.user, permission=self.c.permission, content_object=self.dossier
            )
        )
        self.remarques = rng.choice(RETURN_REMARKS)
        if "return_audit_report" in when:
            self.rows.revues.append(
                Revue(
                    audit=audit,
                    decision=Revue.Decision.RENVOYE,
                    remarques=self.remarques,
                    par=lead.user,
                    le=when["return_audit_report"],
                )
            )
        if statut == S.VALIDE:
            self.rows.revues.append(
                Revue(
                    audit=audit,
                    decision=Revue.Decision.VALIDE,
                    par=lead.user,
                    le=when["validate_audit_report"],
                )
            )
            # The structure answers the gaps within the campaign's delay.
            validated = when["validate_audit_report"]
            deadline = _aware(
                timezone.localdate(validated)
                + dt.timedelta(days=self.c.campagne.delai_reponse_jours),
                17 * 60,
            )
            # Every gap is answered before the demande de labellisation.
            placed = when.get("demande_labellisation")
            elapsed = (self.end_at - validated) / (deadline - validated)
            for c in ref.criteres:
                if codes[c.pk] not in GAP_CODES:
                    continue
                u = rng.random()
                if placed is not None or u < min(0.85, elapsed):
                    envoye: dt.datetime | None = self.between(
                        validated, min(placed or self.end_at, deadline, self.end_at)
                    )
                elif u < min(0.85, elapsed) + 0.25:
                    envoye = None
                else:
                    continue
                action = self.actions_by_critere.get(c.pk) if rng.random() < 0.5 else None
                self.rows.reponses_ecart.append(
                    ReponseEcart(
                        constat=self.constats[c.pk],
                        action_corrective=rng.choice(ACTIONS_CORRECTIVES),
                        preuves=rng.choice(PREUVES_ECART),
                        action_plan=action,
                        envoye_le=envoye,
                        auteur=self.direction,
                        updated_at=envoye or self.between(validated, self.end_at),
                    )
                )
