from tests.audits import conftest as _audits
from tests.campagnes import conftest as _campagnes

admin = _campagnes.admin
campagne = _campagnes.campagne
dossier = _campagnes.dossier
other_dossier = _campagnes.other_dossier
people = _campagnes.people

# ML A's dossier brought to a validated audit report with two gaps.
body = _audits.body
auditeur = _audits.auditeur
lead = _audits.lead
planifiable = _audits.planifiable
assigned = _audits.assigned
started = _audits.started
submitted = _audits.submitted
validated = _audits.validated
