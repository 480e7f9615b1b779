"""Référentiel pages: list, detail (whole tree), search, access to drafts, query count."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from django.utils.html import escape

from labelml.structures.roles import Role
from referentiel import format as fmt
from referentiel.models import Element
from referentiel.services import import_referentiel
from tests.conftest import FIXTURE, client_for, member, with_totp
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

LIST_URL = "/referentiels/"
DETAIL_URL = "/referentiels/ML-2022/v1/"
DRAFT_URL = "/referentiels/ML-BROUILLON/v1/"


def shipped() -> dict[str, Any]:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def shipped_criteria() -> list[dict[str, Any]]:
    out = []
    for section in shipped()["sections"]:
        out += section.get("criteres", [])
        for sub in section.get("sections", []):
            out += sub.get("criteres", [])
    return out


def results_block(html: str) -> str:
    """The search results block (`<div id="resultats">`, which holds no nested div)."""
    match = re.search(r'<div id="resultats"[^>]*>.*?</div>', html, re.S)
    assert match, "no results block in the page"
    return match.group(0)


def linked_codes(block: str) -> set[str]:
    return set(re.findall(r'href="#(?:critere|element)-([^"]+)"', block))


@pytest.fixture
def reader(network):  # type: ignore[no-untyped-def]
    return client_for(member(network["ml_a"], Role.LECTEUR))


@pytest.fixture
def admin_client(network):  # type: ignore[no-untyped-def]
    return client_for(with_totp(member(network["unml"], Role.ADMIN_UNML)))


@pytest.fixture
def draft(db):  # type: ignore[no-untyped-def]
    raw = shipped()
    raw["code"] = "ML-BROUILLON"
    raw["statut"] = "brouillon"
    raw["titre"] = "Référentiel en cours de révision"
    return import_referentiel(fmt.validate(raw)).referentiel


# ------------------------------------------------------------------------------ access


@pytest.mark.parametrize("url", [LIST_URL, DETAIL_URL, DETAIL_URL + "?q=RGPD"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, referentiel_ml, url):
    response = client.get(url)
    assert response.status_code == 302
    path = url.split("?")[0]
    expected = f"/comptes/login/?next={path}"
    if "?" in url:
        expected += "%3Fq%3DRGPD"
    assert response["Location"] == expected


def test_member_sees_the_published_referentiel_in_the_list(reader, referentiel_ml, draft):
    response = reader.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{DETAIL_URL}"' in html
    assert escape(referentiel_ml.titre) in html
    assert "Publié" in html
    # Drafts are for national administrators only.
    assert DRAFT_URL not in html
    assert "Référentiel en cours de révision" not in html


def test_list_without_any_referentiel_explains_how_to_import(no_referentiel, reader):
    html = reader.get(LIST_URL).content.decode()
    assert "Aucun référentiel n'est encore publié" in html
    assert DETAIL_URL not in html


def test_detail_page_shows_every_criterion_with_its_anchor_and_title(reader, referentiel_ml):
    response = reader.get(DETAIL_URL)
    assert response.status_code == 200
    html = response.content.decode()
    criteria = shipped_criteria()
    assert len(criteria) == 24
    for c in criteria:
        anchor = f'id="critere-{c["code"]}"'
        assert anchor in html, c["code"]
        start = html.index(anchor)
        assert escape(c["titre"]) in html[start : start + 2000], c["code"]
    assert html.count('id="critere-') == 24


def test_detail_page_shows_all_99_elements_in_reading_order(reader, referentiel_ml):
    html = reader.get(DETAIL_URL).content.decode()
    codes = [e["code"] for c in shipped_criteria() for e in c["elements"]]
    assert len(codes) == 99
    positions = []
    for code in codes:
        anchor = f'id="element-{code}"'
        assert html.count(anchor) == 1, code
        positions.append(html.index(anchor))
    assert positions == sorted(positions)
    assert html.count('id="element-') == 99
    rgpd = html[positions[codes.index("4.2.2.e5")] :]
    assert escape(Element.objects.get(code="4.2.2.e5").texte) in rgpd[:3000]


def test_detail_page_shows_parts_preamble_and_scales(reader, referentiel_ml):
    html = reader.get(DETAIL_URL).content.decode()
    for code in ["1", "2", "3", "4", "4.1", "4.2", "4.3", "4.4", "5"]:
        assert f'id="partie-{code}"' in html
    assert 'id="preambule"' in html
    assert "Le mot du président" in html
    assert "Piste de progrès" in html and "Mis en œuvre et évalué" in html
    assert "Brouillon" not in html


# ------------------------------------------------------------------------------ search


def test_search_links_to_the_element_holding_the_word(reader, referentiel_ml):
    response = reader.get(DETAIL_URL, {"q": "RGPD"})
    assert response.status_code == 200
    block = results_block(response.content.decode())
    assert "1 résultat pour « RGPD »" in block
    assert linked_codes(block) == {"4.2.2.e5"}
    assert 'href="#element-4.2.2.e5"' in block


@pytest.mark.parametrize("query", ["RGPD", "rgpd", "Rgpd"])
def test_search_ignores_case(reader, referentiel_ml, query):
    block = results_block(reader.get(DETAIL_URL, {"q": query}).content.decode())
    assert linked_codes(block) == {"4.2.2.e5"}


@pytest.mark.parametrize("query", ["precarite", "précarité", "PRÉCARITÉ", "Precarite"])
def test_search_ignores_accents(reader, referentiel_ml, query):
    block = results_block(reader.get(DETAIL_URL, {"q": query}).content.decode())
    # 2.4 by its title, 2.1.e3 by its text, 2.4.e2 by one of its sous-éléments.
    assert linked_codes(block) == {"2.4", "2.1.e3", "2.4.e2"}
    assert 'href="#critere-2.4"' in block
    assert 'href="#element-2.1.e3"' in block


def test_search_requires_every_word(reader, referentiel_ml):
    one = results_block(reader.get(DETAIL_URL, {"q": "confidentialité"}).content.decode())
    assert {"4.2.1.e2", "4.2.2.e5"} <= linked_codes(one)
    both = results_block(reader.get(DETAIL_URL, {"q": "confidentialité rgpd"}).content.decode())
    assert linked_codes(both) == {"4.2.2.e5"}
    none = results_block(reader.get(DETAIL_URL, {"q": "rgpd handicap"}).content.decode())
    assert linked_codes(none) == set()
    assert "Aucun critère ni élément" in none


def test_search_for_a_word_found_nowhere_says_so(reader, referentiel_ml):
    block = results_block(reader.get(DETAIL_URL, {"q": "xylophone"}).content.decode())
    assert ">0 résultat pour « xylophone »<" in block  # French: singular for zero
    assert "Aucun critère ni élément" in block
    assert linked_codes(block) == set()


def test_page_without_query_shows_no_results_section(reader, referentiel_ml):
    block = results_block(reader.get(DETAIL_URL).content.decode())
    assert "résultat" not in block
    assert "Aucun critère ni élément" not in block


def test_htmx_search_returns_only_the_results_fragment(reader, referentiel_ml):
    response = reader.get(DETAIL_URL, {"q": "RGPD"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<body" not in html
    assert html.strip().startswith('<div id="resultats"')
    assert 'href="#element-4.2.2.e5"' in html
    assert 'id="critere-' not in html and 'id="element-' not in html
    # The same request without the header is a whole page.
    full = reader.get(DETAIL_URL, {"q": "RGPD"}).content.decode()
    assert "<html" in full and 'id="element-4.2.2.e5"' in full


def test_htmx_search_on_a_draft_is_still_refused_to_a_member(reader, draft):
    response = reader.get(DRAFT_URL, {"q": "RGPD"}, headers={"HX-Request": "true"})
    assert response.status_code == 404


# ------------------------------------------------------------------------------ drafts


def test_draft_is_not_found_for_a_member(reader, draft):
    assert reader.get(DRAFT_URL).status_code == 404


def test_draft_is_shown_to_a_national_administrator(no_referentiel, admin_client, draft):
    response = admin_client.get(DRAFT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Référentiel en cours de révision" in html
    assert "Brouillon" in html
    assert html.count('id="element-') == 99
    listing = admin_client.get(LIST_URL).content.decode()
    assert f'href="{DRAFT_URL}"' in listing and f'href="{DETAIL_URL}"' not in listing


def test_draft_is_shown_to_a_superuser(draft):
    from tests.factories import UserFactory

    user = with_totp(UserFactory(is_superuser=True))
    assert client_for(user).get(DRAFT_URL).status_code == 200


def test_administrator_without_totp_is_sent_to_totp_activation(network, draft):
    admin = member(network["unml"], Role.ADMIN_UNML)
    response = client_for(admin).get(DRAFT_URL)
    assert response.status_code == 302
    assert response["Location"] == "/comptes/2fa/totp/activate/"


def test_admin_role_outside_the_unml_does_not_open_drafts(network, draft):
    # ADMIN_UNML held on a Mission Locale is not a national administrator.
    user = member(network["ml_a"], Role.ADMIN_UNML)
    assert client_for(user).get(DRAFT_URL).status_code == 404


@pytest.mark.parametrize(
    "url", ["/referentiels/INCONNU/v1/", "/referentiels/ML-2022/v2/", "/referentiels/ML-2022/v0/"]
)
def test_unknown_code_or_version_is_not_found(reader, admin_client, referentiel_ml, url):
    assert reader.get(url).status_code == 404
    assert admin_client.get(url).status_code == 404


# ------------------------------------------------------------------------- query count


def big_referentiel(
    parts: int = 6, criteria_per_part: int = 10, elements: int = 8, sous_elements: int = 3
) -> dict[str, Any]:
    raw = shipped()
    raw.update(code="GRAND", titre="Référentiel volumineux", version=1)
    sections = []
    for p in range(1, parts + 1):
        criteres = []
        for c in range(1, criteria_per_part + 1):
            code = f"{p}.{c}"
            criteres.append(
                {
                    "code": code,
                    "titre": f"Critère {code} généré",
                    "elements": [
                        {
                            "code": f"{code}.e{e}",
                            "texte": f"Élément {e} du critère {code}.",
                            "sans_objet_autorise": e == 1,
                            "sous_elements": [
                                {
                                    "texte": f"Sous-élément {s} de {code}.e{e}",
                                    "exemples": [f"Exemple du sous-élément {s}"],
                                }
                                for s in range(1, sous_elements + 1)
                            ],
                            "exemples": [f"Exemple de l'élément {code}.e{e}"],
                        }
                        for e in range(1, elements + 1)
                    ],
                    "textes_reference": [{"texte": f"Texte de référence du critère {code}"}],
                    "exemples": [f"Exemple du critère {code}"],
                    "notes": [f"Note du critère {code}"],
                }
            )
        if p == 2:  # one part made of sub-parts, as part 4 of the shipped file
            half = criteria_per_part // 2
            sub_a = [dict(c, code=c["code"].replace("2.", "2.1.", 1)) for c in criteres[:half]]
            sub_b = [dict(c, code=c["code"].replace("2.", "2.2.", 1)) for c in criteres[half:]]
            for sub in (sub_a, sub_b):
                for c in sub:
                    c["elements"] = [
                        dict(e, code=f"{c['code']}.e{i}") for i, e in enumerate(c["elements"], 1)
                    ]
            sections.append(
                {
                    "code": "2",
                    "titre": "Partie à sous-parties",
                    "sections": [
                        {"code": "2.1", "titre": "Sous-partie A", "criteres": sub_a},
                        {"code": "2.2", "titre": "Sous-partie B", "criteres": sub_b},
                    ],
                }
            )
        else:
            sections.append({"code": str(p), "titre": f"Partie {p}", "criteres": criteres})
    raw["sections"] = sections
    return raw


def test_detail_page_runs_a_constant_number_of_queries(reader, referentiel_ml):
    big = import_referentiel(fmt.validate(big_referentiel())).referentiel
    assert big.criteres.count() == 60
    assert big.elements.count() == 480

    reader.get(DETAIL_URL)  # warm up anything cached per process
    small_page = page_queries(reader, DETAIL_URL)
    small_count, small_html = small_page.count, small_page.html
    big_page = page_queries(reader, "/referentiels/GRAND/v1/")
    big_count, big_html = big_page.count, big_page.html

    assert small_html.count('id="element-') == 99
    assert big_html.count('id="critere-') == 60
    assert big_html.count('id="element-') == 480
    assert "Sous-élément 3 de 6.10.e8" in big_html
    assert "Exemple du sous-élément 3" in big_html
    assert "Note du critère 6.10" in big_html
    assert small_count == big_count
    assert big_count <= 15


def test_search_runs_a_constant_number_of_queries(reader, referentiel_ml):
    import_referentiel(fmt.validate(big_referentiel()))
    small_page = page_queries(reader, DETAIL_URL + "?q=mission")
    small_count, small_html = small_page.count, small_page.html
    big_page = page_queries(reader, "/referentiels/GRAND/v1/?q=element")
    big_count, big_html = big_page.count, big_page.html
    assert len(linked_codes(results_block(small_html))) > 10
    assert len(linked_codes(results_block(big_html))) == 480
    assert small_count == big_count <= 17
