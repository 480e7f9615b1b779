"""The fixtures of the commission's pages (a dossier brought through the real workflow, a
séance), made available to the home's tests."""

from tests.commission_ui import conftest as _ui

admin = _ui.admin
campagne = _ui.campagne
dossier = _ui.dossier
people = _ui.people
body = _ui.body
auditeur = _ui.auditeur
lead = _ui.lead
planifiable = _ui.planifiable
assigned = _ui.assigned
started = _ui.started
submitted = _ui.submitted
validated = _ui.validated
answered = _ui.answered
seance = _ui.seance
point = _ui.point
