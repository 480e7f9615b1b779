"""A dossier before the commission in the national data set: its point on a séance's agenda,
the automatic and declared recusals, the votes whose count gives the planned outcome, the
decision and, for a label, the certificate (and the reserves' action)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from audits.commission import tally as t
from audits.commission.models import Decision, Label, PointOrdreDuJour, Recusation, Vote
from campagnes.plans.models import Action

from .data import MOTIVATIONS
from .helpers import _label_end
from .parameters import DECIDED, GAP_CODES, MAJOR_GAP_RULE, RECUSAL_MOTIF
from .state import _DossierState


class _CommissionSteps(_DossierState):
    """The commission steps of `_Dossier`."""

    def commission(self) -> None:
        rng, when = self.rng, self.when
        seance = self.seance
        assert seance is not None
        placed = when["place_on_agenda"]
        president = seance.seance.president
        structures = {self.ml.pk, self.ml.parent_id}
        recused = [
            m for m in seance.membres if self.net.structures_of.get(m.pk, set()) & structures
        ]
        eligible = [m for m in seance.membres if m not in recused]
        point = PointOrdreDuJour(
            seance=seance.seance,
            dossier=self.dossier,
            rapporteur=rng.choice([m for m in eligible if m != president]),
            ordre=self.ordre,
        )
        self.point = point
        self.rows.points.append(point)
        for m in recused:
            self.rows.recusations.append(
                Recusation(
                    point=point,
                    membre=m,
                    automatique=True,
                    motif=RECUSAL_MOTIF,
                    created_at=placed,
                )
            )
        if self.stage not in DECIDED:
            return
        decided_at = when["decision"]
        if rng.random() < 0.04:  # a member declares a conflict of interest
            member = rng.choice([m for m in eligible if m not in (president, point.rapporteur)])
            eligible.remove(member)
            recused.append(member)
            self.rows.recusations.append(
                Recusation(
                    point=point,
                    membre=member,
                    automatique=False,
                    motif="Conflit d'intérêts déclaré : ancien administrateur de la structure",
                    created_at=self.between(placed, decided_at - dt.timedelta(hours=1)),
                )
            )
        has_major = any(code == "ecart_majeur" for code in self.codes.values())
        target = self.stage
        if target == "labellise_sous_reserve" and has_major and rng.random() < 0.5:
            target = "labellise"  # the commission votes the label, the campaign's rule tempers it
        members = [m.pk for m in seance.membres]
        votes, result = self.votes(target, eligible, members, [m.pk for m in recused])
        outcome = result.outcome
        assert outcome is not None
        motivation = rng.choice(MOTIVATIONS[outcome]).strip()
        if outcome == t.LABELLISE and self.c.campagne.ecart_majeur_bloquant and has_major:
            outcome = t.LABELLISE_SOUS_RESERVE
            motivation += MAJOR_GAP_RULE
        assert outcome == self.stage, (outcome, self.stage)
        self.outcome, self.motivation = outcome, motivation
        point.vote = PointOrdreDuJour.Vote.CLOS
        point.clos_le = decided_at - dt.timedelta(minutes=2)
        for membre_pk, choix in votes.items():
            self.rows.votes.append(
                Vote(
                    point=point,
                    membre_id=membre_pk,
                    choix=choix,
                    updated_at=decided_at - dt.timedelta(minutes=rng.randint(3, 40)),
                )
            )
        decision = Decision(
            point=point,
            dossier=self.dossier,
            resultat=outcome,
            motivation=motivation,
            decompte={
                "counts": result.counts,
                "eligible": result.eligible,
                "participants": result.participants,
            },
            decide_par=president.user,
            decide_le=decided_at,
        )
        self.rows.decisions.append(decision)
        if outcome not in (t.LABELLISE, t.LABELLISE_SOUS_RESERVE):
            return
        day = timezone.localdate(decided_at)
        # audits.commission.services.label_period: a label still in force on the decision day
        # is followed without a gap (from the day after it ends).
        in_force = [
            label.date_fin
            for label in self.c.labels_of.get(self.ml.pk, [])
            if label.created_at < decided_at  # granted before
            and label.statut == Label.Statut.VALIDE
            and label.date_fin >= day
        ]
        start = max(in_force) + dt.timedelta(days=1) if in_force else day
        self.rows.labels.append(
            Label(
                structure=self.ml,
                decision=decision,
                numero="",  # numbered in the order of the decisions, at writing
                date_debut=start,
                date_fin=_label_end(start, self.c.campagne.validite_label_annees),
                reserves=motivation if outcome == t.LABELLISE_SOUS_RESERVE else "",
                created_at=decided_at,
            )
        )
        if outcome == t.LABELLISE_SOUS_RESERVE:
            # audits.commission.services._reserve_criteres: the gaps, else the improvement tracks.
            criteres = [c.pk for c in self.ref.criteres if self.codes[c.pk] in GAP_CODES] or [
                c.pk for c in self.ref.criteres if self.codes[c.pk] == "piste_de_progres"
            ]
            action = Action(
                plan=self.plan,
                titre="Lever les réserves de la commission",
                description=motivation.strip(),
                echeance=day + dt.timedelta(days=180),
                priorite=Action.Priorite.HAUTE,
                origine=Action.Origine.RESERVE,
                created_by=president.user,
                created_at=decided_at,
                updated_at=decided_at,
            )
            self.rows.actions.append(action)
            self.rows.action_criteres.append((action, criteres or [self.ref.criteres[0].pk]))

    def votes(
        self, target: str, eligible: list[Any], members: list[int], recused: list[int]
    ) -> tuple[dict[int, str], Any]:
        """Votes of the members present whose count gives `target` (audits.commission.tally)."""
        rng = self.rng
        mix = {
            t.LABELLISE: ([t.FAVORABLE, t.FAVORABLE_AVEC_RESERVES, t.ABSTENTION], [72, 16, 12]),
            t.LABELLISE_SOUS_RESERVE: (
                [t.FAVORABLE_AVEC_RESERVES, t.FAVORABLE, t.DEFAVORABLE, t.ABSTENTION],
                [68, 14, 6, 12],
            ),
            t.REFUSE: ([t.DEFAVORABLE, t.FAVORABLE_AVEC_RESERVES, t.ABSTENTION], [70, 15, 15]),
        }
        needed = t.quorum_required(len(eligible))
        for _attempt in range(50):
            absent = min(rng.choice([0, 0, 1, 1, 2]), len(eligible) - needed)
            voters = rng.sample(eligible, len(eligible) - absent)
            if target == t.AJOURNE:  # a tie between the two leading options
                pair = rng.choice(
                    [
                        (t.FAVORABLE_AVEC_RESERVES, t.DEFAVORABLE),
                        (t.FAVORABLE, t.FAVORABLE_AVEC_RESERVES),
                    ]
                )
                half = len(voters) // 2
                choices = [pair[0]] * half + [pair[1]] * half + [t.ABSTENTION] * (len(voters) % 2)
            else:
                options, weights = mix[target]
                choices = rng.choices(options, weights, k=len(voters))
            votes = {m.pk: choix for m, choix in zip(voters, choices, strict=True)}
            result = t.tally(members, recused, votes)
            if result.quorum and result.outcome == target:
                return votes, result
        raise AssertionError(f"no vote gives {target}")
