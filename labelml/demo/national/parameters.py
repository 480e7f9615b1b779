"""The parameters of the national data set: the stage mixes of the current and earlier
campaigns, the network's strengths and weaknesses, the auditors' bias, the delays between the
workflow's steps, the auditing bodies and the commission's size."""

from __future__ import annotations

from campagnes.models import Dossier

Statut = Dossier.Statut
AJOURNE = "ajourne"  # a commission outcome; the dossier goes back to plan_amelioration
DECIDED = ("labellise", "labellise_sous_reserve", AJOURNE, "refuse")
CURRENT_YEAR = 2026
CYCLE_YEARS = 3  # earlier campaigns are one label validity apart
BATCH = 2000

# Stage mix of the current campaign, for the 430 Missions Locales outside the small demo (whose
# six dossiers are in autoevaluation, plan_amelioration and audit_planifie).
CURRENT_MIX: tuple[tuple[str, int], ...] = (
    (Statut.AUTOEVALUATION, 105),
    (Statut.PLAN_AMELIORATION, 60),
    (Statut.AUDIT_A_PLANIFIER, 40),
    (Statut.AUDIT_PLANIFIE, 40),
    (Statut.AUDIT_EN_COURS, 35),
    (Statut.REPONSE_STRUCTURE, 30),
    (Statut.EN_COMMISSION, 25),
    ("labellise", 45),
    ("labellise_sous_reserve", 30),
    (AJOURNE, 12),
    ("refuse", 8),
)
# An earlier campaign is over: most dossiers were decided, a few never went to the audit.
PAST_MIX: tuple[tuple[str, int], ...] = (
    (Statut.AUTOEVALUATION, 4),
    (Statut.PLAN_AMELIORATION, 5),
    ("labellise", 52),
    ("labellise_sous_reserve", 30),
    (AJOURNE, 5),
    ("refuse", 4),
)
OPENED_DAYS_AGO = 320  # the current campaign opened ~10 months ago
PAST_CAMPAIGN_DAYS = 500  # an earlier campaign's last séance is ~16 months after its opening

# Typical strengths and weaknesses of the network, by criterion or part (added to each level).
TENDENCY = {
    "1": 0.25,
    "2": 0.15,
    "3": -0.05,
    "3.3": -0.45,  # observatoire du territoire
    "3.4": -0.35,  # innovation
    "4.1": -0.2,  # repérage, « aller vers »
    "4.2": 0.35,  # accueil
    "4.3": 0.25,
    "4.4": -0.3,  # relation aux employeurs
    "5": 0.0,
    "5.2": 0.2,
    "5.4": -0.55,  # évaluation de l'impact
}
# Criteria the auditors find gaps on more often than the self-assessment suggests.
AUDIT_BIAS = {"5.4": -0.45, "3.3": -0.3, "5.2": -0.35, "1.2": -0.2, "4.4.1": -0.25, "2.4": -0.1}

# Days between a step and the previous one (min, max).
GAPS: dict[str, tuple[float, float]] = {
    "reopen_autoevaluation": (4, 25),
    "resubmit_autoevaluation": (6, 30),
    "submit_plan": (5, 45),
    "request_audit": (0.2, 10),
    "assign_audit": (3, 30),
    "start_audit": (14, 50),
    "submit_audit_report": (3, 14),
    "return_audit_report": (2, 6),
    "resubmit_audit_report": (3, 8),
    "validate_audit_report": (2, 10),
    "place_on_agenda": (10, 28),
    "decision": (5, 30),
}

# audits.commission.services.decide appends this when an open major gap forbids « labellisé ».
MAJOR_GAP_RULE = (
    "\n\nUn écart majeur reste ouvert : « labellisé » est exclu par la règle "
    "de la campagne, le label est accordé sous réserve."
)
RECUSAL_MOTIF = "Membre de la structure ou de son ARML (récusation automatique)"

AUDITING_BODIES = (
    # (name, code used in e-mails, auditors, a lead auditor to create: the demo one leads AFNOR)
    ("AFNOR Certification (démo)", "afnor", 8, False),
    ("Qualicert Évaluation (démo)", "qualicert", 6, True),
)
COMMISSION_MEMBERS = 12


ANCHOR_DAYS: dict[
    str, tuple[float, float]
] = {  # how long ago the last step of a dossier in this state happened (min, max)
    Statut.AUTOEVALUATION: (1, 60),  # a reopening
    Statut.PLAN_AMELIORATION: (1, 80),
    Statut.AUDIT_A_PLANIFIER: (1, 35),
    Statut.AUDIT_PLANIFIE: (1, 40),
    Statut.AUDIT_EN_COURS: (1, 22),
    Statut.REPONSE_STRUCTURE: (1, 27),
    Statut.EN_COMMISSION: (1, 30),
}
FIRST_SUBMISSION_DAY = 30  # no self-assessment is submitted in the campaign's first month

GAP_CODES = ("ecart_mineur", "ecart_majeur")
