"""add_preuve / delete_preuve: rights, consistency with the référentiel, private storage."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campagnes.autoevaluations.models import Preuve
from campagnes.autoevaluations.preuves import add_preuve, delete_preuve, expiry_status
from campagnes.models import Dossier
from referentiel.models import Critere, Referentiel, Section
from tests.preuves import samples
from tests.preuves.conftest import stored_files
from tests.preuves.samples import upload

pytestmark = pytest.mark.django_db

EFFET = datetime.date(2025, 3, 1)


def _add(dossier, actor, critere, **overrides):  # type: ignore[no-untyped-def]
    fields = {
        "dossier": dossier,
        "actor": actor,
        "critere": critere,
        "titre": "Compte rendu du CA",
        "date_effet": EFFET,
        "upload": upload("CR CA.pdf", samples.PDF),
    }
    fields.update(overrides)
    return add_preuve(**fields)


def test_add_preuve_stores_the_file_privately_under_the_dossier(
    dossier, referent, critere, media_root
):
    element = critere.elements.first()
    preuve = _add(dossier, referent, critere, element=element)
    preuve.refresh_from_db()
    assert preuve.nom_original == "CR CA.pdf"
    assert preuve.type_mime == "application/pdf"
    assert preuve.taille == len(samples.PDF)
    assert preuve.empreinte == hashlib.sha256(samples.PDF).hexdigest()
    assert preuve.ajoute_par == referent
    assert preuve.element == element
    # preuves/<dossier>/<uuid hex>.pdf: the uploaded name is never used on disk.
    parts = preuve.fichier.name.split("/")
    assert parts[:2] == ["preuves", str(dossier.pk)]
    assert len(parts[2]) == len("0" * 32 + ".pdf") and parts[2].endswith(".pdf")
    assert (media_root / preuve.fichier.name).read_bytes() == samples.PDF


def test_a_contributor_may_add_evidence(dossier, contributeur, critere):
    assert _add(dossier, contributeur, critere).pk


@pytest.mark.parametrize("who", ["lecteur", "referent_arml", "outsider"])
def test_members_without_the_right_are_refused(request, dossier, critere, media_root, who):
    with pytest.raises(PermissionDenied):
        _add(dossier, request.getfixturevalue(who), critere)
    assert not Preuve.objects.exists()
    assert stored_files(media_root) == []


def test_nothing_is_added_once_the_self_assessment_is_submitted(
    dossier, referent, critere, media_root
):
    dossier.statut = Dossier.Statut.PLAN_AMELIORATION
    dossier.save()
    with pytest.raises(PermissionDenied, match="pendant l'auto-évaluation"):
        _add(dossier, referent, critere)
    assert stored_files(media_root) == []


def test_the_criterion_must_belong_to_the_campaign_referentiel(dossier, referent, media_root):
    autre = Referentiel.objects.create(
        code="autre", version=1, titre="Autre", statut="publie", cible="mission_locale"
    )
    section = Section.objects.create(referentiel=autre, code="1", titre="Partie", ordre=1)
    etranger = Critere.objects.create(
        referentiel=autre, section=section, code="1.1", titre="Critère", ordre=1
    )
    with pytest.raises(ValidationError) as exc:
        _add(dossier, referent, etranger)
    assert "critere" in exc.value.message_dict
    assert stored_files(media_root) == []


def test_the_element_must_belong_to_the_criterion(dossier, referent, critere, autre_critere):
    with pytest.raises(ValidationError) as exc:
        _add(dossier, referent, critere, element=autre_critere.elements.first())
    assert exc.value.message_dict == {
        "element": ["Cet élément d'appréciation n'appartient pas au critère choisi."]
    }


@pytest.mark.parametrize("days", [0, -1])
def test_expiry_must_follow_the_effect_date(dossier, referent, critere, days):
    with pytest.raises(ValidationError) as exc:
        _add(dossier, referent, critere, date_expiration=EFFET + datetime.timedelta(days=days))
    assert list(exc.value.message_dict) == ["date_expiration"]


def test_all_problems_are_reported_at_once(dossier, referent, critere, media_root):
    with pytest.raises(ValidationError) as exc:
        _add(
            dossier,
            referent,
            critere,
            titre="  ",
            date_expiration=EFFET,
            upload=upload("rapport.pdf", samples.ELF),
        )
    assert set(exc.value.message_dict) == {"titre", "date_expiration", "fichier"}
    assert stored_files(media_root) == []


def test_the_file_is_removed_when_the_row_cannot_be_saved(
    dossier, referent, critere, media_root, monkeypatch
):
    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(Preuve, "save", fail)
    with pytest.raises(RuntimeError):
        _add(dossier, referent, critere)
    assert stored_files(media_root) == []


def test_delete_removes_the_file_after_commit(
    dossier, referent, critere, media_root, django_capture_on_commit_callbacks
):
    preuve = _add(dossier, referent, critere)
    path = media_root / preuve.fichier.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delete_preuve(preuve=preuve, actor=referent)
    assert not Preuve.objects.exists()
    assert path.exists()  # not before the deletion is committed
    for callback in callbacks:
        callback()
    assert not path.exists()


def test_delete_needs_the_upload_right(dossier, referent, lecteur, critere):
    preuve = _add(dossier, referent, critere)
    with pytest.raises(PermissionDenied):
        delete_preuve(preuve=preuve, actor=lecteur)
    dossier.statut = Dossier.Statut.AUDIT_A_PLANIFIER
    dossier.save()
    preuve.refresh_from_db()
    with pytest.raises(PermissionDenied):
        delete_preuve(preuve=preuve, actor=referent)
    assert Preuve.objects.filter(pk=preuve.pk).exists()


@pytest.mark.parametrize(
    ("offset", "status"),
    [(None, ""), (-1, "expiree"), (0, "bientot"), (60, "bientot"), (61, "")],
)
def test_expiry_status(offset, status):
    today = datetime.date(2025, 6, 1)
    expiration = None if offset is None else today + datetime.timedelta(days=offset)
    assert expiry_status(Preuve(date_expiration=expiration), today) == status
