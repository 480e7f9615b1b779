"""The audit fixtures (a dossier brought to a validated audit report), made available here."""

from tests.audits import conftest as _audits

admin = _audits.admin
campagne = _audits.campagne
dossier = _audits.dossier
people = _audits.people
body = _audits.body
auditeur = _audits.auditeur
lead = _audits.lead
planifiable = _audits.planifiable
assigned = _audits.assigned
started = _audits.started
submitted = _audits.submitted
validated = _audits.validated
