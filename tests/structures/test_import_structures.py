"""`import_structures FILE.csv`: create or update structures, all-or-nothing, errors per line."""

import pytest
from django.core.management import CommandError, call_command

from labelml.structures.models import Structure

pytestmark = pytest.mark.django_db

GOOD = """code;nom;type;region;arml;ville;email
arml-bretagne;ARML Bretagne;arml;53;;Rennes;contact@arml-bretagne.fr
ml-rennes;Mission Locale du Bassin d'emploi de Rennes;mission_locale;Bretagne;arml-bretagne;Rennes;
ml-brest;Mission Locale du Pays de Brest;mission_locale;53;arml-bretagne;Brest;
unml;Union nationale des Missions Locales;unml;;;Paris;
"""


def write(tmp_path, text):
    path = tmp_path / "structures.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_imports_armls_and_their_missions_locales(tmp_path, capsys):
    call_command("import_structures", write(tmp_path, GOOD))
    rennes = Structure.objects.get(code="ml-rennes")
    assert rennes.type == "mission_locale" and rennes.region == "53"  # region given by name
    assert rennes.parent.code == "arml-bretagne"
    assert Structure.objects.count() == 4
    assert "4 créées" in capsys.readouterr().out


def test_reimport_updates_and_reports_unchanged(tmp_path, capsys):
    call_command("import_structures", write(tmp_path, GOOD))
    call_command(
        "import_structures",
        write(tmp_path, GOOD.replace("Pays de Brest", "Pays de Brest et Iroise")),
    )
    out = capsys.readouterr().out
    assert "1 mise à jour, 3 inchangées" in out
    assert Structure.objects.get(code="ml-brest").nom.endswith("Iroise")


def test_a_faulty_line_refuses_the_whole_file_with_line_numbers(tmp_path):
    bad = (
        GOOD
        + "ml-x;Mission Locale X;mission_locale;Atlantide;arml-inconnue;;\n;Sans code;arml;53;;;\n"
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_structures", write(tmp_path, bad))
    message = str(exc.value)
    assert "ligne 6" in message and "Atlantide" in message and "arml-inconnue" in message
    assert "ligne 7" in message and "code manquant" in message
    assert Structure.objects.count() == 0


def test_missing_columns_are_named(tmp_path):
    with pytest.raises(CommandError, match="colonnes manquantes : type, region"):
        call_command("import_structures", write(tmp_path, "code,nom\nx,y\n"))
