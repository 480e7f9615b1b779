"""The three exported datasets (SPEC §9) and their two formats.

Every dataset starts from `labelml.pilotage.scope.dossiers_in_scope` (the scope and the dashboard
filters) and reads its rows with one query, through `.values()` and a server-side iterator:
the query count does not grow with the data, and memory stays flat for the 43 000 answers of a
national campaign. CSV is streamed by the view (`csv_chunks`); XLSX is written by a Celery task
(`write_xlsx`, openpyxl in write-only mode).

Spreadsheet safety: a text cell that starts with = + - @ or a tab/carriage return would be run
as a formula by Excel or LibreOffice (CSV/formula injection); it gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import Avg, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from audits.commission.models import Decision, Label
from audits.models import GAP_CODES, Audit, Constat
from campagnes.autoevaluations.models import Reponse
from campagnes.autoevaluations.selectors import rated_q
from campagnes.models import Campagne, Dossier
from labelml.structures.models import Region

CHUNK_SIZE = 2000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Control characters a worksheet cannot hold (openpyxl refuses them).
ILLEGAL_XLSX_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 18


@dataclass(frozen=True)
class Dataset:
    code: str
    label: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[QuerySet[Dossier]], Iterator[Row]]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


# --- values ----------------------------------------------------------------------------------


def _region(code: str | None) -> str:
    if code and code in Region.values:
        return str(Region(code).label)
    return code or ""


def _label(choices: Any, value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# What a spreadsheet skips before reading a formula: whitespace of every kind (space, no-break
# space, line feed, carriage return, tab…) and the invisible format characters.
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"


def _lead_stripped(text: str) -> str:
    i = 0
    while i < len(text) and (text[i].isspace() or text[i] in INVISIBLE):
        i += 1
    return text[i:]


def neutralise(text: str) -> str:
    """A cell a spreadsheet would evaluate as a formula is kept as text, also when the formula
    hides behind leading whitespace or invisible characters."""
    if text.startswith(FORMULA_TRIGGERS) or _lead_stripped(text).startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    """French spreadsheet conventions: decimal comma, day/month/year dates, Oui/Non."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))


def xlsx_cell(value: Any) -> Any:
    """Numbers and dates stay typed; text is neutralised and cleaned of control characters."""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if value is None or isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the Paris wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    return neutralise(ILLEGAL_XLSX_CHARS.sub("", str(value)))


# --- datasets --------------------------------------------------------------------------------


def _subquery(qs: QuerySet[Any], field: str, output: Any = None) -> Subquery:
    return Subquery(qs.values(field)[:1], output_field=output)


def _dossier_rows(dossiers: QuerySet[Dossier]) -> Iterator[Row]:
    reponses = Reponse.objects.filter(autoevaluation__dossier=OuterRef("pk")).order_by()
    per_dossier = reponses.values("autoevaluation__dossier")
    total = per_dossier.annotate(n=Count("pk")).values("n")
    rated = per_dossier.annotate(n=Count("pk", filter=rated_q())).values("n")
    mean = per_dossier.annotate(
        m=Avg("niveau__valeur", filter=rated_q() & Q(niveau__valeur__isnull=False))
    ).values("m")
    decision = Decision.objects.filter(dossier=OuterRef("pk")).order_by("-decide_le", "-pk")
    label = Label.objects.filter(decision__dossier=OuterRef("pk")).order_by("-date_debut", "-pk")
    qs = (
        dossiers.order_by("structure__nom", "pk")
        .annotate(
            total=Coalesce(Subquery(total, output_field=IntegerField()), 0),
            rated=Coalesce(Subquery(rated, output_field=IntegerField()), 0),
            mean=Subquery(mean),
            decision=_subquery(decision, "resultat"),
            decision_le=_subquery(decision, "decide_le"),
            label_numero=_subquery(label, "numero"),
            label_debut=_subquery(label, "date_debut"),
            label_fin=_subquery(label, "date_fin"),
            label_statut=_subquery(label, "statut"),
        )
        .values(
            "structure__nom",
            "structure__code",
            "structure__region",
            "structure__parent__nom",
            "statut",
            "created_at",
            "updated_at",
            "total",
            "rated",
            "mean",
            "audit__statut",
            "audit__date_debut",
            "audit__recommandation",
            "decision",
            "decision_le",
            "label_numero",
            "label_debut",
            "label_fin",
            "label_statut",
        )
    )
    today = timezone.localdate()
    for d in qs.iterator(chunk_size=CHUNK_SIZE):
        validated = d["audit__statut"] == Audit.Statut.VALIDE
        mean_value = d["mean"]
        label_statut = _label(Label.Statut, d["label_statut"])
        if d["label_statut"] == Label.Statut.VALIDE and d["label_fin"] and d["label_fin"] < today:
            label_statut = "Expiré"
        yield (
            d["structure__nom"],
            d["structure__code"],
            _region(d["structure__region"]),
            d["structure__parent__nom"] or "",
            _label(Dossier.Statut, d["statut"]),
            timezone.localdate(d["created_at"]) if d["created_at"] else None,
            d["updated_at"],
            d["rated"],
            d["total"],
            round(100 * d["rated"] / d["total"]) if d["total"] else 0,
            Decimal(str(mean_value)).quantize(Decimal("0.01")) if mean_value is not None else None,
            _label(Audit.Statut, d["audit__statut"]),
            d["audit__date_debut"],
            # Before the lead auditor validates it, the report belongs to the auditing body.
            _label(Audit.Recommandation, d["audit__recommandation"]) if validated else "",
            _label(Decision.Resultat, d["decision"]),
            d["decision_le"],
            d["label_numero"] or "",
            d["label_debut"],
            d["label_fin"],
            label_statut,
        )


def _answer_rows(dossiers: QuerySet[Dossier]) -> Iterator[Row]:
    qs = (
        Reponse.objects.filter(autoevaluation__dossier__in=dossiers.values("pk"))
        .order_by(
            "autoevaluation__dossier__structure__nom",
            "autoevaluation__dossier_id",
            "element__ordre",
        )
        .values(
            "autoevaluation__dossier__structure__nom",
            "autoevaluation__dossier__structure__code",
            "autoevaluation__dossier__structure__region",
            "element__critere__code",
            "element__code",
            "element__texte",
            "niveau__libelle",
            "niveau__valeur",
            "justification",
            "a_confirmer",
            "updated_at",
        )
    )
    for r in qs.iterator(chunk_size=CHUNK_SIZE):
        rated = r["niveau__libelle"] is not None
        yield (
            r["autoevaluation__dossier__structure__nom"],
            r["autoevaluation__dossier__structure__code"],
            _region(r["autoevaluation__dossier__structure__region"]),
            r["element__critere__code"],
            r["element__code"],
            r["element__texte"],
            r["niveau__libelle"] or "",
            r["niveau__valeur"],
            r["justification"],
            rated and r["a_confirmer"],
            r["updated_at"],
        )


def _finding_rows(dossiers: QuerySet[Dossier]) -> Iterator[Row]:
    # Only validated reports: before that the findings are the auditing body's draft.
    qs = (
        Constat.objects.filter(
            audit__dossier__in=dossiers.values("pk"), audit__statut=Audit.Statut.VALIDE
        )
        .order_by("audit__dossier__structure__nom", "audit__dossier_id", "critere__ordre")
        .annotate(structure_nom=F("audit__dossier__structure__nom"))
        .values(
            "structure_nom",
            "audit__dossier__structure__code",
            "audit__dossier__structure__region",
            "critere__code",
            "critere__titre",
            "niveau__code",
            "niveau__libelle",
            "observation",
            "preuves_examinees",
            "reponse_ecart__action_corrective",
            "reponse_ecart__preuves",
            "reponse_ecart__envoye_le",
        )
    )
    for c in qs.iterator(chunk_size=CHUNK_SIZE):
        gap = c["niveau__code"] in GAP_CODES
        answered = c["reponse_ecart__action_corrective"] is not None
        yield (
            c["structure_nom"],
            c["audit__dossier__structure__code"],
            _region(c["audit__dossier__structure__region"]),
            c["critere__code"],
            c["critere__titre"],
            c["niveau__libelle"] or "",
            c["observation"],
            c["preuves_examinees"],
            gap,
            c["reponse_ecart__action_corrective"] or "",
            c["reponse_ecart__preuves"] or "",
            (c["reponse_ecart__envoye_le"] is not None) if gap or answered else None,
            c["reponse_ecart__envoye_le"],
        )


DATASETS: dict[str, Dataset] = {
    d.code: d
    for d in [
        Dataset(
            code="dossiers",
            label="Dossiers",
            description="Une ligne par dossier : structure, état, avancement et moyenne de "
            "l'auto-évaluation, évaluation externe, décision et label.",
            columns=(
                Column("Structure", 40),
                Column("Code", 14),
                Column("Région", 24),
                Column("ARML", 32),
                Column("État du dossier", 26),
                Column("Ouvert le", 12),
                Column("Dernière mise à jour", 18),
                Column("Éléments évalués", 10),
                Column("Éléments à évaluer", 10),
                Column("Avancement de l'auto-évaluation (%)", 12),
                Column("Moyenne de l'auto-évaluation (1 à 4)", 12),
                Column("Évaluation externe", 26),
                Column("Début de l'évaluation sur site", 12),
                Column("Recommandation de l'évaluateur", 16),
                Column("Décision de la commission", 22),
                Column("Date de la décision", 18),
                Column("N° de label", 18),
                Column("Label valable du", 12),
                Column("Label valable jusqu'au", 12),
                Column("Statut du label", 12),
            ),
            rows=_dossier_rows,
        ),
        Dataset(
            code="reponses",
            label="Réponses de l'auto-évaluation",
            description="Une ligne par élément d'appréciation et par dossier : niveau et "
            "justification.",
            columns=(
                Column("Structure", 40),
                Column("Code structure", 14),
                Column("Région", 24),
                Column("Critère", 8),
                Column("Élément", 10),
                Column("Élément d'appréciation", 60),
                Column("Niveau", 26),
                Column("Valeur", 8),
                Column("Justification", 80),
                Column("À confirmer", 10),
                Column("Mis à jour le", 18),
            ),
            rows=_answer_rows,
        ),
        Dataset(
            code="constats",
            label="Constats de l'évaluation externe",
            description="Une ligne par critère des rapports validés : niveau constaté, "
            "observation, preuves examinées et réponse de la structure aux écarts.",
            columns=(
                Column("Structure", 40),
                Column("Code structure", 14),
                Column("Région", 24),
                Column("Critère", 8),
                Column("Intitulé du critère", 60),
                Column("Niveau constaté", 20),
                Column("Observation", 80),
                Column("Preuves examinées", 60),
                Column("Écart", 8),
                Column("Action corrective", 60),
                Column("Preuves apportées", 40),
                Column("Réponse envoyée", 10),
                Column("Envoyée le", 18),
            ),
            rows=_finding_rows,
        ),
    ]
}


# --- formats ---------------------------------------------------------------------------------


def export_filename(dataset: str, campagne: Campagne | None, region: str | None, ext: str) -> str:
    parts = [dataset, slugify(campagne.nom) if campagne else "aucune-campagne"]
    if region:
        parts.append(slugify(_region(region)))
    parts.append(timezone.localdate().strftime("%Y-%m-%d"))
    return "-".join(p for p in parts if p)[:180] + f".{ext}"


class _Echo:
    """A file-like object whose write returns what it is given (csv.writer into a stream)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(
    dataset: Dataset, dossiers: QuerySet[Dossier], rows_per_chunk: int = 500
) -> Iterator[str]:
    """UTF-8 with a byte-order mark and `;` separators: what Excel in French opens as columns."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([neutralise(h) for h in dataset.headers])
    buffer: list[str] = []
    for row in dataset.rows(dossiers):
        buffer.append(writer.writerow([csv_cell(v) for v in row]))
        if len(buffer) >= rows_per_chunk:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def write_xlsx(dataset: Dataset, rows: Iterable[Row], out: IO[bytes], title: str) -> int:
    """Write the rows into `out` with openpyxl in write-only mode (rows go to disk as they come,
    memory stays flat). Returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for i, column in enumerate(dataset.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    header = []
    for h in dataset.headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        cell.alignment = wrap
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        values = []
        for value in row:
            v = xlsx_cell(value)
            if isinstance(v, dt.datetime):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "DD/MM/YYYY HH:MM"
                values.append(cell)
            elif isinstance(v, dt.date):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "DD/MM/YYYY"
                values.append(cell)
            else:
                values.append(v)
        ws.append(values)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(dataset.columns))}{count + 1}"
    wb.save(out)
    return count
