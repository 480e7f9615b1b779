"""Issue 14: the national seed (labelml/demo/national/) writes with `bulk_create` the rows that
the workflow's services write, for every state it leaves a dossier in.

The proof is a comparison. A small, deterministic national run (`seed_national(campaigns=2,
missions_locales=…)`) plans and bulk-writes dossiers at every stage, in both campaigns, and
through every branch of the story (`BRANCHES`: a reopened self-assessment, a returned report,
an audit in progress, submitted or sent back, draft answers to the gaps, a declared conflict of
interest, a renewal of the earlier campaign's label…). The structures whose dossiers, together,
take every branch are then lived again through the real services (`Replay`), by a twin Mission
Locale (same ARML, same roles), campaign after campaign in the same campaigns: each seeded
dossier's history (`DossierTransition`) is the script, one service call per step
(`open_campagne`, `submit_autoevaluation`, `reopen_autoevaluation`, `submit_plan`,
`request_audit`, `assign_audit`, `start_audit`, `submit_audit_report`, `return_audit_report`,
`validate_audit_report`, `file_demande`, `add_to_agenda`, `decide`…), and its rows are what
people type in between (the answers, field by field through the autosave services, or
confirmed on a renewal; the plan's actions; the findings and the report; the answers to the
gaps; the recusals, votes and motivation). The services check who may do what, so an actor
the seed got wrong fails too.
Then the rows of each pair of dossiers are compared, table by table, once normalised (`Shape`):

- the tables that have rows: every row reachable from the dossier through reverse foreign keys,
  all the way down (self-assessment, answers, syntheses, snapshots, plan, actions and their
  criteria, audit, findings, reviews, gap answers, guardian permission, agenda point,
  recusals, votes, decision, label, history). The services must write nothing outside these
  trees but the séances the replay creates (checked on the row counts of every table);
- per row, every concrete field: ids dropped; timestamps and dates as set or empty, but for a
  label's validity (checked against audits.commission.services.label_period's rule on each
  side's own time line) and the reserves' deadline; foreign keys as what they point to (a code
  of the référentiel, the person's role in the structure or their e-mail, the owning row, the
  campaign of the dossier a renewal continues); save counters (`version`) and agenda order as
  zero or positive; certificate numbers as their pattern; texts and JSON exactly, but for the
  structure's code and name, fingerprints, certificate numbers and dates;
- the history in order: (action, from, to, actor, reason) per step.

The only tables left out are the side effects the seed documents that it does not write:
notifications and the autosave history (`Saisie`). A new row, table, field or transition
written by the services shows up as a difference: `test_the_comparison_is_a_real_check`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from audits import services as audit_services
from audits.commission import services as commission_services
from audits.commission.models import Decision, Label, PointOrdreDuJour, Recusation, Seance, Vote
from audits.models import Audit, Constat, ReponseEcart, Revue
from campagnes import services as campagne_services
from campagnes import workflow
from campagnes.autoevaluations import services as autoevaluation_services
from campagnes.autoevaluations.models import Reponse, SyntheseCritere
from campagnes.models import Campagne, Dossier, DossierTransition
from campagnes.plans import services as plan_services
from campagnes.plans.models import Action
from labelml.demo.dossiers import CAMPAGNE
from labelml.demo.national import seed_national
from labelml.demo.national.parameters import MAJOR_GAP_RULE
from labelml.demo.network import MLS as DEMO_MLS
from labelml.structures.models import Membership, Structure
from referentiel.models import Niveau
from tests.worlds import rolled_back_world

pytestmark = pytest.mark.django_db

Statut = Dossier.Statut
User = get_user_model()

# The small run, two campaigns (the command's default) with the seed's default seed: the small
# demo's six Missions Locales (their dossiers are the small demo's, left out here) and 68 more,
# enough for every stage and every branch of the story (`BRANCHES`) to be bulk-written at least
# once, whatever the day (`representatives` says which one is missing otherwise: raise the
# count).
MISSIONS_LOCALES = 6 + 68
SEED = 2026

# What the seed documents it does not write (labelml/demo/national/__init__.py).
SIDE_EFFECTS = {"notifications.Notification", "autoevaluations.Saisie"}
# The rows a dossier points to but does not own: shared with other dossiers in the seed.
# Rows shared by every dossier: the séances, and the year's certificate counter.
SHARED = {"commission.Seance", "commission.Seance_membres", "commission.CompteurCertificat"}

STAGES = (
    Statut.AUTOEVALUATION,
    Statut.PLAN_AMELIORATION,
    Statut.AUDIT_A_PLANIFIER,
    Statut.AUDIT_PLANIFIE,
    Statut.AUDIT_EN_COURS,
    Statut.REPONSE_STRUCTURE,
    Statut.EN_COMMISSION,
    Statut.LABELLISE,
    Statut.LABELLISE_SOUS_RESERVE,
    Statut.REFUSE,
    "ajourne",  # back in plan_amelioration, with a decision
)


# --- The rows of a dossier -------------------------------------------------------------------


def _reverse_relations(model: type[models.Model]) -> list[Any]:
    """The foreign keys pointing to `model` (hidden ones included: notifications, m2m through
    tables), except a dossier's renewals and an action's carry-overs (rows of other dossiers)."""
    out = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        if rel.related_model is Dossier or rel.field.name == "reprise_de":
            continue
        out.append(rel)
    return out


def owned_rows(dossier: Dossier) -> dict[str, list[models.Model]]:
    """Every row reachable from the dossier through reverse foreign keys, by table."""
    rows: dict[str, list[models.Model]] = defaultdict(list)
    seen: set[tuple[str, Any]] = set()
    frontier: dict[type[models.Model], list[Any]] = {Dossier: [dossier.pk]}
    rows["campagnes.Dossier"].append(Dossier.objects.get(pk=dossier.pk))
    seen.add(("campagnes.Dossier", dossier.pk))
    while frontier:
        following: dict[type[models.Model], list[Any]] = defaultdict(list)
        for model, pks in frontier.items():
            for rel in _reverse_relations(model):
                related = rel.related_model
                for obj in related._base_manager.filter(**{f"{rel.field.name}__in": pks}):
                    key = (related._meta.label, obj.pk)
                    if key in seen:
                        continue
                    seen.add(key)
                    rows[related._meta.label].append(obj)
                    following[related].append(obj.pk)
        frontier = following
    return rows


def table_counts() -> Counter[str]:
    return Counter(
        {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models(include_auto_created=True)
        }
    )


HEX = re.compile(r"\b[0-9a-f]{12,64}\b")
CERTIFICATE = re.compile(r"LML-\d{4}-\d{5}")
DAY = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


class Shape:
    """The normalised rows of one dossier (see the module's docstring)."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = Dossier.objects.select_related("structure", "campagne").get(pk=dossier.pk)
        self.structure = self.dossier.structure
        self.roles = {
            user_id: f"<{role}>"
            for user_id, role in Membership.objects.filter(structure=self.structure).values_list(
                "user_id", "role"
            )
        }
        self.rows = owned_rows(self.dossier)
        self.owned = {(label, obj.pk): obj for label, objs in self.rows.items() for obj in objs}
        self.refs = self._load_references()
        decision = next(iter(self.rows.get("commission.Decision", [])), None)
        self.decided = timezone.localdate(decision.decide_le) if decision else None
        self.labels = list(Label.objects.filter(structure=self.structure))

    # -- what a foreign key points to

    def _load_references(self) -> dict[tuple[str, Any], models.Model]:
        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        for objs in self.rows.values():
            for obj in objs:
                for f in obj._meta.concrete_fields:
                    value = getattr(obj, f.attname)
                    if f.is_relation and value is not None:
                        if (f.related_model._meta.label, value) not in self.owned:
                            wanted[f.related_model].add(value)
        refs: dict[tuple[str, Any], models.Model] = {}
        for model, pks in wanted.items():
            for pk, obj in model._base_manager.in_bulk(pks).items():
                refs[(model._meta.label, pk)] = obj
        users = {getattr(obj, "user_id", None) for obj in refs.values()} - {None}
        for pk, user in User._base_manager.in_bulk(users).items():
            refs[(User._meta.label, pk)] = user
        return refs

    def who(self, user_id: Any) -> str:
        if user_id in self.roles:
            return self.roles[user_id]
        return str(self.refs[(User._meta.label, user_id)].email)

    def reference(self, field: Any, pk: Any) -> str:
        label = field.related_model._meta.label
        own = self.owned.get((label, pk))
        if own is not None:
            return f"{label}[{self.natural_key(own)}]"
        obj = self.refs[(label, pk)]
        if label == User._meta.label:
            return self.who(pk)
        if hasattr(obj, "user_id"):  # Auditeur, MembreCommission
            return self.who(obj.user_id)
        if isinstance(obj, Structure):
            return "<structure>" if obj.pk == self.structure.pk else obj.code
        if isinstance(obj, Seance):
            return "<séance>"
        if isinstance(obj, Dossier):  # the dossier a renewal continues
            return f"<dossier {Campagne.objects.get(pk=obj.campagne_id).nom}>"
        for name in ("code", "codename", "nom"):
            if hasattr(obj, name):
                return f"{label}:{getattr(obj, name)}"
        return f"{label}:{obj}"

    def natural_key(self, obj: models.Model) -> str:
        if isinstance(obj, Reponse):
            return self.reference(Reponse._meta.get_field("element"), obj.element_id)
        if isinstance(obj, SyntheseCritere | Constat):
            return self.reference(type(obj)._meta.get_field("critere"), obj.critere_id)
        if isinstance(obj, Action):
            return obj.titre
        return ""

    # -- values

    def text(self, value: str) -> str:
        for real, placeholder in (
            (self.structure.nom, "<structure.nom>"),
            (self.structure.code, "<structure.code>"),
        ):
            value = value.replace(real, placeholder)
        value = CERTIFICATE.sub("<LML-YYYY-NNNNN>", value)
        return DAY.sub("<jj/mm/aaaa>", HEX.sub("<empreinte>", value))

    def json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def value(self, obj: models.Model, field: Any) -> Any:
        value = getattr(obj, field.attname)
        if value is None:
            return None
        if field.is_relation:
            return self.reference(field, value)
        if isinstance(obj, DossierTransition) and field.name == "subject_id":
            # The journal row's subject: its own dossier, or a follow-up's or a label's row.
            if obj.subject == DossierTransition.Subject.DOSSIER:
                return "<the dossier>" if value == obj.dossier_id else value
            return "<its subject>"
        if isinstance(obj, Label) and field.name in ("date_debut", "date_fin"):
            return self.label_dates(obj)[field.name]
        if isinstance(obj, Action) and obj.origine == Action.Origine.RESERVE:
            if field.name == "echeance" and self.decided is not None:
                return "<décision + 180 j>" if value == self.decided + dt.timedelta(180) else value
        if isinstance(field, models.DateField):  # and DateTimeField: when it happened
            return "<date>"
        if field.name in ("version", "ordre"):  # how many saves, the place on the agenda
            return "<0>" if value == 0 else "<positive>"
        if isinstance(field, models.JSONField):
            return repr(self.json(value))
        if isinstance(value, str):
            if CERTIFICATE.fullmatch(value):
                return "<LML-YYYY-NNNNN>"
            return self.text(value)
        return value

    def label_dates(self, label: Label) -> dict[str, str]:
        """The label's validity as audits.commission.services.label_period gives it: from the
        decision day, or from the day after the label then in force; for the campaign's
        validity."""
        assert self.decided is not None
        in_force = [
            other.date_fin
            for other in self.labels
            if other.created_at < label.created_at  # granted before this one
            and other.statut == Label.Statut.VALIDE
            and other.date_fin >= self.decided
        ]
        start = max(in_force) + dt.timedelta(days=1) if in_force else self.decided
        years = self.dossier.campagne.validite_label_annees
        end = start.replace(year=start.year + years) - dt.timedelta(days=1)
        return {
            "date_debut": "<label_period>"
            if label.date_debut == start
            else f"<{label.date_debut} au lieu de {start}>",
            "date_fin": "<label_period>" if label.date_fin == end else f"<{label.date_fin}>",
        }

    def row(self, obj: models.Model) -> tuple[tuple[str, Any], ...]:
        return tuple(
            (f.name, self.value(obj, f)) for f in obj._meta.concrete_fields if not f.primary_key
        )

    def tables(self) -> dict[str, Any]:
        """Table → multiset of normalised rows (the history: its sequence of steps)."""
        out: dict[str, Any] = {}
        for label, objs in self.rows.items():
            if label in SIDE_EFFECTS:
                continue
            if label == "campagnes.DossierTransition":
                ordered = sorted(objs, key=lambda t: (t.at, t.pk))
                out[label] = [self.row(t) for t in ordered]
            else:
                out[label] = Counter(self.row(obj) for obj in objs)
        return out


def differences(seeded: dict[str, Any], lived: dict[str, Any]) -> list[str]:
    out = []
    for table in sorted(set(seeded) | set(lived)):
        if table not in lived:
            out.append(f"{table} : écrit par le jeu national, pas par les services")
            continue
        if table not in seeded:
            out.append(f"{table} : écrit par les services, pas par le jeu national")
            continue
        a, b = seeded[table], lived[table]
        if a == b:
            continue
        if isinstance(a, list):
            out.append(
                f"{table} : historique différent\n  jeu national : "
                + "\n    ".join(map(str, a))
                + "\n  services : "
                + "\n    ".join(map(str, b))
            )
            continue
        only_seeded, only_lived = a - b, b - a
        out.append(
            f"{table} : {sum(a.values())} ligne(s) écrites par le jeu national, "
            f"{sum(b.values())} par les services"
            + "".join(
                f"\n  jeu national seul ({n}×) : {_fields_apart(row, only_lived)}"
                for row, n in list(only_seeded.items())[:3]
            )
            + "".join(
                f"\n  services seuls ({n}×) : {_fields_apart(row, only_seeded)}"
                for row, n in list(only_lived.items())[:3]
            )
        )
    return out


def _fields_apart(row: tuple, others: Counter) -> str:
    """The row, or only its fields that differ from the closest row of the other side."""
    if not others:
        return str(dict(row))
    closest = min(others, key=lambda other: sum(x != y for x, y in zip(row, other, strict=True)))
    return str({k: v for (k, v), o in zip(row, closest, strict=True) if (k, v) != o})


# --- Living a seeded dossier again through the services ---------------------------------------


class Replay:
    """The dossiers of a seeded structure, campaign after campaign, lived again through the
    services by a twin structure (same ARML, same roles)."""

    def __init__(self, structure: Structure, admin: Any) -> None:
        self.admin = admin
        self.twin = Structure.objects.create(
            code=f"{structure.code}-services",
            nom=f"{structure.nom} (services)",
            type=structure.type,
            parent_id=structure.parent_id,
            region=structure.region,
            ville=structure.ville,
        )
        self.people: dict[Any, Any] = {}  # a person of the seeded structure → the twin's
        for m in Membership.objects.filter(structure=structure).select_related("user"):
            user = User.objects.create(
                email=f"{m.role}.{self.twin.code}@services.test",
                first_name=m.user.first_name,
                last_name=m.user.last_name,
            )
            Membership.objects.create(user=user, structure=self.twin, role=m.role)
            self.people[m.user_id] = user
        self.actions: dict[int, Action] = {}  # a seeded action (pk) → the lived one

    def person(self, user: Any) -> Any:
        return None if user is None else self.people.get(user.pk, user)

    def live(self, seeded: Dossier) -> Dossier:
        """One dossier's story: its history is the script, one service call per step. The
        story is replayed today: the campaign's self-assessment period, enforced by the
        services, is stretched to include today for the replay, then given back."""
        with self.period_open_today(seeded.campagne):
            return self._live(seeded)

    @staticmethod
    @contextmanager
    def period_open_today(campagne: Campagne) -> Iterator[None]:
        dates = (campagne.date_ouverture, campagne.date_cloture_autoevaluation)
        today = timezone.localdate()
        stretched = (min(dates[0], today), max(dates[1], today))

        def put(values: tuple[dt.date, dt.date]) -> None:
            campagne.date_ouverture, campagne.date_cloture_autoevaluation = values
            Campagne.objects.filter(pk=campagne.pk).update(
                date_ouverture=values[0], date_cloture_autoevaluation=values[1]
            )

        put(stretched)
        try:
            yield
        finally:
            put(dates)

    def _live(self, seeded: Dossier) -> Dossier:
        self.seeded = seeded
        self.history = list(
            DossierTransition.objects.filter(dossier=seeded)
            .select_related("actor")
            .order_by("at", "pk")
        )
        self.snapshots = list(seeded.snapshots.order_by("numero"))
        self.audit = Audit.objects.filter(dossier=seeded).select_related("auditeur__user").first()
        self.point = (
            PointOrdreDuJour.objects.filter(dossier=seeded)
            .select_related("seance__president__user", "rapporteur")
            .first()
        )
        self.submissions = 0
        self.plan_made = self.findings_recorded = self.gaps_answered = False
        self.lived_point: PointOrdreDuJour | None = None
        first, *steps = self.history
        assert first.action in ("open", "open_renewal") and first.from_state == "", first
        # The campaign opens: a renewal if the twin holds a label in force.
        report = campagne_services.open_campagne(
            actor=self.admin, campagne=seeded.campagne, structures=[self.twin]
        )
        self.dossier = report.created[0]
        self.carried_over()
        for step in steps:
            action = "decision" if step.action.startswith("decision_") else step.action
            handler = getattr(self, action, None)
            assert handler is not None, f"étape inconnue du rejeu : {step.action}"
            handler(step, self.person(step.actor))
        self.work_in_progress()
        self.dossier.refresh_from_db()
        return self.dossier

    # -- the self-assessment

    def fill(self, content: dict, *, final: bool = False) -> None:
        """Type `content` (a snapshot's) into the self-assessment, field by field, as the
        person who saved each answer of the seeded dossier; confirm the answers copied from the
        previous dossier that stay as they are. `final`: the self-assessment in progress, whose
        answers the seeded dossier still has to confirm are left so."""
        seeded_rows = {
            code: (user_id, pending)
            for code, user_id, pending in Reponse.objects.filter(
                autoevaluation__dossier=self.seeded
            ).values_list("element__code", "updated_by", "a_confirmer")
        }
        users = User.objects.in_bulk({u for u, _p in seeded_rows.values()} - {None})
        referentiel = self.seeded.campagne.referentiel
        niveaux = {
            n.code: n
            for n in Niveau.objects.filter(echelle_id=referentiel.echelle_autoevaluation_pk)
        }
        target = {r["element"]: r for r in content["reponses"]}
        for reponse in (
            Reponse.objects.filter(autoevaluation__dossier=self.dossier)
            .select_related("element", "autoevaluation__dossier__structure", "niveau")
            .order_by("element__ordre")
        ):
            user_id, pending = seeded_rows[reponse.element.code]
            if (final and pending) or user_id is None:
                continue  # nobody touched it: as the opening wrote it
            wanted = target[reponse.element.code]
            actor = self.person(users.get(user_id))
            niveau = niveaux[wanted["niveau"]] if wanted["niveau"] else None
            changed = False
            if niveau != reponse.niveau:
                reponse.version = autoevaluation_services.save_reponse_field(
                    reponse=reponse,
                    actor=actor,
                    champ="niveau",
                    valeur=str(niveau.pk) if niveau else "",
                    version=reponse.version,
                ).version
                changed = True
            if wanted["justification"] != reponse.justification:
                autoevaluation_services.save_reponse_field(
                    reponse=reponse,
                    actor=actor,
                    champ="justification",
                    valeur=wanted["justification"],
                    version=reponse.version,
                )
                changed = True
            if reponse.a_confirmer and not changed:
                autoevaluation_services.confirm_reponse(
                    reponse=reponse, actor=actor, version=reponse.version
                )
        seeded_syntheses = {
            s.critere.code: s
            for s in SyntheseCritere.objects.filter(
                autoevaluation__dossier=self.seeded
            ).select_related("critere", "updated_by")
        }
        texts = {s["critere"]: s for s in content["syntheses"]}
        for synthese in (
            SyntheseCritere.objects.filter(autoevaluation__dossier=self.dossier)
            .select_related("critere", "autoevaluation__dossier__structure")
            .order_by("critere__ordre")
        ):
            seeded = seeded_syntheses[synthese.critere.code]
            if (final and seeded.a_confirmer) or seeded.updated_by is None:
                continue  # nobody touched it: as the opening wrote it
            actor = self.person(seeded.updated_by)
            changed = False
            for champ in ("synthese", "points_forts", "axes_amelioration"):
                valeur = texts[synthese.critere.code][champ]
                if valeur != getattr(synthese, champ):
                    synthese.version = autoevaluation_services.save_synthese_field(
                        synthese=synthese,
                        actor=actor,
                        champ=champ,
                        valeur=valeur,
                        version=synthese.version,
                    ).version
                    setattr(synthese, champ, valeur)
                    changed = True
            if synthese.a_confirmer and not changed:
                autoevaluation_services.confirm_synthese(
                    synthese=synthese, actor=actor, version=synthese.version
                )

    def submit_autoevaluation(self, step: DossierTransition, actor: Any) -> None:
        self.fill(self.snapshots[self.submissions].contenu)
        self.submissions += 1
        autoevaluation_services.submit_autoevaluation(self.dossier, actor)

    def reopen_autoevaluation(self, step: DossierTransition, actor: Any) -> None:
        workflow.reopen_autoevaluation(self.dossier, actor, step.reason)

    # -- the improvement plan

    def carried_over(self) -> None:
        """A renewal's actions carried over from the previous plan (by the opening), matched
        with the seeded ones through the action they continue."""
        lived = {
            a.reprise_de_id: a
            for a in Action.objects.filter(
                plan__dossier=self.dossier, origine=Action.Origine.REPRISE
            )
        }
        for action in Action.objects.filter(
            plan__dossier=self.seeded, origine=Action.Origine.REPRISE
        ):
            original = self.actions.get(action.reprise_de_id)
            if original is not None and original.pk in lived:
                self.actions[action.pk] = lived[original.pk]

    def make_plan(self) -> None:
        """The plan's new actions, as typed in the action form (origin: a suggestion when it
        answers an element), by whoever created them, with their state and progress."""
        if self.plan_made:
            return
        self.plan_made = True
        for action in (
            Action.objects.filter(plan__dossier=self.seeded)
            .exclude(origine__in=[Action.Origine.RESERVE, Action.Origine.REPRISE])
            .select_related("created_by", "responsable", "element_source")
            .prefetch_related("criteres")
            .order_by("created_at", "pk")
        ):
            self.actions[action.pk] = plan_services.create_action(
                actor=self.person(action.created_by),
                dossier=self.dossier,
                titre=action.titre,
                criteres=list(action.criteres.all()),
                description=action.description,
                responsable=self.person(action.responsable),
                echeance=action.echeance,
                priorite=action.priorite,
                statut=action.statut,
                avancement=action.avancement,
                element_source=action.element_source,
                origine=action.origine,
            )

    def submit_plan(self, step: DossierTransition, actor: Any) -> None:
        self.make_plan()
        plan_services.submit_plan(self.dossier, actor)

    def request_audit(self, step: DossierTransition, actor: Any) -> None:
        self.make_plan()
        plan_services.request_audit(self.dossier, actor)

    # -- the external audit

    def assign_audit(self, step: DossierTransition, actor: Any) -> None:
        audit = self.audit
        assert audit is not None
        audit_services.assign_audit(
            self.dossier,
            actor,
            auditeur=audit.auditeur,
            date_debut=audit.date_debut,
            date_fin=audit.date_fin,
            sites=audit.sites,
        )

    def start_audit(self, step: DossierTransition, actor: Any) -> None:
        audit_services.start_audit(self.dossier, actor)

    def record_findings(self) -> None:
        """The auditor's findings, field by field, and the report's global fields."""
        if self.findings_recorded:
            return
        self.findings_recorded = True
        assert self.audit is not None
        lived = {
            c.critere_id: c
            for c in Constat.objects.filter(audit__dossier=self.dossier).select_related(
                "audit__dossier__structure", "audit__dossier__campagne__referentiel"
            )
        }
        for seeded in (
            Constat.objects.filter(audit=self.audit)
            .select_related("updated_by", "niveau")
            .order_by("critere__ordre")
        ):
            constat = lived[seeded.critere_id]
            for champ, valeur in (
                ("niveau", str(seeded.niveau_id or "")),
                ("observation", seeded.observation),
                ("preuves_examinees", seeded.preuves_examinees),
            ):
                if valeur:
                    constat.version = audit_services.save_constat_field(
                        constat=constat,
                        actor=self.person(seeded.updated_by),
                        champ=champ,
                        valeur=valeur,
                        version=constat.version,
                    ).version
        audit = Audit.objects.select_related("dossier__structure").get(dossier=self.dossier)
        for champ in ("points_forts", "progres", "avis_global", "recommandation"):
            valeur = getattr(self.audit, champ)
            if valeur:
                audit.version = audit_services.save_audit_field(
                    audit=audit,
                    actor=self.audit.auditeur.user,
                    champ=champ,
                    valeur=valeur,
                    version=audit.version,
                ).version

    def submit_audit_report(self, step: DossierTransition, actor: Any) -> None:
        self.record_findings()
        audit_services.submit_audit_report(self.dossier, actor)

    def return_audit_report(self, step: DossierTransition, actor: Any) -> None:
        # The remarks are in the seeded review, never in the journal.
        remarques = (
            Revue.objects.filter(audit__dossier=self.seeded, decision=Revue.Decision.RENVOYE)
            .order_by("le", "pk")
            .values_list("remarques", flat=True)
            .first()
        )
        audit_services.return_audit_report(self.dossier, actor, remarques or "")

    def validate_audit_report(self, step: DossierTransition, actor: Any) -> None:
        audit_services.validate_audit_report(self.dossier, actor)

    def answer_gaps(self) -> None:
        """The structure's answers to the gaps, drafts or sent, linked to the plan's actions."""
        if self.gaps_answered:
            return
        self.gaps_answered = True
        self.make_plan()
        lived = {c.critere_id: c for c in Constat.objects.filter(audit__dossier=self.dossier)}
        for answer in (
            ReponseEcart.objects.filter(constat__audit__dossier=self.seeded)
            .select_related("constat", "auteur")
            .order_by("constat__critere__ordre")
        ):
            audit_services.answer_gap(
                constat=lived[answer.constat.critere_id],
                actor=self.person(answer.auteur),
                action_corrective=answer.action_corrective,
                preuves=answer.preuves,
                action_plan=self.actions[answer.action_plan_id] if answer.action_plan_id else None,
                envoyer=answer.envoye_le is not None,
            )

    def demande_labellisation(self, step: DossierTransition, actor: Any) -> None:
        self.answer_gaps()
        audit_services.file_demande(self.dossier, actor, step.reason)

    # -- the commission

    def place_on_agenda(self, step: DossierTransition, actor: Any) -> None:
        self.answer_gaps()
        point = self.point
        assert point is not None
        seance = point.seance
        membres = [m for m in seance.membres.all() if m.pk != seance.president_id]
        lived = commission_services.create_seance(
            actor=self.admin,
            date=seance.date,
            president=seance.president,
            membres=membres,
            lieu=seance.lieu,
        )
        self.lived_point = commission_services.add_to_agenda(
            actor=actor, seance=lived, dossier=self.dossier, rapporteur=point.rapporteur
        )

    def decision(self, step: DossierTransition, actor: Any) -> None:
        point, lived = self.point, self.lived_point
        assert point is not None and lived is not None
        for recusation in Recusation.objects.filter(point=point, automatique=False).select_related(
            "membre__user"
        ):
            commission_services.declare_conflict(
                point=lived, user=recusation.membre.user, motif=recusation.motif
            )
        for vote in Vote.objects.filter(point=point).select_related("membre__user"):
            commission_services.cast_vote(point=lived, user=vote.membre.user, choix=vote.choix)
        commission_services.close_vote(point=lived, user=actor)
        motivation = Decision.objects.get(point=point).motivation
        commission_services.decide(
            point=lived, user=actor, motivation=motivation.removesuffix(MAJOR_GAP_RULE)
        )
        reserves = Action.objects.filter(origine=Action.Origine.RESERVE)
        for seeded, action in zip(
            reserves.filter(plan__dossier=self.seeded).order_by("pk"),
            reserves.filter(plan__dossier=self.dossier).order_by("pk"),
            strict=False,
        ):
            self.actions[seeded.pk] = action

    # -- where the dossier stands

    def work_in_progress(self) -> None:
        """What was done since the last step: the self-assessment in progress, the plan not
        submitted yet, the findings of an audit in progress, the answers to the gaps."""
        self.dossier.refresh_from_db()
        statut = self.dossier.statut
        if statut == Statut.AUTOEVALUATION:
            self.fill(autoevaluation_services.snapshot_content(self.seeded), final=True)
        if statut in (Statut.AUTOEVALUATION, Statut.PLAN_AMELIORATION):
            self.make_plan()
        if statut == Statut.AUDIT_EN_COURS:
            self.record_findings()
        if statut == Statut.REPONSE_STRUCTURE:
            self.answer_gaps()


# --- The comparison --------------------------------------------------------------------------


def stage_of(dossier: Dossier) -> str:
    if Decision.objects.filter(dossier=dossier, resultat="ajourne").exists():
        return "ajourne"
    return dossier.statut


def variants(dossier: Dossier) -> set[str]:
    """The branches of the story the seeded dossier took (an earlier campaign's marked so)."""
    actions = list(dossier.transitions.values_list("action", flat=True))
    audit = Audit.objects.filter(dossier=dossier).first()
    out = {f"stage:{stage_of(dossier)}"}
    if "reopen_autoevaluation" in actions:
        out.add("reopened" if actions.count("submit_autoevaluation") == 1 else "resubmitted")
    if dossier.statut == Statut.AUTOEVALUATION and "submit_autoevaluation" not in actions:
        out.add("self-assessment in progress")
        if Action.objects.filter(plan__dossier=dossier).exclude(origine="reprise").exists():
            out.add("actions while self-assessing")
    if dossier.statut == Statut.PLAN_AMELIORATION and stage_of(dossier) != "ajourne":
        out.add("plan submitted" if "submit_plan" in actions else "plan in progress")
    if "return_audit_report" in actions:
        out.add("report returned")
    if audit is not None and dossier.statut == Statut.AUDIT_EN_COURS:
        out.add(f"audit {audit.statut}")
    if Recusation.objects.filter(point__dossier=dossier, automatique=False).exists():
        out.add("declared conflict")
    if ReponseEcart.objects.filter(constat__audit__dossier=dossier, envoye_le=None).exists():
        out.add("draft gap answer")
    if dossier.renouvellement_de_id:
        out.add("renewal")
        if Reponse.objects.filter(autoevaluation__dossier=dossier, a_confirmer=True).exists():
            out.add("renewal answers to confirm")
        if Action.objects.filter(plan__dossier=dossier, origine="reprise").exists():
            out.add("actions carried over")
    label = Label.objects.filter(decision__dossier=dossier).first()
    if label is not None and label.date_debut > timezone.localdate(label.decision.decide_le):
        out.add("label following the one in force")
    prefix = "" if dossier.campagne.nom == CAMPAGNE else "earlier campaign "
    return {prefix + v for v in out}


def compare(structure: Structure, admin: Any) -> list[str]:
    """The differences between the structure's seeded dossiers and the same stories lived
    through the services, and the rows the services wrote outside the dossiers."""
    seeded = list(
        Dossier.objects.filter(structure=structure)
        .select_related("campagne", "structure")
        .order_by("campagne__date_ouverture")
    )
    before = table_counts()
    replay = Replay(structure, admin)
    setup = table_counts() - before
    lived = [replay.live(dossier) for dossier in seeded]
    written = table_counts() - before - setup
    out = []
    in_tree: Counter[str] = Counter()
    for a, b in zip(seeded, lived, strict=True):
        diffs = differences(Shape(a).tables(), Shape(b).tables())
        if b.statut != a.statut:
            diffs.append(f"état : {a.statut} (jeu national), {b.statut} (services)")
        out += [f"[{a.campagne.nom}] {d}" for d in diffs]
        in_tree += Counter({label: len(objs) for label, objs in owned_rows(b).items()})
    outside = {label: n for label, n in (written - in_tree).items() if label not in SHARED and n}
    if outside:
        out.append(f"lignes écrites par les services hors des dossiers : {outside}")
    return out


@pytest.fixture(scope="module")
def small_national_run(django_db_setup, django_db_blocker) -> Iterator[tuple[list[Structure], Any]]:
    """The small run, two campaigns (2023 then 2026: the command's default), seeded once for
    the module in a transaction rolled back after its last test (each test runs in a savepoint
    of it, rolled back too)."""
    with rolled_back_world(django_db_blocker) as settle:
        seed_national(campaigns=2, missions_locales=MISSIONS_LOCALES, seed=SEED)
        demo = {code for code, *_ in DEMO_MLS}
        structures = list(
            Structure.objects.filter(type=Structure.Type.MISSION_LOCALE, dossiers__isnull=False)
            .exclude(code__in=demo)
            .distinct()
            .order_by("code")
        )
        admin = User.objects.get(email="admin@demo.labelml.fr")
        yield settle((structures, admin))


BRANCHES = {
    *(f"stage:{stage}" for stage in STAGES),
    "self-assessment in progress",
    "actions while self-assessing",
    "reopened",  # submitted, then reopened by an administrator
    "resubmitted",  # reopened and submitted again: two snapshots
    "plan in progress",
    "plan submitted",
    "audit en_cours",
    "audit soumis",
    "audit a_revoir",
    "report returned",  # returned by the lead auditor, submitted again, validated
    "draft gap answer",
    "declared conflict",  # a member of the séance declares a conflict of interest
    # The current campaign renews the labels of the earlier one (SPEC §7b).
    "renewal",
    "renewal answers to confirm",
    "actions carried over",
    "label following the one in force",
    *(
        f"earlier campaign stage:{stage}"
        for stage in (
            Statut.AUTOEVALUATION,
            Statut.PLAN_AMELIORATION,
            Statut.LABELLISE,
            Statut.LABELLISE_SOUS_RESERVE,
            Statut.REFUSE,
            "ajourne",
        )
    ),
}


def representatives(structures: list[Structure]) -> dict[Structure, set[str]]:
    """Few structures whose dossiers, together, take every branch (greedy, in code order)."""
    branches: dict[Structure, set[str]] = {s: set() for s in structures}
    by_pk = {s.pk: s for s in structures}
    for dossier in Dossier.objects.filter(structure__in=structures).select_related("campagne"):
        branches[by_pk[dossier.structure_id]] |= variants(dossier)
    missing = BRANCHES - set().union(*branches.values())
    assert not missing, f"le petit jeu national ne passe plus par : {sorted(missing)}"
    chosen: dict[Structure, set[str]] = {}
    left = set(BRANCHES)
    while left:
        best = max(structures, key=lambda s: len(branches[s] & left))
        chosen[best] = branches[best]
        left -= branches[best]
    return chosen


def test_every_bulk_written_dossier_is_what_the_services_write(small_national_run):
    structures, admin = small_national_run
    assert len(structures) == MISSIONS_LOCALES - len(DEMO_MLS)
    found: dict[str, list[str]] = {}
    for structure, branches in representatives(structures).items():
        diffs = compare(structure, admin)
        if diffs:
            found[f"{structure.code} ({', '.join(sorted(branches))})"] = diffs
    assert not found, "\n\n".join(
        f"{name} :\n- " + "\n- ".join(diffs) for name, diffs in found.items()
    )


# --- The comparison is a real check ---------------------------------------------------------


def _patched(module: Any, name: str, after: Callable[..., None]) -> Callable[..., Any]:
    original = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        after(*args, **kwargs)
        return result

    return wrapper


def _one(structures: Iterable[Structure], stage: str) -> Structure:
    """A structure whose current dossier is at `stage` (its earlier one: labelled or not)."""
    current = Dossier.objects.filter(campagne__nom=CAMPAGNE, structure__in=list(structures))
    return next(d for d in current.select_related("structure") if stage_of(d) == stage).structure


def test_the_comparison_is_a_real_check(small_national_run, monkeypatch):
    """Were the workflow to log one more step or write a row elsewhere, or the seed to write a
    field differently, the comparison says so (table and field)."""
    from campagnes.models import DossierUserObjectPermission
    from campagnes.plans.models import PlanAmelioration
    from labelml.notifications.models import Rappel

    structures, admin = small_national_run

    def extra_step(dossier: Dossier, actor: Any, *args: Any) -> None:
        workflow.log_step(dossier, actor, "notify_arml")

    def extra_row(dossier: Dossier, actor: Any, *args: Any) -> None:
        Rappel.objects.create(type="ecarts_j7", object_id=dossier.pk, deadline="2030-01-01")

    with monkeypatch.context() as patch:
        patch.setattr(
            audit_services,
            "validate_audit_report",
            _patched(audit_services, "validate_audit_report", extra_step),
        )
        patch.setattr(
            plan_services, "request_audit", _patched(plan_services, "request_audit", extra_row)
        )
        diffs = compare(_one(structures, Statut.LABELLISE_SOUS_RESERVE), admin)
    assert any("campagnes.DossierTransition : historique" in d for d in diffs), diffs
    assert any("notify_arml" in d for d in diffs), diffs
    assert any("hors des dossiers" in d and "notifications.Rappel" in d for d in diffs), diffs

    structure = _one(structures, Statut.REPONSE_STRUCTURE)
    dossier = Dossier.objects.get(structure=structure, campagne__nom=CAMPAGNE)
    PlanAmelioration.objects.filter(dossier=dossier).update(soumis_par=admin)
    DossierUserObjectPermission.objects.filter(content_object=dossier).delete()
    diffs = compare(structure, admin)
    assert any("plans.PlanAmelioration" in d and "soumis_par" in d for d in diffs), diffs
    assert any(
        "campagnes.DossierUserObjectPermission : écrit par les services" in d for d in diffs
    ), diffs
