"""The follow-up audit's pages: scope (404 outside it, on every URL), rights (403), the per-field
saves (htmx and plain form), and input kept on errors."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.suivis import services
from audits.suivis.models import AuditSuivi, PointSuivi
from campagnes.plans.models import Action
from labelml.structures.roles import Role
from tests.conftest import client_for, member
from tests.suivis.conftest import answer_all, footprint, fresh
from tests.suivis.helpers import pdf_upload
from tests.urlmap import iter_patterns

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def suivi_routes() -> list[tuple[str, str]]:
    return [(name, route) for name, route, _ in iter_patterns() if route.startswith("suivis/<")]


def kwargs_for(route: str, suivi: AuditSuivi) -> dict[str, int]:
    kwargs = {"pk": suivi.pk}
    if "<int:point_pk>" in route:
        kwargs["point_pk"] = suivi.points.first().pk
    if "<int:action_pk>" in route:
        kwargs["action_pk"] = Action.objects.filter(plan__dossier=suivi.dossier).first().pk
    return kwargs


def point(suivi, code="1.1"):  # type: ignore[no-untyped-def]
    return PointSuivi.objects.get(suivi=suivi, critere__code=code)


# --- scope ---------------------------------------------------------------------------------------


def test_every_suivi_url_is_covered():
    names = {name for name, _ in suivi_routes()}
    assert {
        "suivis:suivi_detail",
        "suivis:suivi_save_point",
        "suivis:suivi_save_bilan",
        "suivis:suivi_add_preuve",
        "suivis:suivi_action_progress",
        "suivis:suivi_send",
        "suivis:suivi_assign",
        "suivis:suivi_review",
        "suivis:suivi_start_review",
        "suivis:suivi_save_finding",
        "suivis:suivi_visio",
        "suivis:suivi_conclude",
    } <= names


@pytest.mark.parametrize(
    "who", ["outsider", "other_ml", "initial_auditor", "colleague", "other_lead"]
)
def test_outside_the_scope_every_suivi_url_is_404(
    in_review, people, network, auditeur, collegue, other_lead, who, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    user = {
        "outsider": people.outsider,
        "other_ml": member(network["ml_a2"], Role.DIRECTION),
        "initial_auditor": auditeur.user,  # reads the dossier, not its follow-up
        "colleague": collegue.user,
        "other_lead": other_lead.user,
    }[who]
    client = client_for(user)
    before = footprint(in_review)
    checked = 0
    for name, route in suivi_routes():
        url = reverse(name, kwargs=kwargs_for(route, in_review))
        get = client.get(url)
        assert get.status_code in (404, 405), f"GET {name} → {get.status_code}"
        post = client.post(
            url,
            {
                "version": 0,
                "reponse": "x",
                "avis": "leve",
                "bilan": "x",
                "conclusion": "maintien",
                "date_visio": "2026-01-01T10:00",
                "auditeur": other_lead.pk,
                "a1-statut": "fait",
            },
        )
        assert post.status_code in (404, 405), f"POST {name} → {post.status_code}"
        post = client.post(url, {"version": 0, "champ": "reponse", "reponse": "x"}, **HTMX)
        assert post.status_code in (404, 405), f"htmx POST {name} → {post.status_code}"
        checked += 1
    assert checked >= 12
    assert footprint(in_review) == before
    assert (
        client.get(reverse("suivis:suivi_list")).content.count(b"/suivis/%d/" % in_review.pk) == 0
    )


def test_anonymous_is_sent_to_login(in_review):
    client = Client()
    for name, route in suivi_routes():
        response = client.get(reverse(name, kwargs=kwargs_for(route, in_review)))
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("account_login"))


def test_the_structures_members_read_the_file(suivi, people, admin):
    url = reverse("suivis:suivi_detail", args=[suivi.pk])
    for user in (people.lecteur, people.contributeur, people.referent, people.arml, admin):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert "Aucune procédure écrite." in response.content.decode()
    assert suivi.pk in [
        s.pk for s in client_for(people.lecteur).get(reverse("suivis:suivi_list")).context["suivis"]
    ]


@pytest.mark.parametrize("who", ["lecteur", "contributeur", "arml"])
def test_members_without_the_right_get_403(assigned_suivi, people, who, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(getattr(people, who))
    s, p = assigned_suivi, point(assigned_suivi)
    action = Action.objects.filter(plan__dossier=s.dossier).first()
    before = footprint(s)
    posts = {
        reverse("suivis:suivi_save_point", args=[s.pk, p.pk]): {"version": 0, "reponse": "x"},
        reverse("suivis:suivi_save_bilan", args=[s.pk]): {"version": 0, "bilan": "x"},
        reverse("suivis:suivi_add_preuve", args=[s.pk, p.pk]): {f"p{p.pk}-titre": "x"},
        reverse("suivis:suivi_action_progress", args=[s.pk, action.pk]): {
            f"a{action.pk}-statut": "fait",
            f"a{action.pk}-avancement": 100,
        },
        reverse("suivis:suivi_send", args=[s.pk]): {},
        reverse("suivis:suivi_assign", args=[s.pk]): {},
        reverse("suivis:suivi_start_review", args=[s.pk]): {},
        reverse("suivis:suivi_save_finding", args=[s.pk, p.pk]): {"version": 0, "avis": "leve"},
        reverse("suivis:suivi_visio", args=[s.pk]): {"date_visio": "2026-01-01T10:00"},
        reverse("suivis:suivi_conclude", args=[s.pk]): {"conclusion": "maintien"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    for name in ("suivis:suivi_review", "suivis:suivi_assign"):
        assert client.get(reverse(name, args=[s.pk])).status_code == 403, name
    assert footprint(s) == before


def test_the_referent_answers_but_does_not_send(suivi, people):
    client = client_for(people.referent)
    p = point(suivi)
    response = client.post(
        reverse("suivis:suivi_save_point", args=[suivi.pk, p.pk]),
        {"version": 0, "reponse": "Fait."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#point-{p.pk}")
    assert fresh(p).reponse == "Fait."
    assert client.post(reverse("suivis:suivi_send", args=[suivi.pk])).status_code == 403


def test_the_auditor_and_the_admin_do_not_write_the_file(assigned_suivi, admin, suivi_auditeur):
    p = point(assigned_suivi)
    for user in (admin, suivi_auditeur.user):
        client = client_for(user)
        response = client.post(
            reverse("suivis:suivi_save_point", args=[assigned_suivi.pk, p.pk]),
            {"version": 0, "reponse": "x"},
        )
        assert response.status_code == 403
        assert (
            client.post(reverse("suivis:suivi_send", args=[assigned_suivi.pk])).status_code == 403
        )
    assert (
        client_for(suivi_auditeur.user)
        .get(reverse("suivis:suivi_assign", args=[assigned_suivi.pk]))
        .status_code
        == 403
    )
    assert fresh(p).reponse == ""


def test_the_review_page_is_the_auditors_and_read_only_for_the_admin(
    in_review, admin, suivi_auditeur, people
):
    url = reverse("suivis:suivi_review", args=[in_review.pk])
    auditor_page = client_for(suivi_auditeur.user).get(url).content.decode()
    assert 'name="avis"' in auditor_page and "Conclure l'audit de suivi" in auditor_page
    admin_page = client_for(admin).get(url).content.decode()
    assert 'name="avis"' not in admin_page and "lecture seule" in admin_page
    assert client_for(people.direction).get(url).status_code == 403


# --- saves ---------------------------------------------------------------------------------------


def test_htmx_saves_one_field_and_returns_its_status(suivi, people):
    p = point(suivi)
    client = client_for(people.direction)
    url = reverse("suivis:suivi_save_point", args=[suivi.pk, p.pk])
    response = client.post(
        url,
        {"version": 0, "champ": "reponse", "reponse": "Procédure écrite.", "action": ""},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enregistré" in body
    assert re.search(rf'id="version-reponse-{p.pk}" hx-swap-oob="true"', body)
    assert 'value="1"' in body
    assert fresh(p).reponse == "Procédure écrite."


def test_htmx_conflict_shows_both_values(suivi, people):
    p = point(suivi)
    services.answer_point(
        point=p, actor=people.referent, champ="reponse", valeur="Leur texte", version=0
    )
    response = client_for(people.direction).post(
        reverse("suivis:suivi_save_point", args=[suivi.pk, p.pk]),
        {"version": 0, "champ": "reponse", "reponse": "Mon texte"},
        **HTMX,
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == f"#reponse-{p.pk}-block"
    body = response.content.decode()
    assert "Modifié entre-temps" in body and "Leur texte" in body and "Mon texte" in body
    assert fresh(p).reponse == "Leur texte"


def test_a_plain_conflict_rerenders_the_page_with_409(suivi, people):
    p = point(suivi)
    services.answer_point(
        point=p, actor=people.referent, champ="reponse", valeur="Leur texte", version=0
    )
    response = client_for(people.direction).post(
        reverse("suivis:suivi_save_point", args=[suivi.pk, p.pk]),
        {"version": 0, "reponse": "Mon texte"},
    )
    assert response.status_code == 409
    assert "Mon texte" in response.content.decode()


def test_bad_input_keeps_what_was_typed(suivi, people):
    p = point(suivi)
    response = client_for(people.direction).post(
        reverse("suivis:suivi_save_point", args=[suivi.pk, p.pk]),
        {"version": 0, "reponse": "Texte à ne pas perdre", "action": "999999"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Texte à ne pas perdre" in body
    assert "n&#x27;appartient pas au plan" in body
    assert fresh(p).reponse == ""
    response = client_for(people.direction).post(
        reverse("suivis:suivi_save_point", args=[suivi.pk, p.pk]), {"reponse": "Sans version"}
    )
    assert response.status_code == 400
    assert "Sans version" in response.content.decode()


def test_htmx_error_is_a_fragment(suivi, people):
    p = point(suivi)
    response = client_for(people.direction).post(
        reverse("suivis:suivi_save_point", args=[suivi.pk, p.pk]),
        {"version": 0, "champ": "action", "action": "999999"},
        **HTMX,
    )
    assert response.status_code == 400
    assert f'id="status-reponse-{p.pk}"' in response.content.decode()


def test_the_bilan_saves(suivi, people):
    client = client_for(people.direction)
    url = reverse("suivis:suivi_save_bilan", args=[suivi.pk])
    assert client.post(url, {"version": 0, "bilan": "Équipe renouvelée."}).status_code == 302
    assert fresh(suivi).bilan == "Équipe renouvelée."
    response = client.post(url, {"version": 0, "bilan": "Autre"}, **HTMX)
    assert response.status_code == 409


def test_evidence_upload_and_download_by_the_auditor(
    assigned_suivi, people, suivi_auditeur, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    p = point(assigned_suivi, "1.2")
    client = client_for(people.direction)
    url = reverse("suivis:suivi_add_preuve", args=[assigned_suivi.pk, p.pk])
    response = client.post(url, {f"p{p.pk}-titre": "", f"p{p.pk}-fichier": pdf_upload()})
    assert response.status_code == 400
    assert "Donnez un titre" in response.content.decode()
    response = client.post(
        url, {f"p{p.pk}-titre": "Procédure révisée", f"p{p.pk}-fichier": pdf_upload()}
    )
    assert response.status_code == 302
    preuve = p.preuves.get()
    download = reverse(
        "autoevaluations:preuve_download", args=[assigned_suivi.dossier_id, preuve.pk]
    )
    page = client_for(suivi_auditeur.user).get(
        reverse("suivis:suivi_review", args=[assigned_suivi.pk])
    )
    assert download in page.content.decode()
    assert client_for(suivi_auditeur.user).get(download).status_code == 200


def test_plan_progress_form(suivi, people):
    action = Action.objects.filter(plan__dossier=suivi.dossier).first()
    client = client_for(people.direction)
    url = reverse("suivis:suivi_action_progress", args=[suivi.pk, action.pk])
    bad = client.post(url, {f"a{action.pk}-statut": "fait", f"a{action.pk}-avancement": "250"})
    assert bad.status_code == 400
    assert "au plus de 100" in bad.content.decode()
    ok = client.post(url, {f"a{action.pk}-statut": "fait", f"a{action.pk}-avancement": "100"})
    assert ok.status_code == 302
    action.refresh_from_db()
    assert (action.statut, action.avancement) == ("fait", 100)


def test_sending_an_incomplete_file_lists_what_is_missing(suivi, people):
    response = client_for(people.direction).post(reverse("suivis:suivi_send", args=[suivi.pk]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "3 points sans réponse" in body and "Critère 1.1" in body
    assert fresh(suivi).statut == AuditSuivi.Statut.PLANIFIE


# --- the administrator -------------------------------------------------------------------------


def test_the_admin_assigns_through_the_page(suivi, admin, suivi_auditeur):
    client = client_for(admin)
    url = reverse("suivis:suivi_assign", args=[suivi.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"auditeur": ""}).status_code == 400
    response = client.post(url, {"auditeur": suivi_auditeur.pk})
    assert response.status_code == 302
    assert fresh(suivi).auditeur == suivi_auditeur


def test_only_the_admin_runs_the_scheduling(label, admin, people):
    url = reverse("suivis:suivi_schedule")
    assert client_for(people.direction).post(url).status_code == 404
    assert client_for(admin).post(url).status_code == 302
    assert AuditSuivi.objects.filter(label=label).exists()
    listing = client_for(admin).get(reverse("suivis:suivi_list")).content.decode()
    assert label.numero in listing and "Désigner l'auditeur" in listing


def test_the_dossier_page_links_to_the_follow_up(suivi, people):
    body = client_for(people.lecteur).get(
        reverse("campagnes:dossier_detail", args=[suivi.dossier_id])
    )
    assert reverse("suivis:suivi_detail", args=[suivi.pk]) in body.content.decode()


# --- the auditor through the pages ---------------------------------------------------------------


def test_the_auditor_reviews_and_concludes_through_the_pages(
    assigned_suivi, people, suivi_auditeur
):
    answer_all(assigned_suivi, people.direction)
    services.send_file(assigned_suivi, people.direction)
    client = client_for(suivi_auditeur.user)
    s = assigned_suivi
    assert client.post(reverse("suivis:suivi_start_review", args=[s.pk])).status_code == 302
    for p in PointSuivi.objects.filter(suivi=s):
        response = client.post(
            reverse("suivis:suivi_save_finding", args=[s.pk, p.pk]),
            {"version": p.version, "champ": "avis", "avis": "leve"},
            **HTMX,
        )
        assert response.status_code == 200
    bad = client.post(reverse("suivis:suivi_visio", args=[s.pk]), {"date_visio": "demain"})
    assert bad.status_code == 400 and "Date invalide" in bad.content.decode()
    when = timezone.localtime() - dt.timedelta(hours=2)
    ok = client.post(
        reverse("suivis:suivi_visio", args=[s.pk]), {"date_visio": when.strftime("%Y-%m-%dT%H:%M")}
    )
    assert ok.status_code == 302
    missing_motivation = client.post(
        reverse("suivis:suivi_conclude", args=[s.pk]), {"conclusion": "saisine_commission"}
    )
    assert missing_motivation.status_code == 400
    assert "obligatoires" in missing_motivation.content.decode()
    assert fresh(s).statut == AuditSuivi.Statut.EN_REVUE
    done = client.post(reverse("suivis:suivi_conclude", args=[s.pk]), {"conclusion": "maintien"})
    assert done.status_code == 302
    assert fresh(s).conclusion == "maintien"
    page = (
        client_for(people.lecteur).get(reverse("suivis:suivi_detail", args=[s.pk])).content.decode()
    )
    assert "Maintien du label" in page and "Levé" in page


def test_findings_stay_hidden_from_the_structure_until_concluded(in_review, suivi_auditeur, people):
    p = point(in_review)
    services.record_finding(
        point=p,
        actor=suivi_auditeur.user,
        champ="commentaire",
        valeur="Note interne",
        version=p.version,
    )
    services.record_finding(
        point=p, actor=suivi_auditeur.user, champ="avis", valeur="en_cours", version=p.version + 1
    )
    page = client_for(people.direction).get(reverse("suivis:suivi_detail", args=[in_review.pk]))
    assert "Note interne" not in page.content.decode()
