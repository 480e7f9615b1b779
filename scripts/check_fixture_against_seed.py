#!/usr/bin/env python3
"""One-off check: fixtures/referentiel-ml-2022.yaml is a verbatim transcription
of the seed ../shared/seeds/001_6247309172280f05.txt.

Forward check (seed -> YAML): every bullet line (▶/▷) and every paragraph line
of the seed between "1. La gouvernance" (first body occurrence, after the
Sommaire) and "Chiffres clés", once normalised (bullet glyphs, leading "- ",
markdown ** / * and ^{...} removed, whitespace collapsed), must be found in a
text field of the YAML (same normalisation): equal to a whole field, to one line
of a multi-line field, or to an element / sous-element "texte" followed by its
"exemples" (inline examples are split out of the bullet into "exemples").
Repeated page headers ("1. La gouvernance", "4.2. Accueillir, ...") are not
looked up as text, but their title (number removed) must be a section title.
"TEXTE(S) DE RÉFÉRENCE :" labels are structure, not text: their number must
match the number of criteria carrying "textes_reference".

Reverse check (YAML -> seed): every line of every transcribed text field
(preamble texts, valeurs, principes, sections) must occur in the normalised seed
(nothing invented or rephrased).

Structure check: 5 sections "1".."5", section "4" made of "4.1".."4.4",
24 criteria, counts per (sub)section, sequential criterion / element codes.

--whole also runs the forward check on the preamble parts of the seed
(from the end of the Sommaire to the end of the file).

Usage: python scripts/check_fixture_against_seed.py [--seed PATH] [--fixture PATH] [--whole]
Exit status 0 when everything passes, 1 otherwise.
"""

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = ROOT.parent / "shared" / "seeds" / "001_6247309172280f05.txt"
DEFAULT_FIXTURE = ROOT / "fixtures" / "referentiel-ml-2022.yaml"

EXPECTED_COUNTS = {"1": 2, "2": 4, "3": 4, "4.1": 2, "4.2": 3, "4.3": 3, "4.4": 2, "5": 4}
HEADER_RE = re.compile(r"^\d+(?:\.\d+)*\.\s+(?P<title>.+)$")
REF_LABEL_RE = re.compile(r"^TEXTES? DE RÉFÉRENCE :$")
# Lines of the seed outside the criteria that are deliberately not transcribed
# as text (only used with --whole): document title, heading continuation
# carried by the "chiffres-cles" title, back cover.
WHOLE_MODE_SKIPPED = {
    "Le Référentiel de labellisation des Missions Locales",
    "LE MOT DU PRÉSIDENT",
    "Préambule",
    "Chiffres clés",
    "DU RÉSEAU DES MISSIONS LOCALES EN 2022",
    "Le Référentiel",
    "de labellisation",
    "des Missions",
    "Locales",
}


def norm(text):
    """Normalise one seed line or one YAML text line."""
    s = re.sub(r"\^\{([^}]*)\}", r"\1", text)
    s = s.replace("**", "").replace("*", "")
    s = s.strip()
    s = re.sub(r"^-\s+", "", s)  # markdown list dash
    s = re.sub(r"^[▶▷]\s*", "", s)  # bullet glyph
    return " ".join(s.split())


def norm_block(text):
    return " ".join(norm(line) for line in text.split("\n") if line.strip())


def iter_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from iter_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from iter_strings(v)


def iter_dicts(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from iter_dicts(v)
    elif isinstance(node, list):
        for v in node:
            yield from iter_dicts(v)


def yaml_units(data):
    """Normalised strings a seed line may be equal to."""
    units = set()
    for s in iter_strings(data):
        units.add(norm_block(s))
        for line in s.split("\n"):
            if line.strip():
                units.add(norm(line))
    for d in iter_dicts(data):
        if isinstance(d.get("texte"), str) and d.get("exemples"):
            units.add(" ".join([norm(d["texte"])] + [norm_block(x) for x in d["exemples"]]))
    return units


def iter_criteria(data):
    for sec in data.get("sections") or []:
        for crit in sec.get("criteres") or []:
            yield sec["code"], crit
        for sub in sec.get("sections") or []:
            for crit in sub.get("criteres") or []:
                yield sub["code"], crit


def check_structure(data, errors):
    sections = data.get("sections") or []
    codes = [s.get("code") for s in sections]
    if codes != ["1", "2", "3", "4", "5"]:
        errors.append(f"top-level section codes are {codes}, expected 1..5")
    for sec in sections:
        if sec.get("code") == "4":
            sub_codes = [s.get("code") for s in sec.get("sections") or []]
            if sub_codes != ["4.1", "4.2", "4.3", "4.4"]:
                errors.append(f"section 4 sub-sections are {sub_codes}, expected 4.1..4.4")
            if sec.get("criteres"):
                errors.append("section 4 must hold sub-sections, not criteria")
    counts = {}
    total = 0
    for owner, crit in iter_criteria(data):
        counts[owner] = counts.get(owner, 0) + 1
        total += 1
        expected_code = f"{owner}.{counts[owner]}"
        if crit.get("code") != expected_code:
            errors.append(f"criterion code {crit.get('code')!r}, expected {expected_code!r}")
        for n, el in enumerate(crit.get("elements") or [], 1):
            if el.get("code") != f"{crit.get('code')}.e{n}":
                errors.append(f"element code {el.get('code')!r}, expected {crit.get('code')}.e{n}")
        if not crit.get("elements"):
            errors.append(f"criterion {crit.get('code')} has no elements")
    if total != 24:
        errors.append(f"{total} criteria in total, expected 24")
    if counts != EXPECTED_COUNTS:
        errors.append(f"criteria per (sub)section {counts}, expected {EXPECTED_COUNTS}")
    return counts


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    ap.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
    ap.add_argument(
        "--whole",
        action="store_true",
        help="also check the preamble parts of the seed (outside the criteria)",
    )
    args = ap.parse_args()

    seed_lines = args.seed.read_text(encoding="utf-8").split("\n")
    data = yaml.safe_load(args.fixture.read_text(encoding="utf-8"))
    errors = []

    # ---- range of the criteria in the seed
    try:
        start = seed_lines.index("1. La gouvernance")  # Sommaire line has a page number
        end = seed_lines.index("Chiffres clés", start)
    except ValueError as exc:
        print(f"seed markers not found: {exc}")
        return 1
    ranges = [(start, end)]
    if args.whole:
        sommaire_end = next(
            i for i, line in enumerate(seed_lines) if line.startswith("Chiffres clés du Réseau")
        )
        ranges = [
            (0, sommaire_start(seed_lines)),
            (sommaire_end + 1, start),
            (start, end),
            (end, len(seed_lines)),
        ]

    units = yaml_units(data)
    titles = {norm(s.get("titre", "")) for s in iter_dicts(data.get("sections"))}
    titles |= {norm(p.get("titre", "")) for p in data.get("preambule") or []}
    missing, checked, ref_labels = [], 0, 0
    for a, b in ranges:
        for i in range(a, b):
            raw = seed_lines[i]
            line = norm(raw)
            if not line:
                continue
            if REF_LABEL_RE.match(line):
                if start <= i < end:
                    ref_labels += 1
                continue
            m = HEADER_RE.match(line)
            if m and not raw.lstrip().startswith(("-", "▶", "▷")):
                if norm(m.group("title")) not in titles:
                    missing.append(
                        (i + 1, raw, "page/section header whose title is not a section title")
                    )
                continue
            if args.whole and line in WHOLE_MODE_SKIPPED and not (start <= i < end):
                continue
            checked += 1
            if line not in units:
                missing.append((i + 1, raw, "not found in any YAML text field"))

    with_refs = sum(1 for _, c in iter_criteria(data) if c.get("textes_reference"))
    if ref_labels != with_refs:
        errors.append(
            f"{ref_labels} 'TEXTE(S) DE RÉFÉRENCE' labels in the seed but "
            f"{with_refs} criteria with textes_reference"
        )

    # ---- reverse check: YAML text -> seed
    seed_norm = [norm(line) for line in seed_lines]
    seed_joined = "\n".join(seed_norm)
    transcribed = [p.get("texte", "") for p in data.get("preambule") or []]
    transcribed += list(data.get("valeurs") or []) + list(data.get("principes") or [])
    transcribed += [
        s for s in iter_strings(data.get("sections")) if not re.fullmatch(r"[\d.e]+", s)
    ]
    invented = []
    for s in transcribed:
        for line in s.split("\n"):
            n = norm(line)
            if n and n not in seed_joined:
                invented.append(line)

    counts = check_structure(data, errors)

    # ---- report
    print(f"seed: {args.seed}")
    print(f"fixture: {args.fixture}")
    print(f"seed lines checked: {checked} (criteria range: seed lines {start + 1}-{end})")
    for ln, raw, why in missing:
        print(f"MISSING seed line {ln}: {why}: {raw.strip()}")
    for line in invented:
        print(f"NOT IN SEED (YAML text): {line}")
    for e in errors:
        print(f"STRUCTURE: {e}")
    total = sum(counts.values())
    print(f"criteria: {total} {counts}")
    if missing or invented or errors:
        print(
            f"FAILED: {len(missing)} missing line(s), {len(invented)} YAML line(s) not in seed, "
            f"{len(errors)} structure error(s)"
        )
        return 1
    print("OK: transcription matches the seed")
    return 0


def sommaire_start(lines):
    """Index of the "Sommaire" line (start of the table of contents)."""
    return lines.index("Sommaire")


if __name__ == "__main__":
    sys.exit(main())
