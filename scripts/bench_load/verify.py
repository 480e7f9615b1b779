"""After the load: are all the acknowledged saves in the database?

`python -m scripts.bench_load.verify RESULTS.json` (run by run.py in the bench database, the
server stopped) prints one JSON object: {"lost_saves": n, "checked": n, "examples": [...]}.
A self-assessment answer's save must have its `Saisie` history row (value and version) and the
answer's row must be at least at the acknowledged version, holding the last value saved of each
field; a finding (no history table) must be at least at the acknowledged version and hold the
last value saved of each field."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from scripts.bench_load.analysis import Ack, lost_saves


def check(attempts: list[Ack]) -> dict[str, Any]:
    from audits.models import Constat
    from campagnes.autoevaluations.models import Reponse, Saisie

    reponse_pks = {a.pk for a in attempts if a.kind == "reponse"}
    constat_pks = {a.pk for a in attempts if a.kind == "constat"}
    history = {
        ("reponse", pk, champ, valeur, version)
        for pk, champ, valeur, version in Saisie.objects.filter(
            reponse_id__in=reponse_pks
        ).values_list("reponse_id", "champ", "valeur", "version")
    }
    final: dict[tuple[str, int], tuple[int, dict[str, str]]] = {}
    for pk, version, niveau_id, justification in Reponse.objects.filter(
        pk__in=reponse_pks
    ).values_list("pk", "version", "niveau_id", "justification"):
        final[("reponse", pk)] = (
            version,
            {"niveau": str(niveau_id or ""), "justification": justification},
        )
    for pk, version, niveau_id, observation, preuves in Constat.objects.filter(
        pk__in=constat_pks
    ).values_list("pk", "version", "niveau_id", "observation", "preuves_examinees"):
        final[("constat", pk)] = (
            version,
            {
                "niveau": str(niveau_id or ""),
                "observation": observation,
                "preuves_examinees": preuves,
            },
        )
    lost = lost_saves(attempts, history, final)
    return {
        "lost_saves": len(lost),
        "checked": sum(1 for a in attempts if a.acked),
        "examples": [a.__dict__ for a in lost[:5]],
    }


def main(path: str) -> None:
    import django

    django.setup()
    data = json.loads(Path(path).read_text("utf-8"))
    attempts = [Ack(*row) for row in data["attempts"]]
    print(json.dumps(check(attempts)))


if __name__ == "__main__":
    main(sys.argv[1])
