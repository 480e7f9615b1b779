"""One campaign of the national data set: `_seed_campaign` creates it (or takes the small
demo's current one), `_Campaign` plans the dossiers of the Missions Locales that have none
(stages, profiles, commission séances, the labels they renew) in memory, then writes every
row in bulk, in foreign key order, with the dates of the story (`_historical_dates`)."""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Permission
from django.utils import timezone

from audits.commission.models import (
    CompteurCertificat,
    Decision,
    Label,
    PointOrdreDuJour,
    Recusation,
    Seance,
    Vote,
)
from audits.models import Audit, Constat, ReponseEcart, Revue
from campagnes import hooks
from campagnes.autoevaluations.models import AutoEvaluation, Reponse, Snapshot, SyntheseCritere
from campagnes.models import Campagne, Dossier, DossierTransition, DossierUserObjectPermission
from campagnes.plans.models import Action, PlanAmelioration
from campagnes.services import create_campagne
from labelml.core.pluriel import pluriel

from .dossier import _Dossier
from .helpers import _aware, _quotas, _thursday, _years_before
from .parameters import (
    BATCH,
    CURRENT_MIX,
    CURRENT_YEAR,
    CYCLE_YEARS,
    DECIDED,
    OPENED_DAYS_AGO,
    PAST_CAMPAIGN_DAYS,
    PAST_MIX,
    Statut,
)

if TYPE_CHECKING:
    from .seed import Log, _Ref
    from .structures import _Network


def _seed_campaign(index: int, ref: _Ref, network: _Network, seed: int, say: Log) -> dict:
    from labelml.demo.dossiers import CAMPAGNE
    from labelml.demo.network import MLS

    demo = {code for code, *_ in MLS}

    started = time.monotonic()
    year = CURRENT_YEAR - CYCLE_YEARS * index
    today = timezone.localdate()
    opening = _years_before(today - dt.timedelta(days=OPENED_DAYS_AGO), CYCLE_YEARS * index)
    if index == 0:
        campagne = Campagne.objects.get(nom=CAMPAGNE)
        end = today
    else:
        end = opening + dt.timedelta(days=PAST_CAMPAIGN_DAYS)
        nom = f"Campagne nationale de labellisation {year}"
        campagne = Campagne.objects.filter(nom=nom).first() or create_campagne(
            actor=network.admin,
            nom=nom,
            referentiel=ref.referentiel,
            date_ouverture=opening,
            date_cloture_autoevaluation=opening + dt.timedelta(days=300),
            delai_reponse_jours=30,
            validite_label_annees=CYCLE_YEARS,
            ecart_majeur_bloquant=True,
        )
    existing = set(campagne.dossiers.values_list("structure_id", flat=True))
    # The small demo's six Missions Locales were opened in the current campaign as first-time
    # structures (labelml/demo/dossiers.py): no earlier campaign gives them a label to renew.
    skip = existing if index == 0 else existing | {ml.pk for ml in network.mls if ml.code in demo}
    todo = [ml for ml in network.mls if ml.pk not in skip]
    if todo:
        if campagne.date_ouverture > opening:
            campagne.date_ouverture = opening
            campagne.save(update_fields=["date_ouverture"])
        if index:
            Campagne.objects.filter(pk=campagne.pk).update(
                created_at=_aware(opening - dt.timedelta(days=20), 9 * 60)
            )
        builder = _Campaign(campagne, ref, network, seed, year, opening, end, current=index == 0)
        builder.plan(todo)
        builder.write()

    statuts = dict(sorted(Counter(campagne.dossiers.values_list("statut", flat=True)).items()))
    decisions = dict(
        Counter(
            Decision.objects.filter(dossier__campagne=campagne).values_list("resultat", flat=True)
        )
    )
    result = {
        "nom": campagne.nom,
        "dossiers_crees": len(todo),
        "dossiers": sum(statuts.values()),
        "statuts": statuts,
        "decisions": decisions,
        "labels": Label.objects.filter(decision__dossier__campagne=campagne).count(),
        "duree": time.monotonic() - started,
    }
    say(
        f"{campagne.nom} : "
        + pluriel(len(todo), "{n} dossier créé", "{n} dossiers créés")
        + f" en {result['duree']:.1f} s "
        f"({result['dossiers']} au total)."
    )
    return result


@dataclass
class _Profile:
    """A Mission Locale's level: overall strength and stronger or weaker parts."""

    strength: float
    parts: dict[str, float]


def _profile(seed: int, code: str) -> _Profile:
    rng = random.Random(f"{seed}:profil:{code}")  # nosec B311 # seeded on purpose: reproducible demo data
    strength = rng.gauss(0, 0.45)
    parts = {p: -rng.uniform(0.3, 0.8) for p in rng.sample("12345", rng.choice([1, 1, 2]))}
    strong = rng.choice([p for p in "12345" if p not in parts])
    parts[strong] = rng.uniform(0.2, 0.5)
    return _Profile(strength, parts)


@dataclass
class _Previous:
    """What a renewal dossier starts from (campagnes.services._create_dossier): the label in
    force at the campaign's opening, the dossier that obtained it, its last submitted version
    and the open actions of its plan, as the workflow reads them."""

    label: Any
    dossier: Any
    snapshot: Any
    actions: list[tuple[Any, list[int]]]  # open actions (echeance, pk order) and their criteria


@dataclass
class _Seance:
    seance: Any
    membres: list[Any]
    at: dt.datetime
    points: int = 0


@dataclass
class _Rows:
    """What one campaign writes, in foreign key order."""

    dossiers: list[Any] = field(default_factory=list)
    autoevaluations: list[Any] = field(default_factory=list)
    reponses: list[Any] = field(default_factory=list)
    syntheses: list[Any] = field(default_factory=list)
    snapshots: list[Any] = field(default_factory=list)
    plans: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)
    action_criteres: list[tuple[Any, list[int]]] = field(default_factory=list)
    audits: list[Any] = field(default_factory=list)
    constats: list[Any] = field(default_factory=list)
    revues: list[Any] = field(default_factory=list)
    permissions: list[Any] = field(default_factory=list)
    reponses_ecart: list[Any] = field(default_factory=list)
    points: list[Any] = field(default_factory=list)
    recusations: list[Any] = field(default_factory=list)
    votes: list[Any] = field(default_factory=list)
    decisions: list[Any] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    transitions: list[Any] = field(default_factory=list)


class _Campaign:
    """Plans the dossiers of one campaign in memory, then writes them in bulk."""

    def __init__(
        self,
        campagne: Campagne,
        ref: _Ref,
        network: _Network,
        seed: int,
        year: int,
        opening: dt.date,
        end: dt.date,
        *,
        current: bool,
    ) -> None:
        self.campagne, self.ref, self.net = campagne, ref, network
        self.seed, self.year, self.opening, self.end, self.current = (
            seed,
            year,
            opening,
            end,
            current,
        )
        self.end_day = float((end - opening).days)
        # The network progresses from one cycle to the next (bounded: older is not worse).
        self.drift = max(-0.6, -0.25 * (CURRENT_YEAR - year) / CYCLE_YEARS)
        self.rows = _Rows()
        self.open_at = _aware(opening, 9 * 60)
        self.element_by_code = {e.code: e for e in ref.elements}
        self.critere_by_code = {c.code: c for c in ref.criteres}
        self.element_critere = {e.pk: e.critere_id for e in ref.elements}
        self.permission = Permission.objects.get(
            content_type__app_label="campagnes", codename="view_dossier"
        )

    # -- Planning ------------------------------------------------------------------------------

    def _earlier(self, mls: list[Any]) -> dict[int, _Previous]:
        """The Missions Locales whose label is in force at the opening, and what their renewal
        dossier starts from (campagnes.services.open_campagne asks `hooks.renewals`: the latest
        label, renewable unless expired, withdrawn or suspended). Also keeps every label of
        these structures, for the validity of the labels granted in this campaign."""
        renewals = hooks.renewals.get()
        # Only the labels granted before (a later campaign may be in the data set already).
        self.labels_of: dict[int, list[Any]] = defaultdict(list)
        for label in Label.objects.filter(structure__in=mls).select_related("decision__dossier"):
            self.labels_of[label.structure_id].append(label)
        latest = {
            pk: max(granted, key=lambda lb: (lb.date_fin, lb.pk))
            for pk, labels in self.labels_of.items()
            if (granted := [lb for lb in labels if lb.created_at < self.open_at])
        }
        renewed = {
            pk: lb for pk, lb in latest.items() if renewals.refusal(lb, self.opening) is None
        }
        self.blocked = {
            pk for pk, lb in latest.items() if renewals.blocks_opening(lb, self.opening)
        }
        dossiers = [lb.decision.dossier for lb in renewed.values()]
        snapshots = {
            s.dossier_id: s
            for s in Snapshot.objects.filter(dossier__in=dossiers).order_by("numero")
        }  # the last one of each
        actions: dict[int, list[tuple[Any, list[int]]]] = defaultdict(list)
        for action in (
            Action.objects.filter(
                plan__dossier__in=dossiers,
                statut__in=[Action.Statut.A_FAIRE, Action.Statut.EN_COURS],
            )
            .select_related("plan")
            .prefetch_related("criteres")
            .order_by("echeance", "pk")
        ):
            actions[action.plan.dossier_id].append((action, [c.pk for c in action.criteres.all()]))
        return {
            pk: _Previous(
                lb,
                lb.decision.dossier,
                snapshots[lb.decision.dossier_id],
                actions[lb.decision.dossier_id],
            )
            for pk, lb in renewed.items()
        }

    def plan(self, mls: list[Any]) -> None:
        previous = self._earlier(mls)
        mls = [ml for ml in mls if ml.pk not in self.blocked]  # refused at the opening
        rng = random.Random(f"{self.seed}:{self.year}:etats")  # nosec B311 # seeded on purpose: reproducible demo data
        quotas = _quotas(CURRENT_MIX if self.current else PAST_MIX, len(mls))
        stages = [stage for stage, count in quotas for _ in range(count)]
        rng.shuffle(stages)
        profiles = [_profile(self.seed, ml.code) for ml in mls]
        # The commission's outcomes follow the structures' level: the weakest are refused.
        decided = [i for i, s in enumerate(stages) if s in DECIDED]
        outcomes = sorted((stages[i] for i in decided), key=DECIDED[::-1].index)
        ranked = sorted(decided, key=lambda i: profiles[i].strength + rng.gauss(0, 0.3))
        for i, outcome in zip(ranked, outcomes, strict=True):
            stages[i] = outcome
        self.seances = self._seances(rng)
        past = [s for s in self.seances if s.at.date() < self.end]
        upcoming = [s for s in self.seances if s.at.date() >= self.end]
        placement: dict[int, _Seance] = {}
        for i, stage in enumerate(stages):
            if stage in DECIDED:
                placement[i] = rng.choice(past)
            elif stage == Statut.EN_COMMISSION:
                placement[i] = upcoming[0]
        for i, ml in enumerate(mls):
            seance = placement.get(i)
            ordre = 0
            if seance is not None:
                seance.points += 1
                ordre = seance.points
            rng_d = random.Random(f"{self.seed}:{self.year}:{ml.code}")  # nosec B311 # seeded on purpose: reproducible demo data
            _Dossier(
                self, ml, stages[i], profiles[i], rng_d, seance, ordre, previous.get(ml.pk)
            ).build()

    def _seances(self, rng: random.Random) -> list[_Seance]:
        if self.current:
            days = [self.end - dt.timedelta(days=d) for d in (147, 119, 91, 63, 35, 7)]
            dates = [_thursday(d) for d in days] + [
                _thursday(self.end + dt.timedelta(days=14), forward=True)
            ]
        else:
            dates = [_thursday(self.opening + dt.timedelta(days=150 + 30 * i)) for i in range(12)]
        others = [m for m in self.net.membres if m not in self.net.chairs and m != self.net.always]
        out = []
        # The members of every session, written at once (not one set() each).
        links: list[Any] = []
        for i, day in enumerate(dates):
            president = self.net.chairs[i % len(self.net.chairs)]
            membres = [president, self.net.always] + rng.sample(others, rng.randint(7, 9))
            at = _aware(day, 14 * 60)
            statut = Seance.Statut.CLOSE if day < self.end else Seance.Statut.PLANIFIEE
            with _historical_dates():
                seance = Seance.objects.create(
                    date=at,
                    lieu="Paris, siège de l'UNML" if i % 2 == 0 else "Visioconférence",
                    president=president,
                    statut=statut,
                    created_at=at - dt.timedelta(days=30),
                )
            links.extend(
                Seance.membres.through(seance=seance, membrecommission=m)
                for m in dict.fromkeys(membres)
            )
            out.append(_Seance(seance, membres, at))
        Seance.membres.through.objects.bulk_create(links)
        return out

    def moment(self, day: float) -> dt.datetime:
        """A day of the campaign (0 = opening) as a working-hours moment (weekends → Friday)."""
        whole = math.floor(day)
        date = self.opening + dt.timedelta(days=whole)
        while date.weekday() >= 5:
            date -= dt.timedelta(days=1)
        return _aware(date, 8 * 60 + 30 + int((day - whole) * 600))

    # -- Writing -------------------------------------------------------------------------------

    def write(self) -> None:
        r = self.rows
        self._number_labels()
        with _historical_dates():
            batches: list[tuple[Any, list[Any]]] = [
                (Dossier, r.dossiers),
                (AutoEvaluation, r.autoevaluations),
                (Reponse, r.reponses),
                (SyntheseCritere, r.syntheses),
                (Snapshot, r.snapshots),
                (PlanAmelioration, r.plans),
                (Action, r.actions),
            ]
            for model, objs in batches:
                model.objects.bulk_create(objs, batch_size=BATCH)
            Through = Action.criteres.through
            Through.objects.bulk_create(
                (
                    Through(action_id=action.pk, critere_id=pk)
                    for action, pks in r.action_criteres
                    for pk in pks
                ),
                batch_size=BATCH,
            )
            batches = [
                (Audit, r.audits),
                (Constat, r.constats),
                (Revue, r.revues),
                (DossierUserObjectPermission, r.permissions),
                (ReponseEcart, r.reponses_ecart),
                (PointOrdreDuJour, r.points),
                (Recusation, r.recusations),
                (Vote, r.votes),
                (Decision, r.decisions),
                (Label, r.labels),
                (DossierTransition, r.transitions),
            ]
            for t in r.transitions:  # a dossier's own step: its pk, known now
                t.subject_id = t.dossier.pk
            for model, objs in batches:
                model.objects.bulk_create(objs, batch_size=BATCH)

    def _number_labels(self) -> None:
        """Certificate numbers LML-YYYY-NNNNN in the order of the decisions, after the existing
        ones of the decision's year (audits.commission.services.next_certificate_number)."""
        next_of: dict[int, int] = {}
        counters = dict(CompteurCertificat.objects.values_list("annee", "dernier"))
        for label in sorted(self.rows.labels, key=lambda lb: (lb.created_at, lb.structure.code)):
            year = timezone.localdate(label.created_at).year
            if year not in next_of:
                next_of[year] = 1 + max(
                    Label.objects.filter(numero__startswith=f"LML-{year}-").count(),
                    counters.get(year, 0),
                )
            label.numero = f"LML-{year}-{next_of[year]:05d}"
            next_of[year] += 1
        # The years' counters follow, so that the next decision goes on without a gap.
        CompteurCertificat.objects.bulk_create(
            [CompteurCertificat(annee=y, dernier=n - 1) for y, n in next_of.items()],
            update_conflicts=True,
            unique_fields=["annee"],
            update_fields=["dernier"],
        )


_AUTO_FIELDS: list[Any] = []


@contextmanager
def _historical_dates() -> Iterator[None]:
    """Let the data set keep its past dates: auto_now / auto_now_add fields are switched off
    while it is written (every row written here sets them explicitly). Seeding only: never
    used by the application's own code paths."""
    if not _AUTO_FIELDS:
        from django.apps import apps

        for model in apps.get_models():
            f: Any
            for f in model._meta.concrete_fields:
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    _AUTO_FIELDS.append((f, f.auto_now, f.auto_now_add))
    for f, _now, _add in _AUTO_FIELDS:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in _AUTO_FIELDS:
            f.auto_now, f.auto_now_add = now, add
