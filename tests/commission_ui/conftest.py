"""Fixtures of the commission's pages: ML A's dossier brought to a validated audit whose gaps
were answered (`answered`), and a séance (`seance`) with a chair and three members, all with
TOTP (mandatory for commission members); m3 belongs to ML A's ARML, so that placing ML A's
dossier on the agenda recuses them automatically."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from audits.commission import services
from labelml.structures.models import MembreCommission
from labelml.structures.roles import Role
from tests.commission import conftest as _commission
from tests.conftest import member, with_totp
from tests.factories import MembreCommissionFactory

admin = _commission.admin
campagne = _commission.campagne
dossier = _commission.dossier
people = _commission.people
body = _commission.body
auditeur = _commission.auditeur
lead = _commission.lead
planifiable = _commission.planifiable
assigned = _commission.assigned
started = _commission.started
submitted = _commission.submitted
validated = _commission.validated


@pytest.fixture
def answered(validated, people):  # type: ignore[no-untyped-def]
    """A validated audit whose gaps were all answered and sent by the direction."""
    from audits.services import answer_gap
    from tests.audits.conftest import GAP_CRITERE, MINOR_GAP_CRITERE, constat

    for code in (GAP_CRITERE, MINOR_GAP_CRITERE):
        answer_gap(
            constat=constat(validated, code),
            actor=people.direction,
            action_corrective="Action corrective engagée.",
            envoyer=True,
        )
    from audits.services import file_demande

    file_demande(validated.dossier, people.direction)
    return validated.dossier


def make_seance(admin: Any, network: Any) -> Any:
    chair = MembreCommissionFactory(user=with_totp(_user()), college=MembreCommission.College.ETAT)
    m1 = MembreCommissionFactory(user=with_totp(_user()))
    m2 = MembreCommissionFactory(user=with_totp(_user()))
    m3 = MembreCommissionFactory(user=with_totp(member(network["arml_a"], Role.REFERENT_ARML)))
    seance = services.create_seance(
        actor=admin,
        date=timezone.now(),
        president=chair,
        membres=[m1, m2, m3],
        lieu="Paris",
    )
    seance.chair, seance.m1, seance.m2, seance.m3 = chair, m1, m2, m3
    return seance


def _user() -> Any:
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def seance(admin, network):  # type: ignore[no-untyped-def]
    return make_seance(admin, network)


@pytest.fixture
def point(seance, answered, admin):  # type: ignore[no-untyped-def]
    """ML A's dossier on the séance's agenda (m3 recused automatically)."""
    p = services.add_to_agenda(actor=admin, seance=seance, dossier=answered, rapporteur=seance.m1)
    p.seance = seance
    return p
