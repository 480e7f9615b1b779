from tests.audits import conftest as _audits
from tests.campagnes import conftest as _campagnes
from tests.commission_ui import conftest as _commission_ui

admin = _campagnes.admin
campagne = _campagnes.campagne
dossier = _campagnes.dossier
people = _campagnes.people
filled_dossier = _campagnes.filled_dossier

# The audit fixtures (a dossier brought to a validated audit report, gaps answered).
body = _audits.body
auditeur = _audits.auditeur
lead = _audits.lead
planifiable = _audits.planifiable
assigned = _audits.assigned
started = _audits.started
submitted = _audits.submitted
validated = _audits.validated
answered = _commission_ui.answered
