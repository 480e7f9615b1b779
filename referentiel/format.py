"""The référentiel file format (YAML): validation into a canonical form, and back.

`validate()` turns a parsed file into a canonical dict (fixed key order, optional keys left out
when empty) or raises `ReferentielFormatError` naming the faulty node. The importer writes the
canonical dict; the exporter rebuilds the same dict from the database, so that
export → import → export is the identity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, NoReturn

import yaml

from labelml.structures.models import Structure

FORMAT_HEADER = (
    "# Référentiel labelml — format décrit dans docs/referentiel-format.md\n"
    "# Une version publiée est immuable : toute modification passe par une nouvelle version.\n"
)

SECTION_CODE = re.compile(r"^\d+(\.\d+)*$")
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

STATUTS = ("brouillon", "publie")
USAGES = ("autoevaluation", "audit")


class ReferentielFormatError(ValueError):
    """A malformed référentiel file. `node` names the faulty node."""

    def __init__(self, node: str, message: str) -> None:
        self.node = node
        self.message = message
        super().__init__(f"{node} : {message}" if node else message)


class _Path:
    """A readable path to a node, e.g. `sections[3] « 4 » › criteres[0] « 4.1.1 » › texte`."""

    def __init__(self, parts: tuple[str, ...] = ()) -> None:
        self.parts = parts

    def key(self, name: str) -> _Path:
        return _Path((*self.parts, name))

    def item(self, name: str, index: int, code: Any = None) -> _Path:
        label = f"{name}[{index}]"
        if isinstance(code, str | int) and str(code).strip():
            label += f" « {code} »"
        return _Path((*self.parts, label))

    def __str__(self) -> str:
        return " › ".join(self.parts) or "(racine du fichier)"


def _fail(path: _Path, message: str) -> NoReturn:
    raise ReferentielFormatError(str(path), message)


def _mapping(value: Any, path: _Path, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(path, "un bloc de clés (mapping) est attendu.")
    unknown = sorted(str(k) for k in value if k not in required | optional)
    if unknown:
        allowed = ", ".join(sorted(required | optional))
        _fail(path, f"clé inconnue « {unknown[0]} » à cet endroit (clés admises : {allowed}).")
    missing = sorted(k for k in required if k not in value or value[k] in (None, ""))
    if missing:
        _fail(path.key(missing[0]), f"le champ obligatoire « {missing[0]} » est manquant.")
    return value


def _text(value: Any, path: _Path, *, multiline: bool = True, max_length: int | None = None) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        _fail(path, "un texte est attendu.")
    text = str(value).strip()
    if not text:
        _fail(path, "le texte est vide.")
    if max_length is not None and len(text) > max_length:
        _fail(path, f"texte trop long ({len(text)} caractères, {max_length} au plus).")
    if multiline:
        # Trailing spaces carry no meaning and YAML block scalars cannot keep them.
        text = "\n".join(line.rstrip() for line in text.splitlines())
    elif "\n" in text:
        _fail(path, "le texte doit tenir sur une ligne.")
    return text


def _list(value: Any, path: _Path, *, allow_empty: bool = False) -> list[Any]:
    if value is None and allow_empty:
        return []
    if not isinstance(value, list):
        _fail(path, "une liste est attendue.")
    if not value and not allow_empty:
        _fail(path, "la liste est vide.")
    return value


def _texts(value: Any, path: _Path) -> list[str]:
    parent, name = _Path(path.parts[:-1]), path.parts[-1]
    return [
        _text(v, parent.item(name, i)) for i, v in enumerate(_list(value, path, allow_empty=True))
    ]


def _code(value: Any, path: _Path, max_length: int) -> str:
    # A code must be written as text: unquoted, YAML reads `1.10` as the number 1.1.
    if not isinstance(value, str):
        if value is None or value == "":
            _fail(path, "le champ obligatoire « code » est manquant.")
        _fail(
            path,
            f'le code {value!r} doit être écrit entre guillemets (texte), p. ex. code: "{value}".',
        )
    return _text(value, path, multiline=False, max_length=max_length)


class _Validator:
    def __init__(self) -> None:
        self.codes: dict[str, str] = {}

    def claim(self, kind: str, code: str, path: _Path) -> None:
        key = f"{kind}:{code}"
        if key in self.codes:
            _fail(path, f"code en double « {code} » (déjà utilisé par {self.codes[key]}).")
        self.codes[key] = str(path)

    def code(
        self, node: dict[str, Any], path: _Path, pattern: re.Pattern[str], max_length: int = 40
    ) -> str:
        code = _code(node.get("code"), path.key("code"), max_length)
        if not pattern.match(code):
            _fail(path.key("code"), f"code « {code} » mal formé.")
        return code

    def run(self, raw: Any) -> dict[str, Any]:
        root = _Path()
        data = _mapping(
            raw,
            root,
            required={
                "code",
                "version",
                "titre",
                "statut",
                "cible",
                "echelles",
                "sections",
                "echelle_autoevaluation",
                "echelle_audit",
            },
            optional={"date_validation", "preambule", "valeurs", "principes"},
        )
        code = self.code(data, root, SLUG)
        version = data["version"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            _fail(root.key("version"), "la version doit être un entier positif.")
        statut = data["statut"]
        if statut not in STATUTS:
            _fail(
                root.key("statut"), f"statut « {statut} » inconnu (attendu : brouillon ou publie)."
            )
        cible = data["cible"]
        if cible not in Structure.Type.values:
            _fail(root.key("cible"), f"type de structure « {cible} » inconnu.")
        date_validation = _date(data.get("date_validation"), root.key("date_validation"))

        echelles = [
            self.echelle(e, root.item("echelles", i, _peek_code(e)))
            for i, e in enumerate(_list(data["echelles"], root.key("echelles")))
        ]
        by_code = {e["code"]: e for e in echelles}
        if len(by_code) != len(echelles):
            dup = next(c for c in by_code if [e["code"] for e in echelles].count(c) > 1)
            _fail(root.key("echelles"), f"code d'échelle en double « {dup} ».")
        refs = {}
        for usage in USAGES:
            key = f"echelle_{usage}"
            ref = data[key]
            if not isinstance(ref, str) or ref not in by_code:
                _fail(
                    root.key(key),
                    f"échelle inconnue « {ref} » (échelles définies : {', '.join(by_code)}).",
                )
            if by_code[ref]["usage"] != usage:
                _fail(root.key(key), f"l'échelle « {ref} » n'est pas une échelle d'usage {usage}.")
            refs[key] = ref

        preambule = []
        for i, bloc in enumerate(
            _list(data.get("preambule"), root.key("preambule"), allow_empty=True)
        ):
            p = root.item("preambule", i, _peek_code(bloc))
            _mapping(bloc, p, {"code", "titre", "texte"}, set())
            preambule.append(
                {
                    "code": self.code(bloc, p, SLUG),
                    "titre": _text(bloc["titre"], p.key("titre"), multiline=False, max_length=300),
                    "texte": _text(bloc["texte"], p.key("texte")),
                }
            )

        sections_raw = _list(data["sections"], root.key("sections"))
        sections = [
            self.section(s, root.item("sections", i, _peek_code(s)), parent=None)
            for i, s in enumerate(sections_raw)
        ]

        canon: dict[str, Any] = {
            "code": code,
            "version": version,
            "titre": _text(data["titre"], root.key("titre"), multiline=False, max_length=300),
            "date_validation": date_validation.isoformat() if date_validation else None,
            "statut": statut,
            "cible": cible,
            **refs,
            "echelles": echelles,
            "preambule": preambule,
            "valeurs": _texts(data.get("valeurs"), root.key("valeurs")),
            "principes": _texts(data.get("principes"), root.key("principes")),
            "sections": sections,
        }
        return _prune(canon)

    def echelle(self, node: Any, path: _Path) -> dict[str, Any]:
        _mapping(node, path, {"code", "usage", "libelle", "niveaux"}, set())
        code = self.code(node, path, SLUG)
        if node["usage"] not in USAGES:
            _fail(
                path.key("usage"),
                f"usage « {node['usage']} » inconnu (attendu : autoevaluation ou audit).",
            )
        niveaux = []
        seen: set[str] = set()
        for i, n in enumerate(_list(node["niveaux"], path.key("niveaux"))):
            p = path.item("niveaux", i, _peek_code(n))
            _mapping(n, p, {"code", "libelle"}, {"valeur", "couleur", "justification_obligatoire"})
            ncode = _code(n["code"], p.key("code"), max_length=40)
            if ncode in seen:
                _fail(p.key("code"), f"code de niveau en double « {ncode} ».")
            seen.add(ncode)
            valeur = n.get("valeur")
            if valeur is not None and (
                isinstance(valeur, bool)
                or not isinstance(valeur, int | float)
                or not _fits_level_value(valeur)
            ):
                _fail(
                    p.key("valeur"),
                    "la valeur doit être un nombre entre -999,99 et 999,99 "
                    "avec au plus deux décimales (ou null).",
                )
            couleur = n.get("couleur") or ""
            if couleur and not COLOUR.match(str(couleur)):
                _fail(p.key("couleur"), f"couleur « {couleur} » invalide (attendu : #rrvvbb).")
            niveaux.append(
                {
                    "code": ncode,
                    "libelle": _text(
                        n["libelle"], p.key("libelle"), multiline=False, max_length=200
                    ),
                    "valeur": _number(valeur),
                    "couleur": couleur or None,
                    "justification_obligatoire": bool(n.get("justification_obligatoire")) or None,
                }
            )
        return {
            "code": code,
            "usage": node["usage"],
            "libelle": _text(node["libelle"], path.key("libelle"), multiline=False, max_length=200),
            "niveaux": niveaux,
        }

    def section(self, node: Any, path: _Path, parent: str | None) -> dict[str, Any]:
        _mapping(node, path, {"code", "titre"}, {"criteres", "sections"})
        code = self.code(node, path, SECTION_CODE, max_length=20)
        if parent is not None and not code.startswith(parent + "."):
            _fail(
                path.key("code"),
                f"la sous-partie « {code} » n'est pas numérotée sous sa "
                f"partie « {parent} » (attendu : {parent}.N).",
            )
        if parent is None and "." in code:
            _fail(path.key("code"), f"« {code} » est une sous-partie placée au premier niveau.")
        self.claim("section", code, path)
        has_criteres = bool(node.get("criteres"))
        has_sections = bool(node.get("sections"))
        if has_criteres == has_sections:
            _fail(
                path,
                "une partie contient soit des critères (criteres), soit des sous-parties "
                "(sections), et jamais les deux ni aucun.",
            )
        out: dict[str, Any] = {
            "code": code,
            "titre": _text(node["titre"], path.key("titre"), multiline=False, max_length=300),
        }
        if has_sections:
            out["sections"] = [
                self.section(s, path.item("sections", i, _peek_code(s)), code)
                for i, s in enumerate(_list(node["sections"], path.key("sections")))
            ]
        else:
            out["criteres"] = [
                self.critere(c, path.item("criteres", i, _peek_code(c)), code)
                for i, c in enumerate(_list(node["criteres"], path.key("criteres")))
            ]
        return out

    def critere(self, node: Any, path: _Path, section: str) -> dict[str, Any]:
        _mapping(
            node, path, {"code", "titre", "elements"}, {"textes_reference", "exemples", "notes"}
        )
        code = self.code(node, path, SECTION_CODE, max_length=20)
        if not code.startswith(section + "."):
            _fail(
                path.key("code"),
                f"le critère « {code} » n'est pas numéroté sous sa partie "
                f"« {section} » (attendu : {section}.N).",
            )
        self.claim("critere", code, path)
        elements = [
            self.element(e, path.item("elements", i, _peek_code(e)), code)
            for i, e in enumerate(_list(node["elements"], path.key("elements")))
        ]
        refs = []
        for i, t in enumerate(
            _list(node.get("textes_reference"), path.key("textes_reference"), allow_empty=True)
        ):
            p = path.item("textes_reference", i)
            _mapping(t, p, {"texte"}, set())
            refs.append({"texte": _text(t["texte"], p.key("texte"))})
        return {
            "code": code,
            "titre": _text(node["titre"], path.key("titre")),
            "elements": elements,
            "textes_reference": refs,
            "exemples": _texts(node.get("exemples"), path.key("exemples")),
            "notes": _texts(node.get("notes"), path.key("notes")),
        }

    def element(self, node: Any, path: _Path, critere: str) -> dict[str, Any]:
        _mapping(
            node, path, {"code", "texte"}, {"sous_elements", "exemples", "sans_objet_autorise"}
        )
        code = _code(node["code"], path.key("code"), max_length=30)
        if not re.fullmatch(re.escape(critere) + r"\.e\d+", code):
            _fail(
                path.key("code"),
                f"l'élément « {code} » n'est pas numéroté sous son critère "
                f"« {critere} » (attendu : {critere}.eN).",
            )
        self.claim("element", code, path)
        sans_objet = node.get("sans_objet_autorise", False)
        if not isinstance(sans_objet, bool):
            _fail(path.key("sans_objet_autorise"), "true ou false attendu.")
        sous = []
        for i, s in enumerate(
            _list(node.get("sous_elements"), path.key("sous_elements"), allow_empty=True)
        ):
            p = path.item("sous_elements", i)
            _mapping(s, p, {"texte"}, {"exemples"})
            sous.append(
                {
                    "texte": _text(s["texte"], p.key("texte")),
                    "exemples": _texts(s.get("exemples"), p.key("exemples")),
                }
            )
        return {
            "code": code,
            "texte": _text(node["texte"], path.key("texte")),
            "sans_objet_autorise": sans_objet or None,
            "sous_elements": sous,
            "exemples": _texts(node.get("exemples"), path.key("exemples")),
        }


def _peek_code(node: Any) -> Any:
    return node.get("code") if isinstance(node, dict) else None


def _date(value: Any, path: _Path) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    _fail(path, "date attendue au format AAAA-MM-JJ (sans heure).")


def _fits_level_value(value: int | float) -> bool:
    """Niveau.valeur is a DecimalField(max_digits=5, decimal_places=2)."""
    number = Decimal(str(value))
    return number.is_finite() and number == number.quantize(Decimal("0.01")) and abs(number) < 1000


def _number(value: Any) -> int | float | None:
    if value is None:
        return None
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _prune(value: Any) -> Any:
    """Drop optional keys whose value is None or an empty list, recursively."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def validate(raw: Any) -> dict[str, Any]:
    return _Validator().run(raw)


def parse(text: str) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else ""
        raise ReferentielFormatError(
            where, f"YAML illisible ({getattr(exc, 'problem', exc)})."
        ) from exc
    return validate(raw)


def fingerprint(canon: dict[str, Any]) -> str:
    payload = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def first_difference(old: Any, new: Any, path: _Path | None = None) -> str | None:
    """Path of the first node that differs between two canonical dicts, or None."""
    path = path or _Path()
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            if key not in old or key not in new:
                return str(path.key(key))
            found = first_difference(old[key], new[key], path.key(key))
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list):
        name = path.parts[-1] if path.parts else ""
        parent = _Path(path.parts[:-1])
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            found = first_difference(a, b, parent.item(name, i, _peek_code(b)))
            if found:
                return found
        if len(old) != len(new):
            return f"{path} (nombre d'entrées : {len(old)} → {len(new)})"
        return None
    return None if old == new else str(path)


def iter_criteres(sections: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for section in sections:
        yield from section.get("criteres", [])
        yield from iter_criteres(section.get("sections", []))


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def dump(canon: dict[str, Any]) -> str:
    body = yaml.dump(canon, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return FORMAT_HEADER + body
