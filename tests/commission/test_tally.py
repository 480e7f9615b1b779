"""Property-based tests of the commission's tally (SPEC §7): for any set of members, recusals and
votes, the outcome follows the rules; a recused member's vote never counts; no quorum, no
decision."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from audits.commission.tally import (
    ABSTENTION,
    AJOURNE,
    CHOICES,
    DEFAVORABLE,
    FAVORABLE,
    FAVORABLE_AVEC_RESERVES,
    LABELLISE,
    LABELLISE_SOUS_RESERVE,
    OUTCOME_OF_CHOICE,
    REFUSE,
    quorum_required,
    tally,
)


@st.composite
def sittings(draw):  # type: ignore[no-untyped-def]
    members = draw(st.sets(st.integers(min_value=1, max_value=40), max_size=25))
    recused = draw(
        st.sets(st.sampled_from(sorted(members)), max_size=len(members))
        if members
        else st.just(set())
    )
    voters = draw(
        st.sets(st.sampled_from(sorted(members)), max_size=len(members))
        if members
        else st.just(set())
    )
    votes = {m: draw(st.sampled_from(CHOICES)) for m in voters}
    return members, recused, votes


@given(sittings())
def test_no_quorum_means_no_decision(sitting):  # type: ignore[no-untyped-def]
    members, recused, votes = sitting
    result = tally(members, recused, votes)
    eligible = members - recused
    participants = len([m for m in votes if m in eligible])
    assert result.eligible == len(eligible)
    assert result.quorum == (bool(eligible) and participants > len(eligible) / 2)
    if not result.quorum:
        assert result.outcome is None


@given(sittings(), st.sampled_from(CHOICES))
def test_a_recused_members_vote_never_counts(sitting, other):  # type: ignore[no-untyped-def]
    members, recused, votes = sitting
    changed = dict(votes)
    for m in recused:
        changed[m] = other  # whatever recused members "vote"...
    assert tally(members, recused, votes) == tally(members, recused, changed)
    without = {m: c for m, c in votes.items() if m not in recused}
    assert tally(members, recused, votes) == tally(members, recused, without)


@given(sittings())
def test_outcome_is_the_majority_of_votes_cast_and_ties_adjourn(sitting):  # type: ignore[no-untyped-def]
    members, recused, votes = sitting
    result = tally(members, recused, votes)
    if not result.quorum:
        return
    eligible = members - recused
    cast = Counter(c for m, c in votes.items() if m in eligible and c != ABSTENTION)
    assert result.counts[ABSTENTION] == sum(
        1 for m, c in votes.items() if m in eligible and c == ABSTENTION
    )
    if not cast:
        assert result.outcome == AJOURNE
        return
    best = max(cast.values())
    leaders = [c for c, n in cast.items() if n == best]
    if len(leaders) > 1:
        assert result.outcome == AJOURNE
    else:
        assert result.outcome == OUTCOME_OF_CHOICE[leaders[0]]
        # The winner has strictly more votes cast than any other option.
        assert all(n < best for c, n in cast.items() if c != leaders[0])


@given(st.integers(min_value=1, max_value=200))
def test_quorum_is_more_than_half(eligible):  # type: ignore[no-untyped-def]
    q = quorum_required(eligible)
    assert q > eligible / 2 and q - 1 <= eligible / 2


def test_examples_read_like_the_rules():
    members = {1, 2, 3, 4, 5}
    assert tally(members, set(), {1: FAVORABLE, 2: FAVORABLE, 3: DEFAVORABLE}).outcome == LABELLISE
    assert tally(members, set(), {1: FAVORABLE, 2: DEFAVORABLE, 3: ABSTENTION}).outcome == AJOURNE
    assert tally(members, set(), {1: FAVORABLE, 2: FAVORABLE}).outcome is None  # 2 of 5: no quorum
    # Member 1 is recused: 4 eligible, 3 participants → quorum.
    result = tally(
        members,
        {1},
        {1: DEFAVORABLE, 2: FAVORABLE_AVEC_RESERVES, 3: ABSTENTION, 4: FAVORABLE_AVEC_RESERVES},
    )
    assert result.quorum and result.outcome == LABELLISE_SOUS_RESERVE
    assert tally(members, set(), {1: DEFAVORABLE, 2: DEFAVORABLE, 3: FAVORABLE}).outcome == REFUSE
    assert tally(members, set(), {1: ABSTENTION, 2: ABSTENTION, 3: ABSTENTION}).outcome == AJOURNE
    assert tally(set(), set(), {}).outcome is None


@given(sittings(), st.integers(min_value=0, max_value=99))
def test_the_quorum_rule_of_the_seance_is_applied(sitting, percent):  # type: ignore[no-untyped-def]
    members, recused, votes = sitting
    result = tally(members, recused, votes, percent)
    eligible = members - recused
    participants = len([m for m in votes if m in eligible])
    assert result.quorum == (bool(eligible) and participants > len(eligible) * percent / 100)
    if not result.quorum:
        assert result.outcome is None
