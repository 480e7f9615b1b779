import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from labelml.structures.models import (
    Auditeur,
    Membership,
    MembreCommission,
    OrganismeAuditeur,
    Structure,
)
from labelml.structures.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("mot-de-passe-solide-42")


class UnmlFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        django_get_or_create = ("code",)

    code = "unml"
    nom = "Union nationale des Missions Locales"
    type = Structure.Type.UNML
    region = ""


class ArmlFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    code = factory.Sequence(lambda n: f"arml-{n}")
    nom = factory.Sequence(lambda n: f"ARML {n}")
    type = Structure.Type.ARML
    region = "11"


class MissionLocaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    code = factory.Sequence(lambda n: f"ml-{n}")
    nom = factory.Sequence(lambda n: f"Mission Locale {n}")
    type = Structure.Type.MISSION_LOCALE
    parent = factory.SubFactory(ArmlFactory)
    region = factory.LazyAttribute(lambda o: o.parent.region if o.parent else "11")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(MissionLocaleFactory)
    role = Role.REFERENT_QUALITE


class OrganismeAuditeurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganismeAuditeur

    nom = factory.Sequence(lambda n: f"Organisme certificateur {n}")


class AuditeurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Auditeur

    user = factory.SubFactory(UserFactory)
    organisme = factory.SubFactory(OrganismeAuditeurFactory)
    # Certified by default (only a certified auditor is assigned a mission).
    certification_organisme = "Organisme de certification des auditeurs"
    certification_reference = factory.Sequence(lambda n: f"CERT-AUD-{n:04d}")
    certifie_jusqu_au = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=730)
    )


class MembreCommissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembreCommission

    user = factory.SubFactory(UserFactory)
    college = MembreCommission.College.RESEAU
