"""The commission's vote count (SPEC §7), as a pure function so that it can be proven with
property-based tests.

- Recused members neither vote nor count in the quorum of that dossier.
- Quorum: more than half of the eligible (non-recused) members took part in the vote
  (a vote or an abstention). No quorum, no decision.
- Outcome: the option with the most votes cast; abstentions are not cast. A tie between the
  leading options, or no vote cast at all, gives `ajourne`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

FAVORABLE = "favorable"
FAVORABLE_AVEC_RESERVES = "favorable_avec_reserves"
DEFAVORABLE = "defavorable"
ABSTENTION = "abstention"
CHOICES = (FAVORABLE, FAVORABLE_AVEC_RESERVES, DEFAVORABLE, ABSTENTION)

LABELLISE = "labellise"
LABELLISE_SOUS_RESERVE = "labellise_sous_reserve"
AJOURNE = "ajourne"
REFUSE = "refuse"

OUTCOME_OF_CHOICE = {
    FAVORABLE: LABELLISE,
    FAVORABLE_AVEC_RESERVES: LABELLISE_SOUS_RESERVE,
    DEFAVORABLE: REFUSE,
}


@dataclass(frozen=True)
class Tally:
    eligible: int
    participants: int
    counts: dict[str, int]
    quorum: bool
    outcome: str | None  # None when there is no quorum: no decision possible

    @property
    def cast(self) -> int:
        return sum(n for choice, n in self.counts.items() if choice != ABSTENTION)


def quorum_required(eligible: int, percent: int = 50) -> int:
    """Strictly more than `percent` % of the eligible members (default: more than half)."""
    return eligible * percent // 100 + 1


def tally(
    members: Iterable[int], recused: Iterable[int], votes: Mapping[int, str], percent: int = 50
) -> Tally:
    members = set(members)
    eligible = members - set(recused)
    # Only eligible members' votes count, whatever was stored.
    valid = {m: c for m, c in votes.items() if m in eligible and c in CHOICES}
    counts = Counter(valid.values())
    counts_full = {c: counts.get(c, 0) for c in CHOICES}
    participants = len(valid)
    has_quorum = bool(eligible) and participants >= quorum_required(len(eligible), percent)
    if not has_quorum:
        return Tally(len(eligible), participants, counts_full, False, None)
    cast = {c: n for c, n in counts_full.items() if c != ABSTENTION and n > 0}
    if not cast:
        return Tally(len(eligible), participants, counts_full, True, AJOURNE)
    best = max(cast.values())
    leaders = [c for c, n in cast.items() if n == best]
    outcome = OUTCOME_OF_CHOICE[leaders[0]] if len(leaders) == 1 else AJOURNE
    return Tally(len(eligible), participants, counts_full, True, outcome)
