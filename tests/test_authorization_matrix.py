"""The authorization matrix: for every URL of the application and every actor of SPEC §2, the
expected answer.

Built from the URL configuration: every named pattern (the Django admin and allauth's own
account pages excepted, listed below with the reason) must have a rule in `RULES`, or
`test_every_url_has_a_rule` fails with « nouvelle URL sans règle d'autorisation : <name> ».

A rule gives, for each actor, the answer to a GET — 200, 302 to the login page, another 302,
403, 404 or 405 — following SPEC §2: an object outside the actor's scope answers 404, exactly as
a missing one; an actor who may see it but not do the action gets 403; anonymous visitors are
sent to the login page, except on the public pages (the label registry and verification page,
/healthz, the login page, an invitation link). For a URL that accepts POST, the rule names the
actors who may act; every other actor's POST must answer 403 (if they may see the object) or
404 (if they may not) — anonymous visitors: the login page — and change nothing (`footprint`).
The allowed actors' POSTs are exercised by the tests of each feature, not here.

The objects are built once for the module (one transaction, rolled back at the end): the
complete labelled dossier of labelml.demo.samples (self-assessment, plan, validated audit, answered
gaps, commission vote, decision, label) with its follow-up audit, a second dossier of the same
Mission Locale still in self-assessment (renewal campaign: the pages that edit), and a dossier
of a Mission Locale of another region. A cell whose actual answer contradicts SPEC §2 is marked
in `XFAIL` with the reason, and that cell only is reported as an expected failure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Q
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.urlmap import iter_patterns
from tests.worlds import rolled_back_world

pytestmark = pytest.mark.django_db

# --- actors ------------------------------------------------------------------------------------

ANON = "anonyme"
RQ = "referent_qualite"
CONTRIB = "contributeur"
DIR = "direction"
LECT = "lecteur"
ARML = "referent_arml"
ARML_X = "referent_autre_arml"
AUD = "auditeur_designe"
AUD_X = "autre_auditeur"
LEAD = "auditeur_referent"
MEMBRE = "membre_siegeant"
MEMBRE_X = "membre_non_siegeant"
PRES = "president_de_seance"
ADMIN = "admin_national"
OUT = "membre_autre_ml"

ACTORS = (
    ANON, RQ, CONTRIB, DIR, LECT, ARML, ARML_X, AUD, AUD_X, LEAD, MEMBRE, MEMBRE_X, PRES, ADMIN,
    OUT,
)  # fmt: skip
LOGGED = frozenset(ACTORS) - {ANON}
EVERYONE = frozenset(ACTORS)

STRUCT = frozenset({RQ, CONTRIB, DIR, LECT})  # members of the Mission Locale of the dossiers
ML_SEE = STRUCT | {ARML, ADMIN}  # who sees the Mission Locale (and its ARML's referent)
# The labelled dossier: its structure, its ARML, the national administrators, the assigned
# auditor and the lead auditor of the body, the commission members sitting on its séance.
D_READ = ML_SEE | {AUD, LEAD, MEMBRE, PRES}
O_READ = ML_SEE  # the dossier in self-assessment: no audit, no séance yet
V_READ = ML_SEE | {AUD}  # the follow-up audit: its structure, the administrators, its auditor
S_READ = frozenset({ADMIN, MEMBRE, PRES})  # the séance
# A label, in the application: its structure and ARML, the administrators, the commission.
L_READ = ML_SEE | {MEMBRE, MEMBRE_X, PRES}
STEER = frozenset({ADMIN, ARML, ARML_X})  # the steering dashboards and exports

# --- expected answers --------------------------------------------------------------------------

OK, LOGIN, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "200", "login", "302", "403", "404", "405"


def answers(
    *,
    ok: Iterable[str] = (),
    forbidden: Iterable[str] = (),
    not_allowed: Iterable[str] = (),
    redirect: Iterable[str] = (),
    rest: str = NOT_FOUND,
    anon: str = LOGIN,
) -> dict[str, str]:
    """The GET answer of each actor: that of the group naming them (groups do not overlap), else
    `rest`; anonymous visitors get `anon` unless a group names them."""
    table = {actor: rest for actor in ACTORS}
    table[ANON] = anon
    for code, actors in (
        (REDIRECT, redirect),
        (NOT_ALLOWED, not_allowed),
        (FORBIDDEN, forbidden),
        (OK, ok),
    ):
        for actor in actors:
            table[actor] = code
    return table


# A POST-only view: @require_POST answers 405 to a GET, before any lookup.
POST_ONLY = answers(not_allowed=LOGGED)


@dataclass(frozen=True)
class Rule:
    get: Mapping[str, str]
    # Who may act by POST (not exercised here); None: a page that is only read.
    post: frozenset[str] | None = None
    # Who may see the object a POST-only URL acts on (a refused POST: 403 for them, 404 for the
    # others). By default, the actors whose GET is not a 404.
    sees: frozenset[str] | None = None
    # Which dossier the dossier's URLs designate: "labelled" or "open" (in self-assessment).
    on: str = "labelled"
    # A plausible form, as an allowed actor would post it: a refusal must come from the rights,
    # not from a validation error.
    data: Callable[[Any], dict[str, Any]] = lambda w: {}

    def who_sees(self) -> frozenset[str]:
        if self.sees is not None:
            return self.sees
        return frozenset(a for a, code in self.get.items() if code not in (NOT_FOUND, LOGIN))


def rule(
    get: Mapping[str, str],
    post: Iterable[str] | None = None,
    *,
    sees: Iterable[str] | None = None,
    on: str = "labelled",
    data: Callable[[Any], dict[str, Any]] | None = None,
) -> Rule:
    return Rule(
        get=get,
        post=frozenset(post) if post is not None else None,
        sees=frozenset(sees) if sees is not None else None,
        on=on,
        data=data or (lambda w: {}),
    )


def _version_of(obj: str) -> Callable[[Any], dict[str, Any]]:
    return lambda w: {"version": getattr(w.open, obj).version}


# --- the rules ---------------------------------------------------------------------------------

RULES: dict[str, Rule] = {
    # Public pages, and pages of one's own account.
    "home": rule(answers(ok=LOGGED)),
    "healthz": rule(answers(ok=EVERYONE)),
    "account_login": rule(answers(redirect=LOGGED, anon=OK), post=EVERYONE),
    "commission:label_registry": rule(answers(ok=EVERYONE)),
    "commission:label_verify": rule(answers(ok=EVERYONE)),
    # The registry as open data (labelml/api/registry.py).
    "api:label_registre_csv": rule(answers(ok=EVERYONE)),
    "api:label_registre_json": rule(answers(ok=EVERYONE)),
    # One's own API tokens (labelml/api): anyone logged in creates theirs; a token is revoked
    # by its owner only (this one belongs to `cible`, who is no actor: 404 for all).
    "api:api_jetons": rule(answers(ok=LOGGED), post=LOGGED),
    "api:api_jeton_revoke": rule(POST_ONLY, post=set(), sees=set()),
    # The footer's pages: accessibility statement, legal notices, personal data.
    "accessibilite": rule(answers(ok=EVERYONE)),
    "mentions_legales": rule(answers(ok=EVERYONE)),
    "donnees_personnelles": rule(answers(ok=EVERYONE)),
    # The token of the link is the credential: whoever holds it may accept.
    "structures:invitation_accept": rule(answers(ok=EVERYONE), post=EVERYONE),
    "accounts:mes_donnees": rule(answers(ok=LOGGED)),
    "accounts:mes_donnees_download": rule(answers(ok=LOGGED)),
    "accounts:mes_sessions": rule(answers(ok=LOGGED)),
    # The session of the quality referent: nobody else's to end.
    "accounts:session_end": rule(POST_ONLY, post={RQ}, sees=set()),
    "accounts:sessions_end_others": rule(POST_ONLY, post=LOGGED, sees=LOGGED),
    "notifications:notification_list": rule(answers(ok=LOGGED)),
    "notifications:notification_mark_all_read": rule(POST_ONLY, post=LOGGED, sees=LOGGED),
    # The référentiel and its guidance: every member of the network.
    "referentiel:referentiel_list": rule(answers(ok=LOGGED)),
    "referentiel:referentiel_detail": rule(answers(ok=LOGGED)),
    "autoevaluations:fiche_download": rule(answers(ok=LOGGED)),
    # Lists, scoped to what each actor may see (possibly nothing).
    "structures:structure_list": rule(answers(ok=LOGGED)),
    "audits:audit_missions": rule(answers(ok=LOGGED)),
    "commission:seance_list": rule(answers(ok=LOGGED)),
    "commission:label_list": rule(answers(ok=LOGGED)),
    "suivis:suivi_list": rule(answers(ok=LOGGED)),
    # The Mission Locale: its members, its ARML, the administrators. Invitations: the
    # referent, the direction (SPEC §2: "invite contributors"), the administrators.
    "structures:structure_detail": rule(answers(ok=ML_SEE)),
    "structures:structure_history": rule(answers(ok=ML_SEE)),
    "structures:structure_invite": rule(
        answers(ok={RQ, DIR, ADMIN}, forbidden={CONTRIB, LECT, ARML}),
        post={RQ, DIR, ADMIN},
        data=lambda w: {"email": "nouvelle@example.fr", "role": "lecteur"},
    ),
    "structures:invitation_revoke": rule(POST_ONLY, post={RQ, DIR, ADMIN}, sees=ML_SEE),
    # The auditors' certifications: national administration, nonexistent to anyone else.
    "structures:auditeur_list": rule(answers(ok={ADMIN})),
    "structures:auditeur_certification": rule(
        answers(ok={ADMIN}),
        post={ADMIN},
        data=lambda w: {"organisme": "Certificateur", "reference": "C-1", "jusqu_au": "2030-01-01"},
    ),
    # National steering of campaigns: to anyone else these pages do not exist.
    "campagnes:campagne_list": rule(answers(ok={ADMIN})),
    "campagnes:campagne_create": rule(answers(ok={ADMIN}), post={ADMIN}),
    "campagnes:campagne_detail": rule(answers(ok={ADMIN})),
    "campagnes:campagne_open": rule(POST_ONLY, post={ADMIN}, sees={ADMIN}),
    "campagnes:campagne_renew": rule(POST_ONLY, post={ADMIN}, sees={ADMIN}),
    "campagnes:campagne_extend": rule(
        POST_ONLY,
        post={ADMIN},
        sees={ADMIN},
        data=lambda w: {
            "date_cloture": (dt.date.today() + dt.timedelta(days=120)).isoformat(),
            "motif": "Prolongation accordée",
        },
    ),
    # The labelled dossier: read by all who see it.
    "campagnes:dossier_detail": rule(answers(ok=D_READ)),
    "campagnes:dossier_history": rule(answers(ok=D_READ)),
    "plans:dossier_request_audit": rule(POST_ONLY, post={DIR}, sees=D_READ),
    # The support thread between the Mission Locale and its ARML: read by those who hold a role
    # on the structure (not the auditors nor the commission, who see the dossier); written by
    # the ARML's referent, answered by the quality referent and the direction.
    "campagnes:dossier_echanges": rule(
        answers(ok=ML_SEE),
        post={RQ, DIR, ARML},
        data=lambda w: {"texte": "Bonjour"},
    ),
    "campagnes:dossier_reopen": rule(
        answers(ok={ADMIN}, forbidden=D_READ - {ADMIN}),
        post={ADMIN},
        data=lambda w: {"motif": "Pièces manquantes"},
    ),
    "autoevaluations:autoevaluation_overview": rule(answers(ok=D_READ)),
    "autoevaluations:autoevaluation_critere": rule(answers(ok=D_READ)),
    "autoevaluations:autoevaluation_snapshot": rule(answers(ok=D_READ)),
    "autoevaluations:preuve_list": rule(answers(ok=D_READ)),
    "autoevaluations:preuve_download": rule(answers(ok=D_READ)),
    "autoevaluations:autoevaluation_snapshot_preuve": rule(answers(ok=D_READ)),
    "plans:plan_detail": rule(answers(ok=D_READ)),
    "plans:plan_suggestions": rule(answers(ok=D_READ)),
    "plans:plan_timeline": rule(answers(ok=D_READ)),
    # The self-assessment being written (the open dossier): the referent and the direction edit
    # (the contributor only the criteria assigned to them: not this one), the direction
    # submits; the reader, the ARML and the administrators read.
    "autoevaluations:autoevaluation_save_reponse": rule(
        POST_ONLY,
        post={RQ, DIR},
        sees=O_READ,
        on="open",
        data=lambda w: {
            "version": w.open.reponse.version,
            "champ": "justification",
            "justification": "Réécrit",
        },
    ),
    "autoevaluations:autoevaluation_confirm_reponse": rule(
        POST_ONLY, post={RQ, DIR}, sees=O_READ, on="open", data=_version_of("reponse")
    ),
    "autoevaluations:autoevaluation_save_synthese": rule(
        POST_ONLY,
        post={RQ, DIR},
        sees=O_READ,
        on="open",
        data=lambda w: {
            "version": w.open.synthese.version,
            "champ": "synthese",
            "synthese": "Réécrite",
        },
    ),
    "autoevaluations:autoevaluation_confirm_synthese": rule(
        POST_ONLY, post={RQ, DIR}, sees=O_READ, on="open", data=_version_of("synthese")
    ),
    "autoevaluations:autoevaluation_confirm_critere": rule(
        POST_ONLY,
        post={RQ, DIR},
        sees=O_READ,
        on="open",
        data=lambda w: {"relu": "on", f"reponse-{w.open.reponse.pk}": w.open.reponse.version},
    ),
    "autoevaluations:autoevaluation_assign": rule(
        POST_ONLY,
        post={RQ, DIR},
        sees=O_READ,
        on="open",
        data=lambda w: {"contributeur": w.users[CONTRIB].pk},
    ),
    "autoevaluations:autoevaluation_submit": rule(answers(ok=O_READ), post={DIR}, on="open"),
    "autoevaluations:preuve_add": rule(
        answers(ok={RQ, CONTRIB, DIR}, forbidden={LECT, ARML, ADMIN}),
        post={RQ, CONTRIB, DIR},
        on="open",
    ),
    # The evidence here was uploaded by the referent, on a criterion not assigned to the
    # contributor: theirs to upload evidence, not to delete the referent's.
    "autoevaluations:preuve_delete": rule(
        answers(ok={RQ, DIR}, forbidden={CONTRIB, LECT, ARML, ADMIN}),
        post={RQ, DIR},
        on="open",
    ),
    "plans:plan_action_create": rule(
        answers(ok={RQ, DIR}, forbidden={CONTRIB, LECT, ARML, ADMIN}),
        post={RQ, DIR},
        on="open",
        data=lambda w: {"titre": "Nouvelle action", "priorite": "moyenne", "statut": "a_faire"},
    ),
    "plans:plan_action_edit": rule(
        answers(ok={RQ, DIR}, forbidden={CONTRIB, LECT, ARML, ADMIN}),
        post={RQ, DIR},
        on="open",
        data=lambda w: {"titre": "Renommée", "priorite": "moyenne", "statut": "a_faire"},
    ),
    "plans:plan_action_delete": rule(
        answers(not_allowed={RQ, DIR}, forbidden={CONTRIB, LECT, ARML, ADMIN}),
        post={RQ, DIR},
        on="open",
    ),
    "plans:plan_suggestion_accept": rule(
        answers(not_allowed={RQ, DIR}, forbidden={CONTRIB, LECT, ARML, ADMIN}),
        post={RQ, DIR},
        on="open",
    ),
    "plans:plan_submit": rule(
        answers(not_allowed={DIR}, forbidden=O_READ - {DIR}), post={DIR}, on="open"
    ),
    # The external audit: the administrators assign, the assigned auditor records and submits,
    # the lead auditor of the body reviews, the direction answers the gaps; everyone who sees
    # the dossier reads the validated report.
    "audits:audit_assign": rule(answers(ok={ADMIN}, forbidden=D_READ - {ADMIN}), post={ADMIN}),
    "audits:audit_overview": rule(answers(ok=D_READ)),
    "audits:audit_critere": rule(answers(ok=D_READ)),
    "audits:audit_gaps": rule(answers(ok=D_READ)),
    "audits:audit_comparison": rule(answers(ok=D_READ)),
    "audits:audit_start": rule(POST_ONLY, post={AUD}, sees=D_READ),
    "audits:audit_save_constat": rule(
        POST_ONLY,
        post={AUD},
        sees=D_READ,
        data=lambda w: {"version": w.labelled.constat.version, "observation": "Réécrite"},
    ),
    "audits:audit_save_global": rule(
        POST_ONLY,
        post={AUD},
        sees=D_READ,
        data=lambda w: {"version": 0, "avis_global": "Réécrit"},
    ),
    "audits:audit_submit": rule(POST_ONLY, post={AUD}, sees=D_READ),
    "audits:audit_review": rule(
        answers(ok={LEAD}, forbidden=D_READ - {LEAD}),
        post={LEAD},
        data=lambda w: {"decision": "renvoyer", "remarques": "À reprendre"},
    ),
    # The direction files the demande de labellisation; whoever reads the dossier sees it.
    "audits:audit_demande": rule(answers(ok=D_READ), post={DIR}),
    # A reservation action: whoever reads the dossier sees it; the référent and the direction
    # document it while the label runs.
    "plans:plan_reserve_action": rule(
        answers(ok=D_READ), post={RQ, DIR}, data=lambda w: {"statut": "a_faire"}
    ),
    # The administrators give more time to answer the gaps (GET leads back to the gaps).
    "audits:audit_extend_gaps": rule(answers(redirect=D_READ), post={ADMIN}),
    "audits:audit_answer_gap": rule(
        answers(redirect=D_READ),
        post={DIR},
        data=lambda w: {f"c{w.labelled.constat.pk}-action_corrective": "Corrigé"},
    ),
    # Reports: whoever reads the dossier may have its PDFs rendered and download them (a render
    # never changes the dossier, SPEC §8).
    "documents:document_list": rule(answers(ok=D_READ)),
    "documents:document_download": rule(answers(ok=D_READ)),
    "documents:document_request": rule(
        POST_ONLY, post=D_READ, sees=D_READ, data=lambda w: {"type": "autoevaluation"}
    ),
    "documents:document_retry": rule(POST_ONLY, post=D_READ, sees=D_READ),
    # The commission: the administrators organise the séances and their agenda; the members
    # sitting on a séance read its dossiers, declare conflicts and vote; the chair closes the
    # votes and records the decisions. A member who does not sit on the séance does not see it.
    "commission:seance_create": rule(answers(ok={ADMIN}, forbidden=LOGGED - {ADMIN}), post={ADMIN}),
    "commission:seance_detail": rule(answers(ok=S_READ), post={ADMIN}),
    "commission:point_detail": rule(answers(ok=S_READ)),
    "commission:point_vote": rule(
        POST_ONLY, post={MEMBRE, PRES}, sees=S_READ, data=lambda w: {"choix": "favorable"}
    ),
    "commission:point_conflict": rule(
        POST_ONLY, post={MEMBRE, PRES}, sees=S_READ, data=lambda w: {"motif": "Lien"}
    ),
    # The chair confirms before closing (a GET page; the world's vote is closed: back to the
    # item); the séance is edited by the administrators until it opens; the chair or an
    # administrator opens and closes it, and reopens a vote closed without quorum; the
    # rapporteur writes their note.
    "commission:point_close": rule(
        answers(redirect={PRES}, forbidden={ADMIN, MEMBRE}), post={PRES}
    ),
    "commission:seance_edit": rule(answers(ok={ADMIN}, forbidden={MEMBRE, PRES}), post={ADMIN}),
    "commission:seance_open": rule(POST_ONLY, post={ADMIN, PRES}, sees=S_READ),
    "commission:seance_close": rule(POST_ONLY, post={ADMIN, PRES}, sees=S_READ),
    "commission:point_reopen": rule(POST_ONLY, post={ADMIN, PRES}, sees=S_READ),
    "commission:point_note": rule(
        POST_ONLY, post={MEMBRE}, sees=S_READ, data=lambda w: {"note": "N"}
    ),
    "commission:point_decide": rule(
        POST_ONLY, post={PRES}, sees=S_READ, data=lambda w: {"motivation": "Motivée"}
    ),
    # The label's life: the campaign's rule is "the commission": a chair of a séance (without
    # a link to the structure) or a national administrator suspends, reinstates, withdraws.
    "commission:label_detail": rule(answers(ok=L_READ)),
    "commission:label_suspend": rule(
        POST_ONLY, post={ADMIN, PRES}, sees=L_READ, data=lambda w: {"motivation": "M"}
    ),
    "commission:label_reinstate": rule(
        POST_ONLY, post={ADMIN, PRES}, sees=L_READ, data=lambda w: {"motivation": "M"}
    ),
    "commission:label_withdraw": rule(
        POST_ONLY, post={ADMIN, PRES}, sees=L_READ, data=lambda w: {"motivation": "M"}
    ),
    # The lifting of reservations: the administrators record it.
    "commission:label_lift_reserves": rule(
        POST_ONLY, post={ADMIN}, sees=L_READ, data=lambda w: {"motivation": "M"}
    ),
    # Steering (SPEC §9): the UNML nationally, each ARML its region; an export is its
    # requester's (and the national administrators').
    "pilotage:pilotage_dashboard": rule(answers(ok=STEER)),
    "pilotage:pilotage_repartition": rule(answers(ok=STEER)),
    "pilotage:pilotage_exports": rule(answers(ok=STEER)),
    "pilotage:pilotage_export_csv": rule(answers(ok=STEER)),
    "pilotage:pilotage_export_request": rule(
        POST_ONLY, post=STEER, sees=STEER, data=lambda w: {"dataset": "dossiers"}
    ),
    "pilotage:pilotage_export_download": rule(answers(ok={ADMIN, ARML})),
    "pilotage:pilotage_export_retry": rule(POST_ONLY, post={ADMIN, ARML}, sees={ADMIN, ARML}),
    # The follow-up audit (SPEC §7b): the direction and the referent prepare the file, the
    # direction sends it, the administrators designate the auditor, who reviews and concludes.
    "suivis:suivi_schedule": rule(POST_ONLY, post={ADMIN}, sees={ADMIN}),
    "suivis:suivi_detail": rule(answers(ok=V_READ)),
    "suivis:suivi_save_bilan": rule(
        POST_ONLY,
        post={RQ, DIR},
        sees=V_READ,
        data=lambda w: {"version": 0, "bilan": "Bilan"},
    ),
    "suivis:suivi_save_point": rule(
        POST_ONLY,
        post={RQ, DIR},
        sees=V_READ,
        data=lambda w: {"version": w.point_suivi.version, "reponse": "Fait"},
    ),
    "suivis:suivi_add_preuve": rule(
        POST_ONLY, post={RQ, DIR}, sees=V_READ, data=lambda w: {"titre": "Preuve"}
    ),
    "suivis:suivi_action_progress": rule(
        POST_ONLY,
        post={RQ, DIR},
        sees=V_READ,
        data=lambda w: {
            f"a{w.labelled.action.pk}-statut": "fait",
            f"a{w.labelled.action.pk}-avancement": 100,
        },
    ),
    "suivis:suivi_send": rule(POST_ONLY, post={DIR}, sees=V_READ),
    "suivis:suivi_assign": rule(
        answers(ok={ADMIN}, forbidden=V_READ - {ADMIN}),
        post={ADMIN},
        data=lambda w: {"auditeur": w.auditeur_x.pk},
    ),
    "suivis:suivi_review": rule(answers(ok={AUD, ADMIN}, forbidden=V_READ - {AUD, ADMIN})),
    "suivis:suivi_start_review": rule(POST_ONLY, post={AUD}, sees=V_READ),
    "suivis:suivi_save_finding": rule(
        POST_ONLY,
        post={AUD},
        sees=V_READ,
        data=lambda w: {"version": w.point_suivi.version, "avis": "leve"},
    ),
    "suivis:suivi_visio": rule(
        POST_ONLY,
        post={AUD},
        sees=V_READ,
        data=lambda w: {"date_visio": "2030-01-15T10:00"},
    ),
    "suivis:suivi_conclude": rule(
        POST_ONLY,
        post={AUD},
        sees=V_READ,
        data=lambda w: {"conclusion": "maintien", "motivation": "Engagements tenus."},
    ),
    # National administration.
    "documents:document_parametres": rule(answers(ok={ADMIN}), post={ADMIN}),
    "documents:document_parametres_image": rule(answers(ok={ADMIN})),
    "accounts:utilisateur_list": rule(answers(ok={ADMIN})),
    "accounts:utilisateur_delete": rule(
        answers(ok={ADMIN}), post={ADMIN}, data=lambda w: {"confirmer": "on"}
    ),
    # Remarkable practices (issue 18): the catalogue for everyone logged in; a practice not yet
    # published for its structure, its ARML and the UNML; the direction consents, the UNML
    # publishes; the structure (referent, direction) and its ARML propose from the dossier.
    "pratiques:pratique_catalogue": rule(answers(ok=LOGGED)),
    "pratiques:pratique_export": rule(answers(ok=LOGGED)),
    "pratiques:pratique_review_list": rule(answers(ok={ADMIN})),
    "pratiques:pratique_detail": rule(answers(ok=ML_SEE)),
    "pratiques:pratique_consent": rule(
        POST_ONLY, post={DIR}, sees=ML_SEE, data=lambda w: {"consentement": "reseau"}
    ),
    "pratiques:pratique_review": rule(
        POST_ONLY, post={ADMIN}, sees=ML_SEE, data=lambda w: {"decision": "publier"}
    ),
    "pratiques:dossier_pratiques": rule(
        answers(ok=D_READ),
        post={RQ, DIR, ARML},
        data=lambda w: {
            "titre": "Pratique",
            "description": "Description",
            "criteres": [w.labelled.constat.critere_id],
            "contact_nom": "Contact",
        },
    ),
    "pratiques:dossier_positionnement": rule(answers(ok=D_READ)),
    # Valorisation outside: no login.
    "pratiques:public_pratique_catalogue": rule(answers(ok=EVERYONE)),
    "pratiques:public_pratique_detail": rule(answers(ok=EVERYONE)),
    "pratiques:public_structure": rule(answers(ok=EVERYONE)),
    "pratiques:label_badge": rule(answers(ok=EVERYONE)),
}

# Cells whose actual answer contradicts SPEC §2 (to be fixed in the view): (url name, method,
# actor) → the reason. Reported as expected failures; a cell that starts passing fails, so that
# its entry is removed.
XFAIL: dict[tuple[str, str, str], str] = {}

# --- the URL configuration ---------------------------------------------------------------------

# allauth's own account pages (login excepted, it has a rule): authentication, password, e-mail
# and second factor of the person themselves, tested in tests/accounts and tests/security.
ALLAUTH_OWN = {
    "account_logout": "allauth : déconnexion de la personne elle-même",
    "account_inactive": "allauth : page d'information, sans donnée",
    "account_signup": "allauth : inscription fermée (AccountAdapter.is_open_for_signup)",
    "account_reauthenticate": "allauth : confirmation du mot de passe de la personne",
    "account_email": "allauth : adresses e-mail de la personne",
    "account_email_verification_sent": "allauth : page d'information, sans donnée",
    "account_change_password": "allauth : mot de passe de la personne",
    "account_set_password": "allauth : mot de passe de la personne",
    "account_reset_password": "allauth : réinitialisation, testée dans tests/accounts",
    "account_reset_password_done": "allauth : page d'information, sans donnée",
    "account_reset_password_from_key": "allauth : lien à jeton, testé dans tests/accounts",
    "account_reset_password_from_key_done": "allauth : page d'information, sans donnée",
    "account_confirm_login_code": "allauth : connexion par code, désactivée",
    "account_confirm_email": "allauth : lien à jeton (vérification d'adresse désactivée)",
    "mfa_index": "allauth : double authentification de la personne",
    "mfa_authenticate": "allauth : second facteur à la connexion, testé dans tests/accounts",
    "mfa_reauthenticate": "allauth : second facteur de la personne",
    "mfa_activate_totp": "allauth : second facteur de la personne, testé dans tests/accounts",
    "mfa_deactivate_totp": "allauth : second facteur de la personne, testé dans tests/accounts",
    "mfa_view_recovery_codes": "allauth : codes de secours de la personne",
    "mfa_generate_recovery_codes": "allauth : codes de secours de la personne",
    "mfa_download_recovery_codes": "allauth : codes de secours de la personne",
    "usersessions_list": "allauth : sessions de la personne (remplacée par mes_sessions)",
}


def application_routes() -> dict[str, str]:
    # The API (/api/v1/) answers tokens, not sessions: its matrix is tests/api/test_api_matrix.py.
    return {
        name: route
        for name, route, _ in iter_patterns()
        if name not in ALLAUTH_OWN and not route.startswith("api/v1/")
    }


ROUTES = application_routes()
GET_CELLS = [
    pytest.param(name, actor, id=f"{name}-{actor}")
    for name in sorted(ROUTES)
    if name in RULES
    for actor in ACTORS
]
POST_CELLS = [
    pytest.param(name, actor, id=f"{name}-{actor}")
    for name in sorted(ROUTES)
    if name in RULES and RULES[name].post is not None
    for actor in ACTORS
    if actor not in RULES[name].post  # type: ignore[operator]
]

# --- the objects -------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _preuve(dossier: Any, critere: Any, author: Any) -> Any:
    from campagnes.autoevaluations.models import Preuve

    preuve = Preuve(
        dossier=dossier,
        critere=critere,
        titre="Procédure d'accueil",
        nom_original="procedure.pdf",
        type_mime="application/pdf",
        taille=len(PDF),
        empreinte="0" * 64,
        date_effet=timezone.localdate(),
        ajoute_par=author,
    )
    preuve.fichier.save("procedure.pdf", ContentFile(PDF), save=True)
    return preuve


def build_world() -> SimpleNamespace:
    from allauth.mfa.totp.internal.auth import TOTP

    from audits.commission.models import Label, PointOrdreDuJour
    from audits.models import Audit, Constat
    from audits.suivis import services as suivis
    from audits.suivis.models import PointSuivi
    from campagnes.autoevaluations.models import FicheMethodologique, Reponse, SyntheseCritere
    from campagnes.autoevaluations.services import take_snapshot
    from campagnes.models import Dossier
    from campagnes.plans.models import Action
    from campagnes.services import create_campagne, open_campagne
    from labelml.demo.samples import build_complete_dossier
    from labelml.documents.models import Document, ParametresDocuments
    from labelml.pilotage.models import Export
    from labelml.pilotage.scope import scope_for_user
    from labelml.pilotage.services import scope_snapshot
    from labelml.structures.models import Auditeur, Invitation, Membership, MembreCommission
    from labelml.structures.roles import Role
    from referentiel.models import Element
    from tests.conftest import DEMO_TOTP_SECRET
    from tests.factories import ArmlFactory, MissionLocaleFactory, UserFactory
    from tests.suivis.helpers import due_in

    def totp(user: Any) -> Any:
        TOTP.activate(user, DEMO_TOTP_SECRET)
        return user

    def membre(structure: Any, role: str) -> Any:
        return Membership.objects.create(user=UserFactory(), structure=structure, role=role).user

    labelled = build_complete_dossier(seed=7)
    ml = labelled.structure
    arml = ml.parent
    arml_b = ArmlFactory(region="84")
    ml_b = MissionLocaleFactory(parent=arml_b, region="84")
    audit = Audit.objects.select_related("auditeur__user", "organisme").get(dossier=labelled)
    point = PointOrdreDuJour.objects.select_related("seance__president__user").get(dossier=labelled)
    seance = point.seance
    sitting = seance.membres.exclude(pk=seance.president_id).order_by("pk").first()
    admin = Membership.objects.filter(role=Role.ADMIN_UNML, structure__type="unml").first().user
    lead = Auditeur.objects.get(organisme=audit.organisme, est_referent=True)
    auditeur_x = Auditeur.objects.create(user=UserFactory(), organisme=audit.organisme)
    users = {
        RQ: membre(ml, Role.REFERENT_QUALITE),
        CONTRIB: membre(ml, Role.CONTRIBUTEUR),
        DIR: Membership.objects.get(structure=ml, role=Role.DIRECTION).user,
        LECT: membre(ml, Role.LECTEUR),
        ARML: membre(arml, Role.REFERENT_ARML),
        ARML_X: membre(arml_b, Role.REFERENT_ARML),
        AUD: totp(audit.auditeur.user),
        AUD_X: totp(auditeur_x.user),
        LEAD: totp(lead.user),
        MEMBRE: totp(sitting.user),
        MEMBRE_X: totp(MembreCommission.objects.create(user=UserFactory(), college="etat").user),
        PRES: totp(seance.president.user),
        ADMIN: totp(admin),
        OUT: membre(ml_b, Role.DIRECTION),
    }

    # A renewal campaign: ML A's dossier in self-assessment (answers to confirm), and ML B's.
    today = timezone.localdate()
    campagne = create_campagne(
        actor=admin,
        nom="Campagne de renouvellement",
        referentiel=labelled.campagne.referentiel,
        date_ouverture=today,
        date_cloture_autoevaluation=today + dt.timedelta(days=90),
    )
    open_campagne(actor=admin, campagne=campagne, structures=[ml, ml_b])
    ouvert = Dossier.objects.get(campagne=campagne, structure=ml)
    reponse = (
        Reponse.objects.filter(autoevaluation__dossier=ouvert)
        .select_related("element__critere")
        .order_by("pk")
        .first()
    )
    open_side = SimpleNamespace(
        dossier=ouvert,
        reponse=reponse,
        synthese=SyntheseCritere.objects.get(
            autoevaluation__dossier=ouvert, critere=reponse.element.critere
        ),
        preuve=_preuve(ouvert, reponse.element.critere, users[RQ]),
        action=Action.objects.create(plan=ouvert.plan, titre="Former", created_by=users[RQ]),
        element=reponse.element,
        code=reponse.element.critere.code,
        numero=None,
        constat=None,
        document=None,
    )
    gap = (
        Constat.objects.filter(audit=audit, niveau__code="ecart_mineur")
        .select_related("critere")
        .first()
    )
    document = Document.objects.create(
        dossier=labelled,
        type=Document.Type.AUTOEVALUATION,
        statut=Document.Statut.READY,
        requested_by=users[DIR],
    )
    document.fichier.save("rapport.pdf", ContentFile(PDF), save=True)
    labelled_preuve = _preuve(labelled, gap.critere, users[DIR])
    # A submitted version that lists it (its evidence is served from the version's page).
    listing = take_snapshot(labelled, users[DIR])
    labelled_side = SimpleNamespace(
        dossier=labelled,
        reponse=Reponse.objects.filter(autoevaluation__dossier=labelled).order_by("pk").first(),
        synthese=SyntheseCritere.objects.filter(autoevaluation__dossier=labelled).first(),
        preuve=labelled_preuve,
        action=Action.objects.filter(plan__dossier=labelled).order_by("pk").first(),
        reserve=Action.objects.create(
            plan=labelled.plan, titre="Lever la réserve", origine="reserve", created_by=users[DIR]
        ),
        element=Element.objects.filter(critere=gap.critere).first(),
        code=gap.critere.code,
        numero=listing.numero,
        constat=gap,
        document=document,
    )

    # The follow-up audit of the label, designated to the auditor of the initial audit.
    label = due_in(Label.objects.get(decision__dossier=labelled), 30)
    suivi = suivis.schedule_followup(label, today=today)
    suivis.assign_followup(suivi, admin, auditeur=audit.auditeur)
    suivi.refresh_from_db()

    export = Export.objects.create(
        dataset="dossiers",
        filters={"campagne": labelled.campagne_id},
        scope=scope_snapshot(scope_for_user(users[ARML])),
        filename="dossiers.xlsx",
        requested_by=users[ARML],
        statut=Export.Statut.READY,
    )
    export.fichier.save("dossiers.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    parametres = ParametresDocuments.current()
    parametres.logo.save("logo.png", ContentFile(PNG), save=True)
    fiche = FicheMethodologique(critere=gap.critere, titre="Fiche")
    fiche.fichier.save("fiche.pdf", ContentFile(PDF), save=True)
    invitation = Invitation.objects.create(
        email="invitee@example.fr", structure=ml, role=Role.LECTEUR, invited_by=users[DIR]
    )
    usersession = None
    if apps.is_installed("allauth.usersessions"):
        from allauth.usersessions.models import UserSession

        usersession = UserSession.objects.create(
            user=users[RQ], ip="192.0.2.1", session_key="matrice" * 4, user_agent="Test"
        )

    # A practice of the Mission Locale proposed by its referent (not published), and another
    # published and shared publicly.
    from audits.pratiques import services as pratiques

    def pratique(titre: str) -> Any:
        return pratiques.propose(
            labelled,
            users[RQ],
            titre=titre,
            description="Des entreprises marraines.",
            criteres=[gap.critere],
            contact_nom="Contact",
        )

    pratique_publique = pratique("Pratique publique")
    pratiques.consent(pratique_publique, users[DIR], "public")
    pratiques.publish(pratique_publique, admin)

    # One session per actor, opened once; each test uses a fresh client on it.
    sessions = {}
    for actor, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value

    from labelml.api.tokens import create_token

    cible = membre(ml_b, Role.LECTEUR)
    return SimpleNamespace(
        users=users,
        sessions=sessions,
        labelled=labelled_side,
        open=open_side,
        structure=ml,
        other_dossier=Dossier.objects.get(campagne=campagne, structure=ml_b),
        campagne=labelled.campagne,
        seance=seance,
        point=point,
        label=label,
        suivi=suivi,
        point_suivi=PointSuivi.objects.filter(suivi=suivi).order_by("pk").first(),
        auditeur_x=auditeur_x,
        export=export,
        fiche=fiche,
        pratique=pratique("Pratique proposée"),
        pratique_publique=pratique_publique,
        invitation=invitation,
        usersession=usersession,
        referentiel=labelled.campagne.referentiel,
        # An account for the administrators' deletion page: a reader of ML B.
        cible=cible,
        jeton=create_token(user=cible, nom="Tableur", portee="lecture", jours=30)[0],
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Built once, in a transaction rolled back after the module's last test (each test runs in
    a savepoint of it, rolled back too)."""
    media = tmp_path_factory.mktemp("matrice-media")
    with rolled_back_world(django_db_blocker, MEDIA_ROOT=str(media)) as settle:
        built = build_world()
        # Each test is rolled back: every refused POST must leave exactly this.
        built.footprint = footprint(built)
        yield settle(built)


# --- URLs and answers ----------------------------------------------------------------------------

# The object a <pk> designates, by the URL's prefix.
PK_BY_PREFIX = (
    ("structures/auditeurs/", lambda w, side: w.auditeur_x.pk),
    ("structures/", lambda w, side: w.structure.pk),
    ("campagnes/", lambda w, side: w.campagne.pk),
    ("dossiers/", lambda w, side: side.dossier.pk),
    ("commission/", lambda w, side: w.seance.pk),
    ("suivis/", lambda w, side: w.suivi.pk),
    ("pilotage/exports/", lambda w, side: w.export.pk),
    ("fiches/", lambda w, side: w.fiche.pk),
    ("pratiques/", lambda w, side: w.pratique.pk),
    ("valorisation/pratiques/", lambda w, side: w.pratique_publique.pk),
    ("administration/utilisateurs/", lambda w, side: w.cible.pk),
    ("comptes/sessions/", lambda w, side: w.usersession.pk),
    ("comptes/jetons/", lambda w, side: w.jeton.pk),
)


def _param(w: Any, side: Any, route: str, param: str) -> Any:
    if param == "pk":
        for prefix, pk in PK_BY_PREFIX:
            if route.startswith(prefix):
                return pk(w, side)
        return None
    by_prefix: dict[str, Callable[[], Any]] = {
        "point_pk": lambda: (w.point_suivi if route.startswith("suivis/") else w.point).pk,
        "action_pk": lambda: (
            (
                side.reserve
                if "/reserves/" in route
                else (w.labelled if route.startswith("suivis/") else side).action
            ).pk
        ),
        "numero": lambda: (
            w.label.numero if "labels/" in route or "badges/" in route else side.numero
        ),
        "code": lambda: (
            w.referentiel.code
            if route.startswith("referentiels/")
            else w.structure.code
            if route.startswith("valorisation/")
            else side.code
        ),
        "version": lambda: w.referentiel.version,
        "reponse_pk": lambda: side.reponse.pk,
        "synthese_pk": lambda: side.synthese.pk,
        "preuve_pk": lambda: side.preuve.pk,
        "empreinte": lambda: side.preuve.empreinte,
        "element_pk": lambda: side.element.pk,
        "constat_pk": lambda: side.constat.pk,
        "document_pk": lambda: side.document.pk,
        "invitation_pk": lambda: w.invitation.pk,
        "token": lambda: w.invitation.token,
        "dataset": lambda: "dossiers",
        "which": lambda: "logo",
    }
    provider = by_prefix.get(param)
    return provider() if provider else None


def url_for(name: str, w: Any) -> str:
    route = ROUTES[name]
    side = w.open if RULES[name].on == "open" else w.labelled
    kwargs = {}
    for param in re.findall(r"<(?:\w+:)?(\w+)>", route):
        value = _param(w, side, route, param)
        assert value is not None, f"{name} ({route}) : paramètre « {param} » sans fournisseur"
        kwargs[param] = value
    return reverse(name, kwargs=kwargs)


def client_of(w: Any, actor: str) -> Client:
    client = Client()
    if actor != ANON:
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[actor]
    return client


def answer_of(response: HttpResponse) -> str:
    if response.status_code == 302:
        login = reverse("account_login")
        return LOGIN if response["Location"].startswith(login) else REDIRECT
    return str(response.status_code)


def check(name: str, method: str, actor: str, expected: str, response: HttpResponse) -> None:
    actual = answer_of(response)
    if getattr(response, "streaming", False):
        # Consumed through the test client's wrapper, which closes the file without closing
        # the database connection (a bare response.close() would, on PostgreSQL).
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    reason = XFAIL.get((name, method, actor))
    if reason:
        if actual == expected:
            pytest.fail(f"{method} {name} par {actor} : corrigé, retirez-le de XFAIL")
        pytest.xfail(f"{reason} (attendu {expected}, obtenu {actual})")
    assert actual == expected, f"{method} {name} par {actor} : attendu {expected}, obtenu {actual}"


def footprint(w: Any) -> dict[str, Any]:
    """The rows an action on these objects may touch, in a few aggregates read fresh from the
    database (with `writes` below, which sees any INSERT, UPDATE or DELETE)."""
    from django.db.models import Count, Max, Sum

    from audits.commission.models import (
        Decision,
        Label,
        PointOrdreDuJour,
        Recusation,
        Seance,
        Vote,
    )
    from audits.models import Audit, Constat, ReponseEcart, Revue
    from audits.pratiques.models import Pratique
    from audits.suivis.models import AuditSuivi, PointSuivi
    from campagnes.autoevaluations.models import Preuve, Reponse, Saisie, SyntheseCritere
    from campagnes.models import Campagne, Dossier, DossierTransition, DossierUserObjectPermission
    from campagnes.plans.models import Action, PlanAmelioration
    from labelml.accounts.models import SuppressionCompte, User
    from labelml.api.models import JetonAcces
    from labelml.documents.models import Document, ParametresDocuments
    from labelml.notifications.models import Notification
    from labelml.pilotage.models import Export
    from labelml.structures.models import Invitation, Membership

    def agg(qs: Any, **extra: Any) -> dict[str, Any]:
        return dict(qs.aggregate(n=Count("pk"), last=Max("pk"), **extra))

    versions = {"v": Sum("version")}
    return {
        "dossiers": list(Dossier.objects.order_by("pk").values_list("pk", "statut")),
        "transitions": agg(DossierTransition.objects.filter(subject="dossier")),
        "pratiques": list(
            Pratique.objects.order_by("pk").values_list("pk", "statut", "consentement")
        ),
        "reponses": agg(Reponse.objects, **versions, rated=Count("niveau")),
        "syntheses": agg(SyntheseCritere.objects, **versions, assigned=Count("contributeur")),
        "saisies": agg(Saisie.objects),
        "preuves": agg(Preuve.objects),
        "plans": agg(PlanAmelioration.objects, submitted=Count("soumis_le")),
        "actions": agg(Action.objects, updated=Max("updated_at"), done=Sum("avancement")),
        "audits": list(Audit.objects.order_by("pk").values_list("pk", "statut", "version")),
        "constats": agg(Constat.objects, **versions, updated=Max("updated_at")),
        "revues": agg(Revue.objects),
        "ecarts": agg(ReponseEcart.objects, updated=Max("updated_at"), sent=Count("envoye_le")),
        "seances": list(Seance.objects.order_by("pk").values_list("pk", "statut")),
        "points": list(PointOrdreDuJour.objects.order_by("pk").values_list("pk", "vote")),
        "votes": list(Vote.objects.order_by("pk").values_list("pk", "choix")),
        "recusations": agg(Recusation.objects),
        "decisions": agg(Decision.objects),
        "labels": list(Label.objects.order_by("pk").values_list("pk", "statut")),
        "evenements": agg(DossierTransition.objects.filter(subject="label")),
        "suivis": list(
            AuditSuivi.objects.order_by("pk").values_list("pk", "statut", "auditeur_id", "version")
        ),
        "points_suivi": agg(PointSuivi.objects, **versions),
        "suivi_transitions": agg(DossierTransition.objects.filter(subject="suivi")),
        "campagnes": agg(Campagne.objects),
        "invitations": agg(Invitation.objects, revoked=Count("revoked_at")),
        "memberships": agg(Membership.objects),
        "grants": agg(DossierUserObjectPermission.objects),
        "documents": list(Document.objects.order_by("pk").values_list("pk", "statut")),
        "exports": list(Export.objects.order_by("pk").values_list("pk", "statut")),
        "jetons": list(JetonAcces.objects.order_by("pk").values_list("pk", "revoque_le")),
        "parametres": list(ParametresDocuments.objects.values_list("pk", "updated_at")),
        "notifications": agg(Notification.objects, unread=Count("pk", filter=Q(lu_le=None))),
        "users": agg(User.objects, active=Count("pk", filter=Q(is_active=True))),
        "suppressions": agg(SuppressionCompte.objects),
    }


# Writes a refused request may make: its session (activity, messages) and allauth's record of it.
SESSION_TABLES = ("django_session", "usersessions_usersession")


def writes(queries: Iterable[dict[str, str]]) -> list[str]:
    """The INSERT, UPDATE and DELETE statements among `queries`, the session's excepted."""
    return [
        q["sql"]
        for q in queries
        if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", q["sql"], re.IGNORECASE)
        and not any(f'"{table}"' in q["sql"] for table in SESSION_TABLES)
    ]


def only_reads(queries: Iterable[dict[str, str]]) -> bool:
    """Nothing but SELECTs and savepoints: no row can have changed (the application calls no
    database function that writes)."""
    return all(
        re.match(r"\s*(SELECT|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", q["sql"], re.I)
        for q in queries
    )


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_url_has_a_rule(name):
    assert name in RULES, f"nouvelle URL sans règle d'autorisation : {name} ({ROUTES[name]})"
    assert set(RULES[name].get) == set(ACTORS), f"{name} : une réponse par acteur"
    if RULES[name].get == POST_ONLY and RULES[name].post is not None:
        assert RULES[name].sees is not None, f"{name} : qui voit l'objet (sees) ?"


def test_every_rule_designates_an_existing_url():
    stale = sorted(set(RULES) - set(ROUTES))
    assert not stale, f"règles sans URL : {stale}"
    assert not set(ALLAUTH_OWN) & set(RULES)


def test_every_parameter_has_a_provider(world):
    for name in ROUTES:
        if name in RULES:
            url_for(name, world)


def test_every_actor_is_who_the_matrix_says(world):
    """The cast, checked once: an actor that silently lost their role would make the matrix
    pass for the wrong reason."""
    from audits.commission.services import may_change_label_status
    from audits.selectors import audit_capabilities
    from campagnes.selectors import dossier_capabilities
    from labelml.structures.roles import Capability
    from labelml.structures.security import security_profile

    users, dossier = world.users, world.labelled.dossier
    assert security_profile(users[ADMIN]).is_national_admin
    assert Capability.VIEW in audit_capabilities(users[AUD], dossier)
    assert Capability.RECORD_FINDINGS not in dossier_capabilities(users[AUD], dossier)  # closed
    assert Capability.REVIEW_AUDIT in audit_capabilities(users[LEAD], dossier)
    assert not audit_capabilities(users[AUD_X], dossier)
    assert world.seance.membres.filter(user=users[MEMBRE]).exists()
    assert not world.seance.membres.filter(user=users[MEMBRE_X]).exists()
    assert world.seance.president.user == users[PRES]
    assert may_change_label_status(users[PRES], world.label)
    assert world.suivi.auditeur.user == users[AUD]
    assert world.open.dossier.statut == "autoevaluation"
    assert world.open.reponse.a_confirmer  # a renewal: answers to confirm
    assert not world.open.synthese.contributeur_id  # the contributor is not assigned to it


@pytest.mark.parametrize(("name", "actor"), GET_CELLS)
def test_get(world, name, actor):
    expected = RULES[name].get[actor]
    response = client_of(world, actor).get(url_for(name, world))
    check(name, "GET", actor, expected, response)


@pytest.mark.parametrize(("name", "actor"), POST_CELLS)
def test_post_refused(world, name, actor):
    rule_ = RULES[name]
    if actor == ANON:
        expected = LOGIN
    else:
        expected = FORBIDDEN if actor in rule_.who_sees() else NOT_FOUND
    client, url, data = client_of(world, actor), url_for(name, world), rule_.data(world)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    check(name, "POST", actor, expected, response)
    assert not writes(queries), f"POST {name} par {actor} a écrit : {writes(queries)}"
    if not only_reads(queries):  # a statement `writes` does not know: read the rows again
        assert footprint(world) == world.footprint, f"POST {name} par {actor} a modifié des données"
