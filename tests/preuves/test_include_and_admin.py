"""The include used by the self-assessment criterion page, and the admin pages."""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from campagnes.autoevaluations.models import Preuve
from campagnes.autoevaluations.preuves import ACCEPT_ATTRIBUTE, add_preuve
from tests.conftest import client_for, with_totp
from tests.factories import UserFactory
from tests.preuves import samples
from tests.preuves.samples import upload

pytestmark = pytest.mark.django_db
INCLUDE = "autoevaluations/preuves/_critere.html"


def _preuve(dossier, actor, critere, titre, expires_in):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return add_preuve(
        dossier=dossier,
        actor=actor,
        critere=critere,
        titre=titre,
        date_effet=today - datetime.timedelta(days=400),
        date_expiration=None if expires_in is None else today + datetime.timedelta(expires_in),
        upload=upload(f"{titre}.pdf", samples.PDF),
    )


def _render(dossier, critere, preuves, can_upload, **extra):  # type: ignore[no-untyped-def]
    request = RequestFactory().get(f"/dossiers/{dossier.pk}/autoevaluation/criteres/x/?a=1")
    request.user = AnonymousUser()
    context = {
        "dossier": dossier,
        "critere": critere,
        "preuves": preuves,
        "can_upload": can_upload,
        "elements": list(critere.elements.all()),
        **extra,
    }
    return render_to_string(INCLUDE, context, request=request)


def test_the_include_lists_evidence_with_expiry_badges(dossier, referent, critere):
    preuves = [
        _preuve(dossier, referent, critere, "Perimee", -1),
        _preuve(dossier, referent, critere, "Aujourdhui", 0),
        _preuve(dossier, referent, critere, "Dans60", 60),
        _preuve(dossier, referent, critere, "Dans61", 61),
        _preuve(dossier, referent, critere, "SansDate", None),
    ]
    html = _render(dossier, critere, preuves, can_upload=False)
    rows = {p.titre: html.split(p.titre + "</a>")[1].split("</tr>")[0] for p in preuves}
    assert ">Expirée<" in rows["Perimee"]
    assert "Expire bientôt" in rows["Aujourdhui"]
    assert "Expire bientôt" in rows["Dans60"]
    assert "Expire bientôt" not in rows["Dans61"] and "Jusqu" in rows["Dans61"]
    assert "Sans échéance" in rows["SansDate"]
    for p in preuves:
        assert reverse("autoevaluations:preuve_download", args=[dossier.pk, p.pk]) in html
    assert "<form" not in html
    assert "supprimer" not in html


def test_the_include_offers_a_compact_form_returning_to_the_page(dossier, referent, critere):
    html = _render(dossier, critere, [], can_upload=True)
    assert f'action="{reverse("autoevaluations:preuve_add", args=[dossier.pk])}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert f'name="critere" value="{critere.code}"' in html
    assert (
        f'name="next" value="/dossiers/{dossier.pk}/autoevaluation/criteres/x/?a=1'
        f'#preuves-{critere.code}"'
    ) in html
    assert f'accept="{ACCEPT_ATTRIBUTE}"' in html
    for element in critere.elements.all():
        assert f'<option value="{element.code}">' in html
    assert "<form" not in _render(dossier, critere, [], can_upload=True, hide_form=True)


def test_delete_links_come_back_to_the_criterion(dossier, referent, critere):
    preuve = _preuve(dossier, referent, critere, "Charte", None)
    html = _render(dossier, critere, [preuve], can_upload=True)
    delete = reverse("autoevaluations:preuve_delete", args=[dossier.pk, preuve.pk])
    back = quote(f"/dossiers/{dossier.pk}/autoevaluation/criteres/x/?a=1#preuves-{critere.code}")
    assert f'href="{delete}?next={back}"' in html


def test_the_compact_form_posts_what_the_add_view_expects(dossier, referent, critere):
    next_url = f"/dossiers/{dossier.pk}/autoevaluation/criteres/{critere.code}/#preuves"
    response = client_for(referent).post(
        reverse("autoevaluations:preuve_add", args=[dossier.pk]),
        {
            "critere": critere.code,
            "next": next_url,
            "titre": "Charte",
            "element": "",
            "date_effet": "2025-02-01",
            "date_expiration": "",
            "fichier": upload("charte.pdf", samples.PDF),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert Preuve.objects.get().element is None


@pytest.fixture
def superuser(db):  # type: ignore[no-untyped-def]
    return with_totp(UserFactory(is_staff=True, is_superuser=True))


def test_evidence_is_read_only_in_the_admin_and_links_to_the_checked_download(
    dossier, referent, critere, superuser
):
    preuve = _preuve(dossier, referent, critere, "Agrement", None)
    client = client_for(superuser)
    assert client.get(reverse("admin:autoevaluations_preuve_changelist")).status_code == 200
    page = client.get(reverse("admin:autoevaluations_preuve_change", args=[preuve.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("autoevaluations:preuve_download", args=[dossier.pk, preuve.pk]) in html
    assert "/media/" not in html
    assert client.get(reverse("admin:autoevaluations_preuve_add")).status_code == 403
    delete = reverse("admin:autoevaluations_preuve_delete", args=[preuve.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Preuve.objects.filter(pk=preuve.pk).exists()


@pytest.mark.parametrize("model", ["autoevaluation", "reponse", "synthesecritere", "snapshot"])
def test_self_assessment_data_is_read_only_in_the_admin(dossier, superuser, model):
    client = client_for(superuser)
    assert client.get(reverse(f"admin:autoevaluations_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:autoevaluations_{model}_add")).status_code == 403


def test_methodological_sheets_are_checked_like_evidence(superuser, critere, media_root):
    client = client_for(superuser)
    url = reverse("admin:autoevaluations_fichemethodologique_add")
    response = client.post(
        url,
        {"critere": critere.pk, "titre": "Fiche", "fichier": upload("fiche.pdf", samples.ELF)},
    )
    assert response.status_code == 200
    assert "programme exécutable" in response.content.decode()
    response = client.post(url, {"critere": critere.pk, "titre": "Fiche"})
    assert "Joignez un fichier ou indiquez un lien." in response.content.decode()
    response = client.post(
        url,
        {"critere": critere.pk, "titre": "Fiche", "fichier": upload("fiche.pdf", samples.PDF)},
    )
    assert response.status_code == 302
    assert critere.fiches.get().fichier.name.startswith(f"fiches/{critere.pk}/")
