"""Routing (SPEC §5.3) as plain tables: a snapshot of a skill group in, an agent id out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowdesk.routing import (
    STRATEGIES,
    Candidate,
    Strategy,
    anyone_online,
    choose_agent,
    eligible,
)

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def agent(
    agent_id: str,
    *,
    status: str = "online",
    load: int = 0,
    max_concurrent: int = 5,
    priority: int = 3,
    idle_minutes: int | None = None,
) -> Candidate:
    """A member; `idle_minutes` is how long ago they were last assigned (None: never)."""
    last = None if idle_minutes is None else NOON - timedelta(minutes=idle_minutes)
    return Candidate(agent_id, status, load, max_concurrent, priority, last)


# ------------------------------------------------------------------ eligible


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        pytest.param(agent("a"), True, id="online-idle"),
        pytest.param(agent("a", load=4, max_concurrent=5), True, id="one-slot-left"),
        pytest.param(agent("a", load=5, max_concurrent=5), False, id="full"),
        pytest.param(agent("a", load=7, max_concurrent=5), False, id="over-capacity"),
        pytest.param(agent("a", max_concurrent=0), False, id="zero-capacity"),
        pytest.param(agent("a", status="away"), False, id="away"),
        pytest.param(agent("a", status="offline"), False, id="offline"),
    ],
)
def test_eligible(candidate: Candidate, expected: bool) -> None:
    assert eligible(candidate) is expected


# ------------------------------------------------------------------ strategies

MIXED = [
    agent("ann", load=2, priority=2, idle_minutes=5),
    agent("bob", load=1, priority=3, idle_minutes=30),
    agent("cat", load=3, priority=1, idle_minutes=10),
    agent("dan", load=0, priority=4, idle_minutes=1),
]


@pytest.mark.parametrize(
    ("strategy", "candidates", "chosen"),
    [
        # longest_idle
        pytest.param("longest_idle", MIXED, "bob", id="longest_idle-oldest-assignment"),
        pytest.param(
            "longest_idle",
            [agent("a", idle_minutes=90), agent("b"), agent("c", idle_minutes=5)],
            "b",
            id="longest_idle-never-assigned-first",
        ),
        pytest.param(
            "longest_idle",
            [agent("c"), agent("b"), agent("a", idle_minutes=600)],
            "b",
            id="longest_idle-two-never-assigned-tie-by-id",
        ),
        pytest.param(
            "longest_idle",
            [agent("z", idle_minutes=7), agent("m", idle_minutes=7)],
            "m",
            id="longest_idle-same-time-tie-by-id",
        ),
        # least_busy
        pytest.param("least_busy", MIXED, "dan", id="least_busy-fewest-open"),
        pytest.param(
            "least_busy",
            [agent("a", load=1, idle_minutes=1), agent("b", load=1, idle_minutes=9)],
            "b",
            id="least_busy-tie-longest-idle",
        ),
        pytest.param(
            "least_busy",
            [agent("b", load=1, idle_minutes=4), agent("a", load=1, idle_minutes=4)],
            "a",
            id="least_busy-tie-by-id",
        ),
        pytest.param(
            "least_busy",
            [agent("a", load=0, max_concurrent=0), agent("b", load=3)],
            "b",
            id="least_busy-empty-but-no-capacity",
        ),
        # priority
        pytest.param("priority", MIXED, "cat", id="priority-lowest-number"),
        pytest.param(
            "priority",
            [agent("a", priority=1, idle_minutes=2), agent("b", priority=1, idle_minutes=20)],
            "b",
            id="priority-tie-longest-idle",
        ),
        pytest.param(
            "priority",
            [agent("b", priority=2), agent("a", priority=2)],
            "a",
            id="priority-tie-by-id",
        ),
        pytest.param(
            "priority",
            [agent("top", priority=1, load=5), agent("next", priority=2, load=4)],
            "next",
            id="priority-top-is-full",
        ),
        # every strategy skips away / offline members
        pytest.param(
            "longest_idle",
            [agent("a", status="away"), agent("b", status="offline"), agent("c", idle_minutes=1)],
            "c",
            id="longest_idle-skips-away-and-offline",
        ),
        pytest.param(
            "least_busy",
            [agent("a", status="away", load=0), agent("b", load=4)],
            "b",
            id="least_busy-skips-away",
        ),
        pytest.param(
            "priority",
            [agent("a", status="offline", priority=1), agent("b", priority=5)],
            "b",
            id="priority-skips-offline",
        ),
    ],
)
def test_strategy(strategy: Strategy, candidates: list[Candidate], chosen: str) -> None:
    assert choose_agent(candidates, strategy) == chosen
    # The answer never depends on the order the desk listed the members in.
    assert choose_agent(list(reversed(candidates)), strategy) == chosen


# ------------------------------------------------------------------ round robin

TEAM = [agent("cat"), agent("ann"), agent("bob"), agent("dan")]


@pytest.mark.parametrize(
    ("candidates", "last", "chosen"),
    [
        pytest.param(TEAM, None, "ann", id="no-cursor-starts-at-first-id"),
        pytest.param(TEAM, "ann", "bob", id="next-after-cursor"),
        pytest.param(TEAM, "cat", "dan", id="next-after-cursor-not-listed-order"),
        pytest.param(TEAM, "dan", "ann", id="wraps-around"),
        pytest.param(TEAM, "zed", "ann", id="unknown-cursor-starts-over"),
        pytest.param(
            [agent("ann"), agent("bob", status="away"), agent("cat")],
            "ann",
            "cat",
            id="skips-away-member",
        ),
        pytest.param(
            [agent("ann"), agent("bob", load=5), agent("cat", status="offline")],
            "ann",
            "ann",
            id="wraps-back-to-the-cursor-itself",
        ),
        pytest.param(
            [agent("ann"), agent("bob", status="offline"), agent("cat")],
            "bob",
            "cat",
            id="cursor-on-an-ineligible-member-keeps-the-turn",
        ),
        pytest.param(
            [agent("ann", load=1), agent("bob", load=4, idle_minutes=1)],
            "ann",
            "bob",
            id="ignores-load-and-idle-time",
        ),
    ],
)
def test_round_robin(candidates: list[Candidate], last: str | None, chosen: str) -> None:
    assert choose_agent(candidates, "round_robin", round_robin_last=last) == chosen


def test_round_robin_cursor_on_an_excluded_member_keeps_the_turn() -> None:
    chosen = choose_agent(TEAM, "round_robin", exclude={"bob"}, round_robin_last="bob")
    assert chosen == "cat"


def test_round_robin_turns_through_everyone() -> None:
    last = None
    seen = []
    for _ in range(len(TEAM) * 2):
        last = choose_agent(TEAM, "round_robin", round_robin_last=last)
        seen.append(last)
    assert seen == ["ann", "bob", "cat", "dan"] * 2


# ------------------------------------------------------------------ preferred and exclusion

GROUP = [
    agent("ann", idle_minutes=60),
    agent("bob", idle_minutes=5),
    agent("full", load=5, idle_minutes=90),
    agent("gone", status="offline"),
    agent("away", status="away"),
]


@pytest.mark.parametrize(
    ("preferred", "exclude", "chosen"),
    [
        pytest.param("bob", (), "bob", id="eligible-preferred-wins"),
        pytest.param("ann", (), "ann", id="preferred-who-would-win-anyway"),
        pytest.param("full", (), "ann", id="preferred-at-capacity-falls-back"),
        pytest.param("gone", (), "ann", id="preferred-offline-falls-back"),
        pytest.param("away", (), "ann", id="preferred-away-falls-back"),
        pytest.param("bob", ("bob",), "ann", id="preferred-but-excluded-falls-back"),
        pytest.param("stranger", (), "ann", id="preferred-not-a-member-falls-back"),
        pytest.param(None, ("ann",), "bob", id="exclusion-skips-the-best"),
        pytest.param(None, ("ann", "bob"), None, id="everyone-eligible-excluded"),
    ],
)
def test_preferred_and_exclusion(
    preferred: str | None, exclude: Sequence[str], chosen: str | None
) -> None:
    for strategy in STRATEGIES:
        assert choose_agent(GROUP, strategy, preferred=preferred, exclude=exclude) == chosen, (
            strategy
        )


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_preferred_beats_every_strategy(strategy: Strategy) -> None:
    candidates = [
        agent("a", load=0, priority=1),
        agent("z", load=4, priority=5, idle_minutes=0),
    ]
    assert choose_agent(candidates, strategy, preferred="z", round_robin_last="z") == "z"


# ------------------------------------------------------------------ nobody


@pytest.mark.parametrize(
    "candidates",
    [
        pytest.param([], id="empty-group"),
        pytest.param([agent("a", status="offline"), agent("b", status="away")], id="none-online"),
        pytest.param([agent("a", load=5), agent("b", load=2, max_concurrent=2)], id="all-full"),
    ],
)
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_nobody_eligible(candidates: list[Candidate], strategy: Strategy) -> None:
    assert choose_agent(candidates, strategy, preferred="a", round_robin_last="a") is None


@pytest.mark.parametrize(
    ("candidates", "exclude", "expected"),
    [
        pytest.param([], (), False, id="empty-group"),
        pytest.param(
            [agent("a", status="away"), agent("b", status="offline")],
            (),
            False,
            id="away-and-offline",
        ),
        pytest.param([agent("a", load=5)], (), True, id="online-but-full-counts"),
        pytest.param(
            [agent("a"), agent("b", status="away")], ("a",), False, id="only-online-member-excluded"
        ),
        pytest.param([agent("a"), agent("b")], ("a",), True, id="another-online"),
    ],
)
def test_anyone_online(candidates: list[Candidate], exclude: Sequence[str], expected: bool) -> None:
    assert anyone_online(candidates, exclude) is expected


# ------------------------------------------------------------------ property

ids = st.sampled_from(["a", "b", "c", "d", "e", "f"])
candidates_st = st.lists(
    st.builds(
        Candidate,
        agent_id=ids,
        status=st.sampled_from(["online", "away", "offline"]),
        load=st.integers(0, 6),
        max_concurrent=st.integers(0, 5),
        priority=st.integers(1, 5),
        last_assigned_at=st.none()
        | st.integers(0, 10_000).map(lambda m: NOON - timedelta(minutes=m)),
    ),
    max_size=8,
    unique_by=lambda c: c.agent_id,
)


@given(
    candidates_st,
    st.sampled_from(STRATEGIES),
    st.none() | ids,
    st.frozensets(ids, max_size=3),
    st.none() | ids,
)
def test_the_chosen_agent_is_always_eligible(
    candidates: list[Candidate],
    strategy: Strategy,
    preferred: str | None,
    exclude: frozenset[str],
    last: str | None,
) -> None:
    chosen = choose_agent(
        candidates, strategy, preferred=preferred, exclude=exclude, round_robin_last=last
    )
    available = {c.agent_id for c in candidates if eligible(c) and c.agent_id not in exclude}
    if chosen is None:
        assert not available
    else:
        assert chosen in available
        if preferred in available:
            assert chosen == preferred
