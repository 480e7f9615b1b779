from tests.campagnes import conftest as _campagnes

admin = _campagnes.admin
campagne = _campagnes.campagne
dossier = _campagnes.dossier
people = _campagnes.people
