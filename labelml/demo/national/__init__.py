"""The national demo data set (issue 7): `seed_national()`, behind
`python manage.py seed_demo --scale national`.

1 UNML, 15 ARMLs, 436 Missions Locales (see data.py), their people (a direction and a
quality referent per Mission Locale, a labelling referent per ARML, auditors of two auditing
bodies, commission members), and the national campaign whose 436 dossiers are spread over every
state the workflow reaches: filled self-assessments, snapshots, improvement plans, audits with
their findings and the structures' answers, commission séances with votes, decisions and labels,
and the dossiers' history (`DossierTransition`) dated over the campaign.

How. Everything is planned in memory from seeded random generators, then written with
`bulk_create` (a dossier lived through the services, its answers saved field by field, costs
one to two seconds; the 860 dossiers of two campaigns would take a quarter of an hour). The
rows written are the ones the workflow's steps write (each in its app's services.py, through
campagnes/workflow.py; campagnes/services.open_campagne), with the same fields, states and
foreign key chains; the dates are those of a campaign opened ~10 months ago. Not written: the
transitions' side effects (notifications, e-mails), the autosave history (`Saisie`) and
evidence files, as in the small demo.

What is bulk-written, and how it stays what the workflow writes. Every row of a dossier: its
opening (`open`, or `open_renewal` with the copied answers and carried-over actions), the
answers and syntheses, the snapshots, the plan and its actions, the audit with its findings,
reviews, the auditor's guardian permission and the answers to the gaps, the agenda point,
recusals, votes, decision, label (and the reserves' action), and the history; only the séances
and their members are created one by one. tests/demo/test_national_seed_matches_workflow.py
proves these rows are the services' own: on a small run (`missions_locales`, two campaigns) it
takes structures whose dossiers, together, go through every state and every branch (a reopened
self-assessment, a returned report, an audit in progress, draft answers to the gaps, a declared
conflict of interest, a renewal…), lives their stories again through the real services, step by
step from the seeded history, for a twin Mission Locale, and compares the two sides' rows table
by table: the same tables, every field the same once normalised (ids, dates and save counters
aside; references as codes, roles or e-mails; texts as they are but for the structure's name
and the fingerprints), the same history, and no row written outside the dossier. A workflow
change that writes another row, field or step fails that test until the seed follows it.

The campaign is the small demo's "Campagne nationale de labellisation 2026": its six dossiers
(lived through the real workflow by labelml/demo/dossiers.py) are kept as they are and the 430
other Missions Locales get theirs. With `campaigns=N`, N-1 earlier campaigns (one labelling
cycle, i.e. the label validity, apart: 2023, 2020…) are added over the same Missions Locales but
the small demo's six (first-time structures in the current campaign), all of their dossiers
finished; the 2023 campaign's labels are the ones expiring around now. The campaigns are
written oldest first, as they were lived: a Mission Locale whose label is in force when a
campaign opens gets a renewal dossier (SPEC §7b), its previous answers and syntheses copied to
confirm and the open actions of its plan carried over, and a label granted while the previous
one is still in force follows it without a gap (audits.commission.services.label_period). An
earlier campaign added later to an existing data set (`campaigns=2` after `campaigns=1`) leaves
the dossiers already written as they are, first-time dossiers.

`ajourne` is a commission outcome, not a resting state: the workflow sends an adjourned dossier
back to `plan_amelioration` (audits.commission.services.record_decision), so
`Dossier.Statut.AJOURNE` is never written; adjourned dossiers are found through their decision.

Deterministic for a seed (and a day: the dates are relative to today); idempotent: a Mission
Locale that already has a dossier in a campaign is left alone.

The modules: seed.py (`seed_national`, the orchestration, and the référentiel it reads),
structures.py (the network and its people, `national_ml_codes`), campaign.py (one campaign:
planned in memory, written in bulk), dossier.py (one dossier's steps, dates and history) with
self_assessment.py (self-assessment, snapshots, improvement plan), audit.py (external audit,
findings, answers to the gaps) and commission.py (agenda, recusals, votes, decision, label),
state.py (what a dossier carries between its steps), parameters.py (stage mixes, tendencies,
delays, auditing bodies), helpers.py (dates and small computations), data.py (the names and
texts, from fixtures/demo/national.yaml).
"""

from __future__ import annotations

from .data import NATIONAL_ML_COUNT, REGIONS
from .parameters import (
    AJOURNE,
    AUDITING_BODIES,
    COMMISSION_MEMBERS,
    CURRENT_YEAR,
    CYCLE_YEARS,
    DECIDED,
)
from .seed import Log, SeedRefused, seed_national
from .structures import national_ml_codes

__all__ = [
    "AJOURNE",
    "AUDITING_BODIES",
    "COMMISSION_MEMBERS",
    "CURRENT_YEAR",
    "CYCLE_YEARS",
    "DECIDED",
    "NATIONAL_ML_COUNT",
    "REGIONS",
    "Log",
    "SeedRefused",
    "national_ml_codes",
    "seed_national",
]
