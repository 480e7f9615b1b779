"""Per-field autosave of the self-assessment (SPEC §4): htmx and plain saves, optimistic
concurrency, Saisie history, rights per role and state, validation, assignment of criteria, and
the fixed query count of the criterion page and the overview."""

from __future__ import annotations

import datetime as dt
import hashlib
import html as htmllib
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from campagnes.autoevaluations.models import (
    FicheMethodologique,
    Preuve,
    Reponse,
    Saisie,
    SyntheseCritere,
)
from campagnes.autoevaluations.selectors import dossier_progress
from campagnes.autoevaluations.services import assign_contributeur, submit_autoevaluation
from campagnes.models import Dossier
from campagnes.services import create_campagne
from labelml.notifications.models import Notification
from referentiel import format as fmt
from referentiel.models import Element, Niveau
from referentiel.services import import_referentiel
from tests.campagnes.conftest import fill_dossier, niveau, open_dossier, rate
from tests.conftest import client_for
from tests.queries import page_queries

HTMX = {"HTTP_HX_REQUEST": "true"}


# --- helpers -------------------------------------------------------------------------------


def reponse_of(dossier: Dossier, element_code: str) -> Reponse:
    return Reponse.objects.get(autoevaluation__dossier=dossier, element__code=element_code)


def synthese_of(dossier: Dossier, critere_code: str) -> SyntheseCritere:
    return SyntheseCritere.objects.get(autoevaluation__dossier=dossier, critere__code=critere_code)


def reponse_url(dossier: Dossier, reponse: Reponse) -> str:
    return reverse("autoevaluations:autoevaluation_save_reponse", args=[dossier.pk, reponse.pk])


def synthese_url(dossier: Dossier, synthese: SyntheseCritere) -> str:
    return reverse("autoevaluations:autoevaluation_save_synthese", args=[dossier.pk, synthese.pk])


def critere_url(dossier: Dossier, code: str) -> str:
    return reverse("autoevaluations:autoevaluation_critere", args=[dossier.pk, code])


def saisies(obj: Reponse | SyntheseCritere) -> list[tuple[str, str, int, int | None]]:
    field = "reponse" if isinstance(obj, Reponse) else "synthese"
    return list(
        Saisie.objects.filter(**{field: obj})
        .order_by("pk")
        .values_list("champ", "valeur", "version", "user_id")
    )


def state(obj: Reponse | SyntheseCritere) -> tuple[Any, ...]:
    obj.refresh_from_db()
    if isinstance(obj, Reponse):
        return (obj.niveau_id, obj.justification, obj.version, obj.updated_by_id)
    return (obj.synthese, obj.points_forts, obj.axes_amelioration, obj.version)


def elements_in(dossier: Dossier, critere_code: str) -> int:
    return Element.objects.filter(
        referentiel=dossier.campagne.referentiel, critere__code=critere_code
    ).count()


# --- htmx saves ----------------------------------------------------------------------------


def test_htmx_saves_the_level_then_the_justification_with_a_version_each(dossier, people):
    client = client_for(people.referent)
    reponse = reponse_of(dossier, "1.1.e1")
    url = reponse_url(dossier, reponse)
    level = niveau(dossier, "3")

    first = client.post(url, {"champ": "niveau", "niveau": str(level.pk), "version": "0"}, **HTMX)

    assert first.status_code == 200
    html = first.content.decode()
    assert "Enregistré" in html
    assert f'name="version" value="1" id="version-reponse-{reponse.pk}"' in html
    reponse.refresh_from_db()
    assert (reponse.niveau_id, reponse.version, reponse.updated_by) == (
        level.pk,
        1,
        people.referent,
    )

    second = client.post(
        url,
        {
            "champ": "justification",
            "justification": "Procédure écrite\r\net affichée",
            "version": "1",
        },
        **HTMX,
    )

    assert second.status_code == 200
    assert "Enregistré" in second.content.decode()
    assert f'name="version" value="2" id="version-reponse-{reponse.pk}"' in (
        second.content.decode()
    )
    reponse.refresh_from_db()
    assert reponse.justification == "Procédure écrite\net affichée"
    assert reponse.niveau_id == level.pk
    assert reponse.version == 2
    assert saisies(reponse) == [
        ("niveau", str(level.pk), 1, people.referent.pk),
        ("justification", "Procédure écrite\net affichée", 2, people.referent.pk),
    ]


def test_htmx_saves_each_synthesis_field_with_a_version_each(dossier, people):
    client = client_for(people.direction)
    synthese = synthese_of(dossier, "2.1")
    url = synthese_url(dossier, synthese)

    for version, champ in enumerate(["synthese", "points_forts", "axes_amelioration"]):
        response = client.post(
            url, {"champ": champ, champ: f"Texte {champ}", "version": str(version)}, **HTMX
        )
        assert response.status_code == 200
        assert f'name="version" value="{version + 1}"' in response.content.decode()

    assert state(synthese) == ("Texte synthese", "Texte points_forts", "Texte axes_amelioration", 3)
    assert [(c, v) for c, _, v, _ in saisies(synthese)] == [
        ("synthese", 1),
        ("points_forts", 2),
        ("axes_amelioration", 3),
    ]


def test_progress_counts_only_rated_elements(dossier, people):
    client = client_for(people.referent)
    total_11 = elements_in(dossier, "1.1")
    progress = dossier_progress(dossier)
    assert (progress.rated, progress.total) == (0, 99)  # 99 pre-created empty answers

    # A justification without a level is not a rating.
    justified = reponse_of(dossier, "1.1.e1")
    response = client.post(
        reponse_url(dossier, justified),
        {"champ": "justification", "justification": "Pas encore noté", "version": "0"},
        **HTMX,
    )
    assert response.status_code == 200
    # A justification cannot change the counts: the answer leaves the progress bar alone.
    assert "<progress" not in response.content.decode()
    progress = dossier_progress(dossier)
    assert progress.rated == 0
    assert next(c for c in progress.criteres if c.critere.code == "1.1").rated == 0

    rated = reponse_of(dossier, "1.1.e2")
    response = client.post(
        reponse_url(dossier, rated),
        {"champ": "niveau", "niveau": str(niveau(dossier, "2").pk), "version": "0"},
        **HTMX,
    )
    assert response.status_code == 200
    assert f'<progress max="{total_11}" value="1"' in response.content.decode()
    assert f"1 élément noté sur {total_11}" in response.content.decode()
    progress = dossier_progress(dossier)
    assert (progress.rated, progress.total) == (1, 99)
    stats = next(c for c in progress.criteres if c.critere.code == "1.1")
    assert (stats.rated, stats.total, stats.score) == (1, total_11, 2)
    overview = client.get(reverse("autoevaluations:autoevaluation_overview", args=[dossier.pk]))
    assert "1 / 99" in overview.content.decode()

    # Clearing the level takes it out again.
    client.post(
        reponse_url(dossier, rated), {"champ": "niveau", "niveau": "", "version": "1"}, **HTMX
    )
    assert dossier_progress(dossier).rated == 0


# --- optimistic concurrency ------------------------------------------------------------------


def test_a_stale_htmx_save_is_refused_with_the_other_persons_value(dossier, people):
    alice, bob = client_for(people.referent), client_for(people.direction)
    reponse = reponse_of(dossier, "1.2.e1")
    url = reponse_url(dossier, reponse)
    assert (
        alice.post(
            url,
            {"champ": "justification", "justification": "Version Alice validée", "version": "0"},
            **HTMX,
        ).status_code
        == 200
    )

    conflict = bob.post(
        url,
        {"champ": "justification", "justification": "Version Bob concurrente", "version": "0"},
        **HTMX,
    )

    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Modifié entre-temps" in html
    assert re.search(r"<textarea[^>]*>Version Alice validée</textarea>", html)
    assert '<q class="mine">Version Bob concurrente</q>' in html
    assert "Remplacer par ma saisie" in html
    assert str(people.referent) in html
    assert conflict["HX-Retarget"] == f"#reponse-block-{reponse.pk}"
    assert conflict["HX-Reswap"] == "outerHTML"
    assert state(reponse)[1:3] == ("Version Alice validée", 1)
    assert [v for _, v, _, _ in saisies(reponse)] == ["Version Alice validée"]
    # The "Remplacer par ma saisie" form carries the current version and my value.
    replace_form = html[html.index("conflict") : html.index("Remplacer par ma saisie")]
    assert '<input type="hidden" name="version" value="1">' in replace_form
    assert '<input type="hidden" name="champ" value="justification">' in replace_form
    assert 'name="justification" value="Version Bob concurrente"' in replace_form

    replaced = bob.post(
        url,
        {"champ": "justification", "justification": "Version Bob concurrente", "version": "1"},
        **HTMX,
    )

    assert replaced.status_code == 200
    assert "Enregistré" in replaced.content.decode()
    assert state(reponse)[1:4] == ("Version Bob concurrente", 2, people.direction.pk)
    assert saisies(reponse) == [
        ("justification", "Version Alice validée", 1, people.referent.pk),
        ("justification", "Version Bob concurrente", 2, people.direction.pk),
    ]


def test_a_stale_level_save_shows_the_other_persons_level(dossier, people):
    alice, bob = client_for(people.referent), client_for(people.direction)
    reponse = reponse_of(dossier, "1.2.e2")
    url = reponse_url(dossier, reponse)
    theirs, mine = niveau(dossier, "4"), niveau(dossier, "1")
    alice.post(url, {"champ": "niveau", "niveau": str(theirs.pk), "version": "0"}, **HTMX)

    conflict = bob.post(url, {"champ": "niveau", "niveau": str(mine.pk), "version": "0"}, **HTMX)

    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert f'<option value="{theirs.pk}" selected>' in html
    assert f'<option value="{mine.pk}" selected>' not in html
    # The message names the field and the level in words, not a column and a key.
    assert "Votre saisie du niveau n'a pas été enregistrée" in html
    assert f'<q class="mine">1 — {htmllib.escape(mine.libelle)}</q>' in html
    assert "(niveau)" not in html
    assert state(reponse)[0] == theirs.pk
    assert len(saisies(reponse)) == 1


def test_a_stale_synthesis_save_is_refused_with_the_other_persons_text(dossier, people):
    alice, bob = client_for(people.referent), client_for(people.direction)
    synthese = synthese_of(dossier, "3.1")
    url = synthese_url(dossier, synthese)
    alice.post(url, {"champ": "synthese", "synthese": "Synthèse Alice", "version": "0"}, **HTMX)

    conflict = bob.post(
        url, {"champ": "synthese", "synthese": "Synthèse Bob", "version": "0"}, **HTMX
    )

    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert re.search(r"<textarea[^>]*>Synthèse Alice</textarea>", html)
    assert '<q class="mine">Synthèse Bob</q>' in html
    assert conflict["HX-Retarget"] == f"#synthese-block-{synthese.pk}"
    assert state(synthese)[0::3] == ("Synthèse Alice", 1)

    replaced = bob.post(
        url, {"champ": "synthese", "synthese": "Synthèse Bob", "version": "1"}, **HTMX
    )

    assert replaced.status_code == 200
    assert state(synthese)[0::3] == ("Synthèse Bob", 2)


def test_a_stale_plain_synthesis_post_shows_the_conflict_page(dossier, people):
    alice, bob = client_for(people.referent), client_for(people.direction)
    synthese = synthese_of(dossier, "3.2")
    url = synthese_url(dossier, synthese)
    fields = {"points_forts": "", "axes_amelioration": "", "version": "0"}
    alice.post(url, {**fields, "synthese": "Synthèse Alice"})

    conflict = bob.post(url, {**fields, "synthese": "Synthèse Bob"})

    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert re.search(r"<textarea[^>]*>Synthèse Alice</textarea>", html)
    assert '<q class="mine">Synthèse Bob</q>' in html
    assert state(synthese)[0::3] == ("Synthèse Alice", 1)


# --- plain (non-htmx) form posts -------------------------------------------------------------


def test_a_plain_post_saves_only_the_changed_fields_and_redirects(dossier, people):
    client = client_for(people.referent)
    reponse = reponse_of(dossier, "2.2.e1")
    url = reponse_url(dossier, reponse)
    level = niveau(dossier, "2")

    response = client.post(url, {"niveau": str(level.pk), "justification": "", "version": "0"})

    assert response.status_code == 302
    assert response["Location"] == critere_url(dossier, "2.2") + "#element-2.2.e1"
    assert state(reponse)[:3] == (level.pk, "", 1)
    assert saisies(reponse) == [("niveau", str(level.pk), 1, people.referent.pk)]

    # Nothing changed: no save, no Saisie, no new version.
    unchanged = client.post(url, {"niveau": str(level.pk), "justification": "", "version": "1"})

    assert unchanged.status_code == 302
    assert unchanged["Location"].startswith(critere_url(dossier, "2.2"))
    assert state(reponse)[2] == 1
    assert len(saisies(reponse)) == 1

    # Both changed: two saves in sequence, one version each.
    both = client.post(
        url,
        {"niveau": str(niveau(dossier, "3").pk), "justification": "Mis en place", "version": "1"},
    )

    assert both.status_code == 302
    assert state(reponse)[:3] == (niveau(dossier, "3").pk, "Mis en place", 3)
    assert [(c, v) for c, _, v, _ in saisies(reponse)] == [
        ("niveau", 1),
        ("niveau", 2),
        ("justification", 3),
    ]


def test_a_plain_synthesis_post_saves_only_the_changed_fields(dossier, people):
    client = client_for(people.referent)
    synthese = synthese_of(dossier, "2.3")
    url = synthese_url(dossier, synthese)

    response = client.post(
        url,
        {"synthese": "Rédigée", "points_forts": "", "axes_amelioration": "", "version": "0"},
    )

    assert response.status_code == 302
    assert response["Location"] == critere_url(dossier, "2.3") + "#synthese"
    assert saisies(synthese) == [("synthese", "Rédigée", 1, people.referent.pk)]
    assert state(synthese) == ("Rédigée", "", "", 1)


def test_a_stale_plain_post_shows_the_conflict_page_with_both_values(dossier, people):
    alice, bob = client_for(people.referent), client_for(people.direction)
    reponse = reponse_of(dossier, "2.2.e2")
    url = reponse_url(dossier, reponse)
    alice.post(url, {"niveau": "", "justification": "Alice a tout vérifié", "version": "0"})

    conflict = bob.post(
        url, {"niveau": "", "justification": "Bob propose autre chose", "version": "0"}
    )

    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Alice a tout vérifié" in html
    assert "Bob propose autre chose" in html
    assert "Quelqu'un a modifié ce champ entre-temps" in htmllib.unescape(html)
    assert state(reponse)[1:3] == ("Alice a tout vérifié", 1)
    assert len(saisies(reponse)) == 1


def test_a_save_without_version_is_refused(dossier, people):
    reponse = reponse_of(dossier, "1.1.e1")

    response = client_for(people.referent).post(
        reponse_url(dossier, reponse), {"champ": "justification", "justification": "x"}, **HTMX
    )

    assert response.status_code == 400
    assert state(reponse)[1:3] == ("", 0)


# --- rights ---------------------------------------------------------------------------------


def test_a_contributor_edits_only_the_criteria_assigned_to_them(dossier, people):
    SyntheseCritere.objects.filter(autoevaluation__dossier=dossier, critere__code="1.1").update(
        contributeur=people.contributeur
    )
    client = client_for(people.contributeur)
    mine, other = reponse_of(dossier, "1.1.e1"), reponse_of(dossier, "1.2.e1")
    my_synthese, other_synthese = synthese_of(dossier, "1.1"), synthese_of(dossier, "1.2")

    ok = client.post(
        reponse_url(dossier, mine),
        {"champ": "justification", "justification": "Par le contributeur", "version": "0"},
        **HTMX,
    )
    ok_synthese = client.post(
        synthese_url(dossier, my_synthese),
        {"champ": "synthese", "synthese": "Synthèse du contributeur", "version": "0"},
        **HTMX,
    )
    refused = client.post(
        reponse_url(dossier, other),
        {"champ": "justification", "justification": "Hors de mon périmètre", "version": "0"},
        **HTMX,
    )
    refused_synthese = client.post(
        synthese_url(dossier, other_synthese),
        {"champ": "synthese", "synthese": "Hors de mon périmètre", "version": "0"},
        **HTMX,
    )

    assert (ok.status_code, ok_synthese.status_code) == (200, 200)
    assert (refused.status_code, refused_synthese.status_code) == (403, 403)
    assert state(mine)[1:3] == ("Par le contributeur", 1)
    assert state(my_synthese)[0::3] == ("Synthèse du contributeur", 1)
    assert state(other)[1:3] == ("", 0)
    assert state(other_synthese)[0::3] == ("", 0)
    assert saisies(other) == [] and saisies(other_synthese) == []


def test_an_unassigned_contributor_cannot_save(dossier, people):
    reponse = reponse_of(dossier, "1.1.e1")
    response = client_for(people.contributeur).post(
        reponse_url(dossier, reponse),
        {"champ": "justification", "justification": "x", "version": "0"},
        **HTMX,
    )
    assert response.status_code == 403
    assert state(reponse)[1:3] == ("", 0)


@pytest.mark.parametrize("who", ["lecteur", "arml"])
def test_readers_and_the_arml_referent_cannot_save(dossier, people, who):
    client = client_for(getattr(people, who))
    reponse, synthese = reponse_of(dossier, "1.1.e1"), synthese_of(dossier, "1.1")
    # They may read the criterion page…
    page = client.get(critere_url(dossier, "1.1"))
    assert page.status_code == 200
    assert "Lecture seule" in page.content.decode()

    # …but not save, with htmx or without.
    for kwargs in (HTMX, {}):
        assert (
            client.post(
                reponse_url(dossier, reponse),
                {"champ": "justification", "justification": "x", "version": "0"},
                **kwargs,
            ).status_code
            == 403
        )
        assert (
            client.post(
                synthese_url(dossier, synthese),
                {"champ": "synthese", "synthese": "x", "version": "0"},
                **kwargs,
            ).status_code
            == 403
        )

    assert state(reponse)[1:3] == ("", 0)
    assert state(synthese)[0::3] == ("", 0)
    assert not Saisie.objects.exists()


@pytest.mark.parametrize("who", ["referent", "direction", "contributeur"])
def test_after_submission_nobody_can_save(filled_dossier, people, who):
    SyntheseCritere.objects.filter(
        autoevaluation__dossier=filled_dossier, critere__code="1.1"
    ).update(contributeur=people.contributeur)
    submit_autoevaluation(filled_dossier, people.direction)
    client = client_for(getattr(people, who))
    reponse, synthese = reponse_of(filled_dossier, "1.1.e1"), synthese_of(filled_dossier, "1.1")
    reponse_before, synthese_before = state(reponse), state(synthese)

    for kwargs in (HTMX, {}):
        assert (
            client.post(
                reponse_url(filled_dossier, reponse),
                {"champ": "niveau", "niveau": str(niveau(filled_dossier, "1").pk), "version": "0"},
                **kwargs,
            ).status_code
            == 403
        )
        assert (
            client.post(
                synthese_url(filled_dossier, synthese),
                {"champ": "synthese", "synthese": "Après coup", "version": "0"},
                **kwargs,
            ).status_code
            == 403
        )

    assert state(reponse) == reponse_before
    assert state(synthese) == synthese_before
    assert not Saisie.objects.exists()
    page = client.get(critere_url(filled_dossier, "1.1"))
    assert "lecture seule" in page.content.decode()


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [True, False])
def test_sans_objet_is_refused_where_the_referentiel_does_not_allow_it(dossier, people, htmx):
    reponse = reponse_of(dossier, "1.1.e1")
    assert not reponse.element.sans_objet_autorise

    response = client_for(people.referent).post(
        reponse_url(dossier, reponse),
        {"champ": "niveau", "niveau": str(niveau(dossier, "sans_objet").pk), "version": "0"},
        **(HTMX if htmx else {}),
    )

    assert response.status_code == 400
    assert "« Sans objet » n'est pas prévu par le référentiel" in htmllib.unescape(
        response.content.decode()
    )
    assert state(reponse)[:3] == (None, "", 0)
    assert saisies(reponse) == []


def test_sans_objet_is_accepted_where_the_referentiel_allows_it(dossier, people):
    reponse = reponse_of(dossier, "4.2.1.e5")
    assert reponse.element.sans_objet_autorise

    response = client_for(people.referent).post(
        reponse_url(dossier, reponse),
        {"champ": "niveau", "niveau": str(niveau(dossier, "sans_objet").pk), "version": "0"},
        **HTMX,
    )

    assert response.status_code == 200
    assert state(reponse)[0] == niveau(dossier, "sans_objet").pk


def test_sans_objet_without_justification_warns_at_once_on_save(dossier, people):
    """Not only at submission: the save that leaves « Sans objet » unjustified says so, the page
    says it again, and the warning goes once a justification is saved."""
    reponse = reponse_of(dossier, "4.2.1.e5")
    client = client_for(people.referent)
    url = reponse_url(dossier, reponse)
    sans_objet = str(niveau(dossier, "sans_objet").pk)

    response = client.post(url, {"champ": "niveau", "niveau": sans_objet, "version": "0"}, **HTMX)
    assert response.status_code == 200
    assert "« Sans objet » doit être justifié" in response.content.decode()
    page = client.get(critere_url(dossier, "4.2.1")).content.decode()
    assert f'id="sans-objet-reponse-{reponse.pk}"' in page

    response = client.post(
        url,
        {"champ": "justification", "justification": "Pas d'antenne.", "version": "1"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "doit être justifié" not in response.content.decode()
    page = client.get(critere_url(dossier, "4.2.1")).content.decode()
    assert f'id="sans-objet-reponse-{reponse.pk}"' not in page

    # A rated level needs no justification warning.
    other = reponse_of(dossier, "4.2.1.e1")
    response = client.post(
        reponse_url(dossier, other),
        {"champ": "niveau", "niveau": str(niveau(dossier, "2").pk), "version": "0"},
        **HTMX,
    )
    assert "doit être justifié" not in response.content.decode()


def audit_level(dossier: Dossier) -> Niveau:
    return Niveau.objects.get(
        echelle_id=dossier.campagne.referentiel.echelle_audit_id, code="conforme"
    )


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "audit-scale"])
def test_an_unknown_level_is_refused(dossier, people, value):
    if value == "audit-scale":
        value = str(audit_level(dossier).pk)  # a real level, but of another scale
    reponse = reponse_of(dossier, "1.1.e1")

    response = client_for(people.referent).post(
        reponse_url(dossier, reponse), {"champ": "niveau", "niveau": value, "version": "0"}, **HTMX
    )

    assert response.status_code == 400
    assert "Niveau inconnu" in response.content.decode()
    assert state(reponse)[:3] == (None, "", 0)
    assert saisies(reponse) == []


def test_a_text_over_10000_characters_is_refused(dossier, people):
    client = client_for(people.referent)
    reponse, synthese = reponse_of(dossier, "1.1.e1"), synthese_of(dossier, "1.1")

    too_long = client.post(
        reponse_url(dossier, reponse),
        {"champ": "justification", "justification": "a" * 10_001, "version": "0"},
        **HTMX,
    )
    too_long_synthese = client.post(
        synthese_url(dossier, synthese),
        {"champ": "points_forts", "points_forts": "b" * 10_001, "version": "0"},
        **HTMX,
    )
    plain_too_long = client.post(
        reponse_url(dossier, reponse), {"niveau": "", "justification": "c" * 10_001, "version": "0"}
    )

    assert too_long.status_code == too_long_synthese.status_code == 400
    assert plain_too_long.status_code == 400
    assert "Texte trop long" in too_long.content.decode()
    assert state(reponse)[1:3] == ("", 0)
    assert state(synthese)[1::2] == ("", 0)
    assert not Saisie.objects.exists()

    exactly = client.post(
        reponse_url(dossier, reponse),
        {"champ": "justification", "justification": "a" * 10_000, "version": "0"},
        **HTMX,
    )
    assert exactly.status_code == 200
    assert len(state(reponse)[1]) == 10_000


# --- assigning criteria ------------------------------------------------------------------------


def assign_url(dossier: Dossier, synthese: SyntheseCritere) -> str:
    return reverse("autoevaluations:autoevaluation_assign", args=[dossier.pk, synthese.pk])


def test_the_referent_assigns_a_criterion_to_a_member_who_is_notified(dossier, people):
    synthese = synthese_of(dossier, "3.3")

    response = client_for(people.referent).post(
        assign_url(dossier, synthese), {"contributeur": str(people.contributeur.pk)}
    )

    assert response.status_code == 302
    assert response["Location"] == critere_url(dossier, "3.3")
    synthese.refresh_from_db()
    assert synthese.contributeur == people.contributeur
    [notification] = Notification.objects.filter(destinataire=people.contributeur)
    assert "3.3" in notification.titre
    assert notification.dossier_id == dossier.pk
    assert notification.url == critere_url(dossier, "3.3")

    # The contributor may now save on that criterion.
    saved = client_for(people.contributeur).post(
        synthese_url(dossier, synthese),
        {"champ": "synthese", "synthese": "Par le contributeur", "version": "0"},
        **HTMX,
    )
    assert saved.status_code == 200

    # Unassigning takes the right back.
    client_for(people.referent).post(assign_url(dossier, synthese), {"contributeur": ""})
    synthese.refresh_from_db()
    assert synthese.contributeur is None
    refused = client_for(people.contributeur).post(
        synthese_url(dossier, synthese),
        {"champ": "synthese", "synthese": "Plus le droit", "version": "1"},
        **HTMX,
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("who", ["outsider", "arml"])
def test_assigning_a_non_member_is_refused(dossier, people, who):
    synthese = synthese_of(dossier, "3.3")
    stranger = getattr(people, who)

    response = client_for(people.referent).post(
        assign_url(dossier, synthese), {"contributeur": str(stranger.pk)}
    )

    assert response.status_code == 302
    synthese.refresh_from_db()
    assert synthese.contributeur is None
    assert not Notification.objects.filter(destinataire=stranger).exists()
    with pytest.raises(ValidationError):
        assign_contributeur(synthese=synthese, actor=people.referent, user=stranger)
    synthese.refresh_from_db()
    assert synthese.contributeur is None


@pytest.mark.parametrize("who", ["contributeur", "lecteur"])
def test_a_contributor_or_reader_cannot_assign(dossier, people, who):
    synthese = synthese_of(dossier, "3.3")
    actor = getattr(people, who)
    if who == "contributeur":
        SyntheseCritere.objects.filter(pk=synthese.pk).update(contributeur=actor)

    response = client_for(actor).post(
        assign_url(dossier, synthese), {"contributeur": str(people.lecteur.pk)}
    )

    assert response.status_code == 403
    synthese.refresh_from_db()
    assert synthese.contributeur == (actor if who == "contributeur" else None)
    assert not Notification.objects.exists()


# --- fixed query counts ------------------------------------------------------------------------

AUTOEVALUATION_SCALE = {
    "code": "autoevaluation",
    "usage": "autoevaluation",
    "libelle": "Niveau de mise en œuvre",
    "niveaux": [
        {"code": "1", "libelle": "Non engagé", "valeur": 1},
        {"code": "2", "libelle": "En cours de mise en œuvre", "valeur": 2},
        {"code": "3", "libelle": "Mis en œuvre", "valeur": 3},
        {"code": "4", "libelle": "Mis en œuvre et évalué", "valeur": 4},
        {
            "code": "sans_objet",
            "libelle": "Sans objet",
            "valeur": None,
            "justification_obligatoire": True,
        },
    ],
}
AUDIT_SCALE = {
    "code": "audit",
    "usage": "audit",
    "libelle": "Constat",
    "niveaux": [
        {"code": "conforme", "libelle": "Conforme", "valeur": 4},
        {"code": "ecart_majeur", "libelle": "Écart majeur", "valeur": 1},
    ],
}


def generated_critere(code: str, n_elements: int, n_sous: int) -> dict[str, Any]:
    return {
        "code": code,
        "titre": f"Critère généré {code}",
        "elements": [
            {
                "code": f"{code}.e{e}",
                "texte": f"Élément {e} du critère {code}",
                "sans_objet_autorise": e == n_elements,
                "sous_elements": [
                    {
                        "texte": f"Sous-élément {k} de {code}.e{e}",
                        "exemples": [f"Exemple du sous-élément {k}"],
                    }
                    for k in range(1, n_sous + 1)
                ],
                "exemples": [f"Exemple de l'élément {code}.e{e}"],
            }
            for e in range(1, n_elements + 1)
        ],
        "textes_reference": [{"texte": f"Texte de référence du critère {code}"}],
        "exemples": [f"Exemple du critère {code}", f"Autre exemple du critère {code}"],
        "notes": [f"Note sur le critère {code}"],
    }


def generated_referentiel(
    n_sections: int = 6, n_criteres: int = 10, n_elements: int = 10, n_sous: int = 3
) -> dict[str, Any]:
    """A valid référentiel of n_sections × n_criteres criteria; the last section is split into
    two sub-sections, like part 4 of the shipped one."""
    sections: list[dict[str, Any]] = []
    for s in range(1, n_sections + 1):
        if s < n_sections:
            sections.append(
                {
                    "code": str(s),
                    "titre": f"Partie {s}",
                    "criteres": [
                        generated_critere(f"{s}.{c}", n_elements, n_sous)
                        for c in range(1, n_criteres + 1)
                    ],
                }
            )
        else:
            half = n_criteres // 2
            sections.append(
                {
                    "code": str(s),
                    "titre": f"Partie {s}",
                    "sections": [
                        {
                            "code": f"{s}.{sub}",
                            "titre": f"Sous-partie {s}.{sub}",
                            "criteres": [
                                generated_critere(f"{s}.{sub}.{c}", n_elements, n_sous)
                                for c in range(1, (half if sub == 1 else n_criteres - half) + 1)
                            ],
                        }
                        for sub in (1, 2)
                    ],
                }
            )
    return fmt.validate(
        {
            "code": "GENERE",
            "version": 1,
            "titre": "Référentiel généré pour les tests de charge",
            "statut": "publie",
            "cible": "mission_locale",
            "echelle_autoevaluation": "autoevaluation",
            "echelle_audit": "audit",
            "echelles": [AUTOEVALUATION_SCALE, AUDIT_SCALE],
            "sections": sections,
        }
    )


def add_preuve(dossier: Dossier, critere_code: str, n: int, author: Any, element: Any = None):
    content = f"%PDF-1.4 preuve {n}".encode()
    return Preuve.objects.create(
        dossier=dossier,
        critere=dossier.campagne.referentiel.criteres.get(code=critere_code),
        element=element,
        titre=f"Preuve {n}",
        fichier=ContentFile(content, name=f"preuve-{n}.pdf"),
        nom_original=f"preuve-{n}.pdf",
        type_mime="application/pdf",
        taille=len(content),
        empreinte=hashlib.sha256(content).hexdigest(),
        date_effet=dt.date(2024, 1, n % 28 + 1),
        date_expiration=dt.date.today() + dt.timedelta(days=10 * n) if n % 2 else None,
        ajoute_par=author,
    )


def test_generated_referentiel_has_the_intended_size():
    canon = generated_referentiel()
    criteres = list(fmt.iter_criteres(canon["sections"]))
    assert len(criteres) == 60
    assert all(len(c["elements"]) == 10 for c in criteres)
    assert all(len(e["sous_elements"]) == 3 for c in criteres for e in c["elements"])


@pytest.fixture
def two_sizes(dossier, people, admin, network, settings, tmp_path):  # type: ignore[no-untyped-def]
    """The same pages for two sizes of data, as seen by ML A's quality referent."""
    settings.MEDIA_ROOT = tmp_path

    # Size 1: the shipped référentiel with a few answers.
    for code in ("1.1.e1", "1.1.e2", "4.2.1.e1"):
        rate(dossier, code, "2")
    small = {
        "critere": critere_url(dossier, "1.1"),
        "overview": reverse("autoevaluations:autoevaluation_overview", args=[dossier.pk]),
    }

    # Size 2: 60 criteria × 10 elements × 3 sous-éléments, everything filled, evidence files,
    # every criterion assigned, guidance sheets on the measured criterion.
    referentiel = import_referentiel(generated_referentiel()).referentiel
    campagne = create_campagne(
        actor=admin,
        nom="Campagne sur le référentiel généré",
        referentiel=referentiel,
        date_ouverture=dt.date.today() - dt.timedelta(days=60),
        date_cloture_autoevaluation=dt.date.today() + dt.timedelta(days=120),
    )
    big = open_dossier(admin, campagne, network["ml_a"])
    fill_dossier(big)
    SyntheseCritere.objects.filter(autoevaluation__dossier=big).update(
        contributeur=people.contributeur
    )
    measured = "6.2.3"
    elements = list(Element.objects.filter(referentiel=referentiel, critere__code=measured))
    for n in range(1, 7):
        add_preuve(big, measured, n, people.referent, element=elements[n] if n % 2 else None)
    add_preuve(big, "1.1", 99, people.direction)
    measured_critere = referentiel.criteres.get(code=measured)
    for n in range(3):
        FicheMethodologique.objects.create(
            critere=measured_critere,
            titre=f"Fiche {n}",
            lien="https://example.org/fiche",
        )
    assert Reponse.objects.filter(autoevaluation__dossier=big).count() == 600
    assert not Reponse.objects.filter(autoevaluation__dossier=big, niveau__isnull=True).exists()
    large = {
        "critere": critere_url(big, measured),
        "overview": reverse("autoevaluations:autoevaluation_overview", args=[big.pk]),
    }
    client = client_for(people.referent)
    client.get(small["overview"])  # warm process-wide caches (content types, templates)
    return client, small, large


@pytest.mark.parametrize("page", ["critere", "overview"])
def test_the_page_runs_the_same_small_number_of_queries_whatever_the_size(two_sizes, page):
    client, small, large = two_sizes

    on_small, on_large = page_queries(client, small[page]), page_queries(client, large[page])
    n_small, sql_small, n_large, sql_large = (
        on_small.count,
        on_small.sql,
        on_large.count,
        on_large.sql,
    )

    assert n_small == n_large, (
        f"{page}: {n_small} queries for the shipped référentiel, {n_large} for the large one"
        f"\n--- small ---\n{sql_small}\n--- large ---\n{sql_large}"
    )
    # Two of them for the dossier's path shown on every dossier page (campagnes/path.py): the
    # journal's dates and, during the audit, its days on site.
    # One more for the network's remarkable practices on the criterion page (issue 18).
    assert n_large <= 18, f"{page}: {n_large} queries\n{sql_large}"


def test_the_large_pages_show_the_large_data(two_sizes):
    client, _, large = two_sizes

    critere = client.get(large["critere"]).content.decode()
    overview = client.get(large["overview"]).content.decode()

    assert critere.count('class="card element-row"') == 10
    assert critere.count("Sous-élément 3 de 6.2.3.e") == 10
    assert all(f"Preuve {n}" in critere for n in range(1, 7))
    assert "Preuve 99" not in critere  # evidence of another criterion
    assert "600 / 600" in overview
    assert "60 / 60" in overview  # syntheses written
