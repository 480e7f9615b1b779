"""Import / export of référentiel files (referentiel.format, referentiel.services and the
import_referentiel / export_referentiel management commands)."""

from __future__ import annotations

import copy
import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referentiel import format as fmt
from referentiel.format import ReferentielFormatError
from referentiel.models import (
    Aide,
    Critere,
    Echelle,
    Element,
    Niveau,
    Referentiel,
    Section,
    SousElement,
)
from referentiel.services import (
    export_canon,
    export_referentiel,
    import_referentiel,
    import_referentiel_file,
)
from tests.conftest import FIXTURE

pytestmark = pytest.mark.django_db


REFERENTIEL_MODELS = (Referentiel, Section, Critere, Element, SousElement, Aide, Echelle, Niveau)

EXPECTED_CRITERIA_PER_PART = {
    "1": 2,
    "2": 4,
    "3": 4,
    "4.1": 2,
    "4.2": 3,
    "4.3": 3,
    "4.4": 2,
    "5": 4,
}

TITRE_4_2_2 = (
    "La Mission Locale met à disposition des jeunes une information claire et accessible, "
    "adaptée à leurs besoins sociaux et professionnels"
)
TEXTE_4_2_2_E5 = (
    "Dès l'accueil, la Mission Locale informe les jeunes de ses règles de confidentialité, de "
    "l'usage qui est fait des données recueillies concernant leur situation, et des modalités "
    "de communication à des tiers des informations recueillies, conformément au règlement "
    "général de protection des données personnelles (RGPD). A ce titre, la Mission Locale "
    "dispose d'un référent RGPD."
)
# Path of element 4.2.2.e5 in the shipped file: part 4 is sections[3], 4.2 its sections[1],
# 4.2.2 the second criterion, e5 the fifth element.
NODE_4_2_2_E5 = (
    "sections[3] « 4 » › sections[1] « 4.2 » › criteres[1] « 4.2.2 » › elements[4] « 4.2.2.e5 »"
)


# ---------------------------------------------------------------------------------- helpers


def shipped() -> dict[str, Any]:
    """A fresh parsed copy of the shipped file, safe to mutate."""
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in REFERENTIEL_MODELS}


def write_yaml(tmp_path: Path, data: Any, name: str = "referentiel.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def part(raw: dict[str, Any], code: str) -> dict[str, Any]:
    """A (sub-)section of a parsed file, by code."""
    stack = list(raw["sections"])
    while stack:
        node = stack.pop()
        if node["code"] == code:
            return node
        stack += node.get("sections", [])
    raise KeyError(code)


def critere(raw: dict[str, Any], code: str) -> dict[str, Any]:
    owner = code.rsplit(".", 1)[0]
    return next(c for c in part(raw, owner)["criteres"] if c["code"] == code)


def element(raw: dict[str, Any], code: str) -> dict[str, Any]:
    owner = code.rsplit(".", 1)[0]
    return next(e for e in critere(raw, owner)["elements"] if e["code"] == code)


def all_criteria(raw: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for section in raw["sections"]:
        out += [(section["code"], c) for c in section.get("criteres", [])]
        for sub in section.get("sections", []):
            out += [(sub["code"], c) for c in sub.get("criteres", [])]
    return out


def fresh(ref: Referentiel) -> Referentiel:
    """The référentiel as stored, re-read from the database."""
    return Referentiel.objects.get(pk=ref.pk)


# ------------------------------------------------------------ the shipped file, imported


def test_shipped_file_imports_five_top_level_parts_coded_1_to_5(referentiel_ml):
    tops = Section.objects.filter(referentiel=referentiel_ml, parent=None).order_by("ordre")
    assert [s.code for s in tops] == ["1", "2", "3", "4", "5"]
    assert [s.titre for s in tops][3] == "L'offre de service de la Mission Locale"


def test_only_part_4_has_sub_parts_4_1_to_4_4(referentiel_ml):
    subs = Section.objects.filter(referentiel=referentiel_ml, parent__isnull=False).select_related(
        "parent"
    )
    assert [(s.parent.code, s.code) for s in subs.order_by("ordre")] == [
        ("4", "4.1"),
        ("4", "4.2"),
        ("4", "4.3"),
        ("4", "4.4"),
    ]
    assert Section.objects.filter(referentiel=referentiel_ml).count() == 9
    assert not Critere.objects.filter(referentiel=referentiel_ml, section__code="4").exists()


def test_shipped_file_imports_24_criteria_split_per_part(referentiel_ml):
    criteres = Critere.objects.filter(referentiel=referentiel_ml).select_related("section")
    assert criteres.count() == 24
    per_part: dict[str, int] = {}
    for c in criteres:
        per_part[c.section.code] = per_part.get(c.section.code, 0) + 1
        assert c.code.startswith(c.section.code + ".")
    assert per_part == EXPECTED_CRITERIA_PER_PART
    # Stored in reading order.
    assert [c.code for c in criteres.order_by("ordre")] == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "2.3",
        "2.4",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
        "4.1.1",
        "4.1.2",
        "4.2.1",
        "4.2.2",
        "4.2.3",
        "4.3.1",
        "4.3.2",
        "4.3.3",
        "4.4.1",
        "4.4.2",
        "5.1",
        "5.2",
        "5.3",
        "5.4",
    ]


def test_shipped_file_imports_99_elements_numbered_under_their_criterion(referentiel_ml):
    elements = Element.objects.filter(referentiel=referentiel_ml).select_related("critere")
    assert elements.count() == 99
    by_critere: dict[str, list[str]] = {}
    for e in elements.order_by("ordre"):
        by_critere.setdefault(e.critere.code, []).append(e.code)
    assert len(by_critere) == 24
    for code, codes in by_critere.items():
        assert codes == [f"{code}.e{n}" for n in range(1, len(codes) + 1)]
    expected = {c["code"]: len(c["elements"]) for _, c in all_criteria(shipped())}
    assert {code: len(codes) for code, codes in by_critere.items()} == expected


def test_criterion_title_and_element_text_are_stored_verbatim(referentiel_ml):
    c = Critere.objects.get(referentiel=referentiel_ml, code="4.2.2")
    assert c.titre == TITRE_4_2_2
    assert c.section.code == "4.2" and c.section.parent.code == "4"
    e = Element.objects.get(referentiel=referentiel_ml, code="4.2.2.e5")
    assert e.texte == TEXTE_4_2_2_E5
    assert "RGPD" in e.texte
    assert e.critere_id == c.pk
    # The fixture says the same (the expected strings above are not made up).
    assert critere(shipped(), "4.2.2")["titre"] == c.titre
    assert element(shipped(), "4.2.2.e5")["texte"] == e.texte


def test_sous_elements_and_sans_objet_flags_are_imported(referentiel_ml):
    e = Element.objects.get(referentiel=referentiel_ml, code="1.1.e1")
    assert [s.texte for s in e.sous_elements.order_by("ordre")] == [
        s["texte"] for s in element(shipped(), "1.1.e1")["sous_elements"]
    ]
    assert e.sous_elements.count() == 7
    assert SousElement.objects.filter(element__referentiel=referentiel_ml).count() == 70
    assert sorted(
        Element.objects.filter(referentiel=referentiel_ml, sans_objet_autorise=True).values_list(
            "code", flat=True
        )
    ) == ["4.2.1.e5", "4.3.3.e2"]


def test_help_texts_are_attached_to_their_criterion_element_or_sous_element(referentiel_ml):
    ref_1_1 = Aide.objects.get(
        critere__referentiel=referentiel_ml, critere__code="1.1", element=None
    )
    assert ref_1_1.type == Aide.Type.TEXTE_REFERENCE
    assert ref_1_1.element_id is None and ref_1_1.sous_element_id is None
    assert ref_1_1.texte.startswith("Circulaire DGEFP n°2004/024 du 18 août 2004")

    note_2_2 = Aide.objects.get(
        critere__referentiel=referentiel_ml, critere__code="2.2", element=None
    )
    assert note_2_2.type == Aide.Type.NOTE
    assert note_2_2.texte == "Voir référentiel partie 5 « L'offre de service de la Mission Locale »"

    exemple_element = Aide.objects.get(element__referentiel=referentiel_ml, element__code="2.3.e3")
    assert exemple_element.type == Aide.Type.EXEMPLE and exemple_element.sous_element_id is None

    sous = Aide.objects.get(element__referentiel=referentiel_ml, element__code="1.1.e2")
    assert sous.type == Aide.Type.EXEMPLE
    assert sous.sous_element.texte.startswith("En complément de ces financements socles")
    assert sous.texte.startswith("A titre d'exemples : FSE, ARS")

    types_3_1 = (
        Aide.objects.filter(critere__referentiel=referentiel_ml, critere__code="3.1", element=None)
        .order_by("ordre")
        .values_list("type", flat=True)
    )
    assert list(types_3_1) == [Aide.Type.TEXTE_REFERENCE, Aide.Type.EXEMPLE]


def test_autoevaluation_scale_has_levels_1_to_4_and_sans_objet_requiring_justification(
    referentiel_ml,
):
    ref = fresh(referentiel_ml)
    echelle = ref.echelle_autoevaluation
    assert echelle.code == "autoevaluation" and echelle.usage == Echelle.Usage.AUTOEVALUATION
    assert echelle.referentiel_id == ref.pk
    niveaux = list(echelle.niveaux.order_by("ordre"))
    assert [n.code for n in niveaux] == ["1", "2", "3", "4", "sans_objet"]
    assert [None if n.valeur is None else int(n.valeur) for n in niveaux] == [1, 2, 3, 4, None]
    assert [n.justification_obligatoire for n in niveaux] == [False] * 4 + [True]
    assert niveaux[0].libelle == "Non engagé" and niveaux[0].couleur == "#c0392b"


def test_audit_scale_has_the_five_external_evaluation_levels(referentiel_ml):
    ref = fresh(referentiel_ml)
    echelle = ref.echelle_audit
    assert echelle.code == "audit" and echelle.usage == Echelle.Usage.AUDIT
    niveaux = list(echelle.niveaux.order_by("ordre"))
    assert [n.code for n in niveaux] == [
        "point_fort",
        "conforme",
        "piste_de_progres",
        "ecart_mineur",
        "ecart_majeur",
    ]
    assert [int(n.valeur) for n in niveaux] == [5, 4, 3, 2, 1]
    assert not any(n.justification_obligatoire for n in niveaux)
    assert Echelle.objects.filter(referentiel=ref).count() == 2


def test_header_preamble_values_and_principles_are_stored(referentiel_ml):
    ref = fresh(referentiel_ml)
    assert (ref.code, ref.version, ref.statut, ref.cible) == (
        "ML-2022",
        1,
        Referentiel.Statut.PUBLIE,
        "mission_locale",
    )
    assert ref.titre == "Le Référentiel de labellisation des Missions Locales"
    assert ref.date_validation == dt.date(2022, 12, 1)
    assert [b["code"] for b in ref.preambule] == [
        "mot-du-president",
        "preambule",
        "socle",
        "chiffres-cles",
    ]
    assert ref.preambule[0]["titre"] == "Le mot du président"
    assert ref.preambule[0]["texte"].startswith("Un Label exigeant et accessible\n\n")
    assert ref.valeurs == [
        "La Proximité",
        "Le Professionnalisme",
        "L'Engagement",
        "L'Adaptabilité",
        "Une Mission de service public",
    ]
    assert len(ref.principes) == 7
    assert ref.principes[0] == "Être l'acteur central du service public dédié aux jeunes."
    assert ref.empreinte == fmt.fingerprint(fmt.parse(FIXTURE.read_text(encoding="utf-8")))


# ------------------------------------------------------------------------ idempotence


def test_importing_the_same_file_twice_is_unchanged_and_writes_nothing(no_referentiel):
    first = import_referentiel_file(FIXTURE)
    assert first.outcome == "created"
    before = row_counts()
    imported_at = fresh(first.referentiel).imported_at

    with CaptureQueriesContext(connection) as ctx:
        second = import_referentiel_file(FIXTURE)

    assert second.outcome == "unchanged"
    assert "déjà à jour" in second.message
    assert second.referentiel.pk == first.referentiel.pk
    assert row_counts() == before
    assert fresh(first.referentiel).imported_at == imported_at
    sql = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    assert any(s.startswith("SELECT") for s in sql)  # the capture did see the lookup
    writes = [s for s in sql if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert len(sql) <= 4


def test_reimporting_the_exported_text_of_a_published_version_is_unchanged(referentiel_ml):
    before = row_counts()
    text = export_referentiel(fresh(referentiel_ml))
    assert text != FIXTURE.read_text(encoding="utf-8")  # other layout, same content
    result = import_referentiel(fmt.parse(text))
    assert result.outcome == "unchanged"
    assert result.referentiel.pk == referentiel_ml.pk
    assert row_counts() == before


# ------------------------------------------------------------------------- round trip


def test_export_delete_import_export_is_byte_identical(referentiel_ml):
    text = export_referentiel(fresh(referentiel_ml))
    assert text.startswith(fmt.FORMAT_HEADER)
    assert "4.2.2.e5" in text and "(RGPD)" in text

    referentiel_ml.delete()
    assert set(row_counts().values()) == {0}

    result = import_referentiel(fmt.parse(text))
    assert result.outcome == "created"
    assert row_counts()["Element"] == 99
    assert export_referentiel(fresh(result.referentiel)) == text


def test_canonical_dict_of_shipped_file_equals_export_canon_of_imported_referentiel():
    canon = fmt.parse(FIXTURE.read_text(encoding="utf-8"))
    result = import_referentiel(canon)
    exported = export_canon(fresh(result.referentiel))
    assert exported == canon
    assert fmt.first_difference(canon, exported) is None
    assert fmt.fingerprint(exported) == result.referentiel.empreinte


def test_management_commands_export_then_import_round_trip(referentiel_ml, tmp_path):
    out = tmp_path / "ml-2022.yaml"
    err = StringIO()
    call_command("export_referentiel", "ML-2022", "-o", str(out), stderr=err)
    text = out.read_text(encoding="utf-8")
    assert text == export_referentiel(fresh(referentiel_ml))
    assert "ML-2022 v1 exporté" in err.getvalue()

    # Without -o the same text goes to stdout.
    stdout = StringIO()
    call_command("export_referentiel", "ML-2022", "--ref-version", "1", stdout=stdout)
    assert stdout.getvalue() == text

    Referentiel.objects.all().delete()
    assert set(row_counts().values()) == {0}
    stdout = StringIO()
    call_command("import_referentiel", str(out), stdout=stdout)
    assert "Référentiel ML-2022 v1 importé." in stdout.getvalue()
    assert row_counts()["Critere"] == 24 and row_counts()["Element"] == 99

    again = tmp_path / "again.yaml"
    call_command("export_referentiel", "ML-2022", "-o", str(again), stderr=StringIO())
    assert again.read_bytes() == out.read_bytes()

    stdout = StringIO()
    call_command("import_referentiel", str(again), stdout=stdout)
    assert "déjà à jour" in stdout.getvalue()


def test_export_command_on_unknown_code_fails():
    with pytest.raises(CommandError, match="Aucun référentiel « INCONNU »"):
        call_command("export_referentiel", "INCONNU", stdout=StringIO())


# ---------------------------------------------------------------------- malformed files


def _drop_code_of_element_4_2_3_e2(raw):
    del element(raw, "4.2.3.e2")["code"]


def _duplicate_criterion_4_4_1(raw):
    critere(raw, "4.4.2")["code"] = "4.4.1"


def _unknown_autoevaluation_scale(raw):
    raw["echelle_autoevaluation"] = "inexistante"


def _audit_scale_pointing_at_autoevaluation(raw):
    raw["echelle_audit"] = "autoevaluation"


def _part_4_with_criteria_and_sub_parts(raw):
    extra = copy.deepcopy(critere(raw, "4.1.1"))
    extra["code"] = "4.9"
    part(raw, "4")["criteres"] = [extra]


def _part_2_with_no_criteria(raw):
    part(raw, "2")["criteres"] = []


def _criterion_2_9_in_part_1(raw):
    c = critere(raw, "1.2")
    c["code"] = "2.9"
    for n, e in enumerate(c["elements"], 1):
        e["code"] = f"2.9.e{n}"


def _elements_directly_under_part_5(raw):
    part(raw, "5")["elements"] = [{"code": "5.e1", "texte": "Élément sans critère."}]


def _sub_part_numbered_outside_part_4(raw):
    part(raw, "4.3")["code"] = "5.3"


def _sub_part_at_top_level(raw):
    raw["sections"].append({"code": "6.1", "titre": "Perdue", "criteres": []})


def _element_numbered_under_another_criterion(raw):
    element(raw, "5.1.e2")["code"] = "5.2.e2"


def _blank_element_text(raw):
    element(raw, "3.2.e4")["texte"] = "   "


def _empty_element_text(raw):
    element(raw, "3.2.e4")["texte"] = ""


def _empty_sous_element_text(raw):
    element(raw, "4.1.2.e1")["sous_elements"][2]["texte"] = " \n "


def _bad_colour(raw):
    raw["echelles"][1]["niveaux"][2]["couleur"] = "vert"


def _unknown_root_key(raw):
    raw["auteur"] = "UNML"


def _version_zero(raw):
    raw["version"] = 0


def _unknown_statut(raw):
    raw["statut"] = "en_cours"


def _unknown_cible(raw):
    raw["cible"] = "lycee"


def _bad_date(raw):
    raw["date_validation"] = "décembre 2022"


def _multi_line_criterion_code(raw):
    critere(raw, "5.4")["code"] = "5.4\n5.5"


def _elements_not_a_list(raw):
    critere(raw, "3.3")["elements"] = "aucun"


def _sans_objet_not_boolean(raw):
    element(raw, "4.3.3.e2")["sans_objet_autorise"] = "oui"


C_4_2_3 = "sections[3] « 4 » › sections[1] « 4.2 » › criteres[2] « 4.2.3 »"

MALFORMED = [
    pytest.param(
        _drop_code_of_element_4_2_3_e2,
        f"{C_4_2_3} › elements[1] › code",
        "le champ obligatoire « code » est manquant",
        id="element-without-code",
    ),
    pytest.param(
        _duplicate_criterion_4_4_1,
        "sections[3] « 4 » › sections[3] « 4.4 » › criteres[1] « 4.4.1 »",
        "code en double",
        id="duplicate-criterion-code",
    ),
    pytest.param(
        _unknown_autoevaluation_scale,
        "echelle_autoevaluation",
        "échelle inconnue « inexistante »",
        id="unknown-scale",
    ),
    pytest.param(
        _audit_scale_pointing_at_autoevaluation,
        "echelle_audit",
        "n'est pas une échelle d'usage audit",
        id="scale-of-wrong-usage",
    ),
    pytest.param(
        _part_4_with_criteria_and_sub_parts,
        "sections[3] « 4 »",
        "jamais les deux",
        id="section-with-criteria-and-sub-sections",
    ),
    pytest.param(
        _part_2_with_no_criteria,
        "sections[1] « 2 »",
        "jamais les deux ni aucun",
        id="section-with-neither",
    ),
    pytest.param(
        _criterion_2_9_in_part_1,
        "sections[0] « 1 » › criteres[1] « 2.9 » › code",
        "n'est pas numéroté sous sa partie « 1 »",
        id="criterion-outside-its-section",
    ),
    pytest.param(
        _elements_directly_under_part_5,
        "sections[4] « 5 »",
        "clé inconnue « elements »",
        id="elements-directly-under-section",
    ),
    pytest.param(
        _sub_part_numbered_outside_part_4,
        "sections[3] « 4 » › sections[2] « 5.3 » › code",
        "n'est pas numérotée sous sa partie « 4 »",
        id="sub-section-outside-its-parent",
    ),
    pytest.param(
        _sub_part_at_top_level,
        "sections[5] « 6.1 » › code",
        "placée au premier niveau",
        id="sub-section-at-top-level",
    ),
    pytest.param(
        _element_numbered_under_another_criterion,
        "sections[4] « 5 » › criteres[0] « 5.1 » › elements[1] « 5.2.e2 » › code",
        "n'est pas numéroté sous son critère « 5.1 »",
        id="element-outside-its-criterion",
    ),
    pytest.param(
        _blank_element_text,
        "sections[2] « 3 » › criteres[1] « 3.2 » › elements[3] « 3.2.e4 » › texte",
        "le texte est vide",
        id="blank-texte",
    ),
    pytest.param(
        _empty_element_text,
        "sections[2] « 3 » › criteres[1] « 3.2 » › elements[3] « 3.2.e4 » › texte",
        "le champ obligatoire « texte » est manquant",
        id="empty-texte",
    ),
    pytest.param(
        _empty_sous_element_text,
        "sections[3] « 4 » › sections[0] « 4.1 » › criteres[1] « 4.1.2 » › "
        "elements[0] « 4.1.2.e1 » › sous_elements[2] › texte",
        "le texte est vide",
        id="blank-sous-element-texte",
    ),
    pytest.param(
        _bad_colour,
        "echelles[1] « audit » › niveaux[2] « piste_de_progres » › couleur",
        "couleur « vert » invalide",
        id="bad-colour",
    ),
    pytest.param(
        _unknown_root_key, "(racine du fichier)", "clé inconnue « auteur »", id="unknown-root-key"
    ),
    pytest.param(_version_zero, "version", "entier positif", id="version-zero"),
    pytest.param(_unknown_statut, "statut", "statut « en_cours » inconnu", id="unknown-statut"),
    pytest.param(
        _unknown_cible, "cible", "type de structure « lycee » inconnu", id="unknown-cible"
    ),
    pytest.param(_bad_date, "date_validation", "AAAA-MM-JJ", id="bad-date"),
    pytest.param(
        _multi_line_criterion_code,
        "sections[4] « 5 » › criteres[3] « 5.4\n5.5 » › code",
        "tenir sur une ligne",
        id="multi-line-code",
    ),
    pytest.param(
        _elements_not_a_list,
        "sections[2] « 3 » › criteres[2] « 3.3 » › elements",
        "une liste est attendue",
        id="elements-not-a-list",
    ),
    pytest.param(
        _sans_objet_not_boolean,
        "sections[3] « 4 » › sections[2] « 4.3 » › criteres[2] « 4.3.3 » › "
        "elements[1] « 4.3.3.e2 » › sans_objet_autorise",
        "true ou false attendu",
        id="sans-objet-not-boolean",
    ),
]


@pytest.mark.parametrize(("mutate", "node", "message"), MALFORMED)
def test_malformed_file_is_refused_naming_the_node_and_nothing_is_written(
    referentiel_ml, tmp_path, mutate, node, message
):
    raw = shipped()
    # Another référentiel, so that a successful import would have to write new rows.
    raw["code"] = "ML-ESSAI"
    mutate(raw)
    path = write_yaml(tmp_path, raw)
    before = row_counts()

    with pytest.raises(ReferentielFormatError) as excinfo:
        import_referentiel_file(path)

    assert excinfo.value.node == node
    assert message in excinfo.value.message
    assert str(excinfo.value) == f"{node} : {excinfo.value.message}"
    assert row_counts() == before
    assert not Referentiel.objects.filter(code="ML-ESSAI").exists()


def test_the_unmodified_copy_used_for_malformed_files_is_accepted(referentiel_ml, tmp_path):
    """Control for the test above: the refusals come from the mutation, not the copy."""
    raw = shipped()
    raw["code"] = "ML-ESSAI"
    result = import_referentiel_file(write_yaml(tmp_path, raw))
    assert result.outcome == "created"
    assert Element.objects.filter(referentiel=result.referentiel).count() == 99


def test_yaml_syntax_error_is_refused_with_its_line_and_column(tmp_path):
    before = row_counts()
    lines = FIXTURE.read_text(encoding="utf-8").split("\n")
    index = lines.index("statut: publie")
    lines[index] = "statut: publie: oui"
    path = tmp_path / "casse.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")

    with pytest.raises(ReferentielFormatError) as excinfo:
        import_referentiel_file(path)

    assert excinfo.value.node == f"ligne {index + 1}, colonne {len('statut: publie') + 1}"
    assert "ligne" in str(excinfo.value)
    assert "YAML illisible" in excinfo.value.message
    assert row_counts() == before


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("- code: ML-2022\n- version: 1\n", id="list"),
        pytest.param("Le référentiel\n", id="scalar"),
        pytest.param("", id="empty"),
        pytest.param("# rien que des commentaires\n", id="comments-only"),
    ],
)
def test_file_that_is_not_a_mapping_is_refused_at_the_root(tmp_path, content):
    before = row_counts()
    path = tmp_path / "pas-un-mapping.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReferentielFormatError) as excinfo:
        import_referentiel_file(path)
    assert excinfo.value.node == "(racine du fichier)"
    assert "mapping" in excinfo.value.message
    assert row_counts() == before


@pytest.mark.parametrize(
    "make_path",
    [
        pytest.param(lambda tmp: tmp / "absent.yaml", id="missing-file"),
        pytest.param(
            lambda tmp: (
                tmp / "latin1.yaml",
                (tmp / "latin1.yaml").write_bytes("titre: référentiel\n".encode("latin-1")),
            )[0],
            id="not-utf8",
        ),
    ],
)
def test_unreadable_file_is_refused_as_format_error(tmp_path, make_path):
    with pytest.raises(ReferentielFormatError, match="fichier illisible"):
        import_referentiel_file(make_path(tmp_path))


def test_failure_while_writing_rolls_back_the_whole_import(referentiel_ml, tmp_path):
    raw = shipped()
    raw["code"] = "ML-ESSAI"
    path = write_yaml(tmp_path, raw)
    before = row_counts()
    original = SousElement.objects.create
    calls = {"n": 0}

    def failing_create(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 40:
            raise RuntimeError("panne simulée")
        return original(**kwargs)

    with mock.patch.object(SousElement.objects, "create", side_effect=failing_create):
        with pytest.raises(RuntimeError, match="panne simulée"):
            import_referentiel_file(path)

    assert calls["n"] == 40  # the failure happened deep in the write, after many rows
    assert row_counts() == before
    assert not Referentiel.objects.filter(code="ML-ESSAI").exists()


# ------------------------------------------------------- published versions are immutable


def test_changing_an_element_text_of_a_published_version_is_refused_and_names_it(
    referentiel_ml, tmp_path
):
    raw = shipped()
    element(raw, "4.2.2.e5")["texte"] = "La Mission Locale respecte le RGPD."
    path = write_yaml(tmp_path, raw)
    before = row_counts()

    with pytest.raises(ReferentielFormatError) as excinfo:
        import_referentiel_file(path)

    assert excinfo.value.node == f"{NODE_4_2_2_E5} › texte"
    assert "4.2.2.e5" in excinfo.value.node
    assert "immuable" in excinfo.value.message
    assert "version: 2" in excinfo.value.message
    assert row_counts() == before
    stored = Element.objects.get(referentiel=referentiel_ml, code="4.2.2.e5")
    assert stored.texte == TEXTE_4_2_2_E5
    assert fresh(referentiel_ml).empreinte == referentiel_ml.empreinte


def test_removing_a_criterion_of_a_published_version_is_refused(referentiel_ml, tmp_path):
    raw = shipped()
    part(raw, "5")["criteres"].pop()
    with pytest.raises(ReferentielFormatError) as excinfo:
        import_referentiel_file(write_yaml(tmp_path, raw))
    assert excinfo.value.node == "sections[4] « 5 » › criteres (nombre d'entrées : 4 → 3)"
    assert Critere.objects.filter(referentiel=referentiel_ml).count() == 24


def test_turning_a_published_version_back_into_a_draft_is_refused(referentiel_ml, tmp_path):
    raw = shipped()
    raw["statut"] = "brouillon"
    with pytest.raises(ReferentielFormatError) as excinfo:
        import_referentiel_file(write_yaml(tmp_path, raw))
    assert excinfo.value.node == "statut"
    assert fresh(referentiel_ml).statut == Referentiel.Statut.PUBLIE


def test_the_change_is_accepted_as_version_2_and_both_versions_coexist(referentiel_ml, tmp_path):
    raw = shipped()
    element(raw, "4.2.2.e5")["texte"] = "La Mission Locale respecte le RGPD."
    raw["version"] = 2
    result = import_referentiel_file(write_yaml(tmp_path, raw))

    assert result.outcome == "created"
    assert result.referentiel.pk != referentiel_ml.pk
    versions = Referentiel.objects.filter(code="ML-2022").order_by("version")
    assert [(r.version, r.statut) for r in versions] == [(1, "publie"), (2, "publie")]
    texts = dict(
        Element.objects.filter(code="4.2.2.e5").values_list("referentiel__version", "texte")
    )
    assert texts == {1: TEXTE_4_2_2_E5, 2: "La Mission Locale respecte le RGPD."}
    assert Element.objects.count() == 198
    assert Critere.objects.filter(referentiel=result.referentiel).count() == 24


# ------------------------------------------------------------------------------ drafts


def _draft(raw: dict[str, Any]) -> dict[str, Any]:
    raw["code"] = "ML-BROUILLON"
    raw["statut"] = "brouillon"
    return raw


def test_a_draft_reimported_with_changes_is_replaced(tmp_path):
    first = import_referentiel_file(write_yaml(tmp_path, _draft(shipped()), "v1.yaml"))
    assert first.outcome == "created"
    before = row_counts()

    raw = _draft(shipped())
    element(raw, "4.2.2.e5")["texte"] = "Texte révisé du brouillon."
    critere(raw, "5.4")["titre"] = "Titre révisé"
    second = import_referentiel_file(write_yaml(tmp_path, raw, "v1-bis.yaml"))

    assert second.outcome == "replaced"
    assert "Brouillon ML-BROUILLON v1 remplacé" in second.message
    assert Referentiel.objects.filter(code="ML-BROUILLON").count() == 1
    assert not Referentiel.objects.filter(pk=first.referentiel.pk).exists()
    ref = fresh(second.referentiel)
    assert ref.statut == Referentiel.Statut.BROUILLON
    assert ref.empreinte != first.referentiel.empreinte
    assert Element.objects.get(referentiel=ref, code="4.2.2.e5").texte == (
        "Texte révisé du brouillon."
    )
    assert Critere.objects.get(referentiel=ref, code="5.4").titre == "Titre révisé"
    assert row_counts() == before  # replaced, not added next to the old one
    assert export_canon(ref) == fmt.validate(raw)


def test_a_draft_reimported_unchanged_is_left_alone(tmp_path):
    path = write_yaml(tmp_path, _draft(shipped()))
    first = import_referentiel_file(path)
    second = import_referentiel_file(path)
    assert second.outcome == "unchanged"
    assert second.referentiel.pk == first.referentiel.pk


# ------------------------------------------------------------------- management command


def test_import_command_on_malformed_file_says_nothing_was_written_and_names_the_node(
    referentiel_ml, tmp_path
):
    raw = shipped()
    raw["code"] = "ML-ESSAI"
    _drop_code_of_element_4_2_3_e2(raw)
    path = write_yaml(tmp_path, raw)
    before = row_counts()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_referentiel", str(path), stdout=StringIO())

    message = str(excinfo.value)
    assert "rien n'a été écrit" in message
    assert f"{C_4_2_3} › elements[1] › code" in message
    assert row_counts() == before


def test_import_command_on_changed_published_version_names_the_element(referentiel_ml, tmp_path):
    raw = shipped()
    element(raw, "4.2.2.e5")["texte"] = "Autre texte."
    with pytest.raises(CommandError) as excinfo:
        call_command("import_referentiel", str(write_yaml(tmp_path, raw)), stdout=StringIO())
    assert "rien n'a été écrit" in str(excinfo.value)
    assert NODE_4_2_2_E5 in str(excinfo.value)


# ------------------------------------------------- regressions of defects found (see report)


def test_export_canon_works_on_the_instance_returned_by_import():
    result = import_referentiel_file(FIXTURE)
    assert result.referentiel.date_validation == dt.date(2022, 12, 1)
    assert export_canon(result.referentiel)["date_validation"] == "2022-12-01"
    assert export_referentiel(result.referentiel) == export_referentiel(fresh(result.referentiel))


@pytest.mark.parametrize("reference", [{"code": "autoevaluation"}, ["autoevaluation"]])
def test_scale_reference_that_is_not_a_code_is_a_format_error(tmp_path, reference):
    before = row_counts()
    raw = shipped()
    raw["echelle_autoevaluation"] = reference
    with pytest.raises(ReferentielFormatError) as excinfo:
        import_referentiel_file(write_yaml(tmp_path, raw))
    assert excinfo.value.node == "echelle_autoevaluation"
    assert row_counts() == before


def test_date_validation_with_a_time_is_refused_or_stored_as_its_date(tmp_path):
    before = row_counts()
    raw = shipped()
    raw["date_validation"] = dt.datetime(2022, 12, 1, 10, 0)
    try:
        result = import_referentiel_file(write_yaml(tmp_path, raw))
    except ReferentielFormatError as exc:
        assert exc.node == "date_validation"
        assert row_counts() == before
    else:
        assert fresh(result.referentiel).date_validation == dt.date(2022, 12, 1)


@pytest.mark.parametrize("valeur", [0.125, 1000, -1234.5])
def test_level_value_the_database_cannot_hold_is_refused_or_round_trips(valeur):
    raw = shipped()
    raw["echelles"][0]["niveaux"][0]["valeur"] = valeur
    try:
        canon = fmt.validate(raw)
    except ReferentielFormatError as exc:
        assert exc.node == "echelles[0] « autoevaluation » › niveaux[0] « 1 » › valeur"
        return
    result = import_referentiel(canon)
    assert export_canon(fresh(result.referentiel)) == canon


@pytest.mark.parametrize("valeur", [2.5, -3, 999.99, 0.01])
def test_level_value_with_at_most_two_decimals_round_trips(no_referentiel, valeur):
    raw = shipped()
    raw["echelles"][0]["niveaux"][0]["valeur"] = valeur
    canon = fmt.validate(raw)
    result = import_referentiel(canon)
    assert export_canon(fresh(result.referentiel)) == canon


@pytest.mark.django_db
def test_unquoted_numeric_code_is_refused_instead_of_silently_becoming_another(tmp_path):
    before = row_counts()
    raw = shipped()
    critere(raw, "1.2")["code"] = 1.10  # YAML would read `code: 1.10` as the number 1.1
    with pytest.raises(ReferentielFormatError) as exc:
        import_referentiel_file(write_yaml(tmp_path, raw))
    assert "guillemets" in exc.value.message
    assert exc.value.node.endswith("› code")
    assert row_counts() == before


@pytest.mark.django_db
def test_duplicate_code_message_names_the_code_as_written(tmp_path):
    raw = shipped()
    critere(raw, "5.2")["code"] = "5.1"
    with pytest.raises(ReferentielFormatError) as exc:
        import_referentiel_file(write_yaml(tmp_path, raw))
    assert "code en double « 5.1 »" in exc.value.message
    assert "critere:" not in exc.value.message


@pytest.mark.django_db
def test_blank_list_item_is_named_once(tmp_path):
    raw = shipped()
    raw["valeurs"][2] = "  "
    with pytest.raises(ReferentielFormatError) as exc:
        import_referentiel_file(write_yaml(tmp_path, raw))
    assert exc.value.node == "valeurs[2]"


@pytest.mark.django_db
def test_text_longer_than_the_database_holds_is_refused_with_its_node(tmp_path):
    raw = shipped()
    part(raw, "1")["titre"] = "x" * 301
    with pytest.raises(ReferentielFormatError) as exc:
        import_referentiel_file(write_yaml(tmp_path, raw))
    assert "trop long" in exc.value.message and exc.value.node.endswith("« 1 » › titre")
