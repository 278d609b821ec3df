"""Which agent gets a conversation (SPEC §5.3): a pure function over a snapshot of a skill group.

The desk loads the group's members with their status, load and last
assignment time, and asks `choose_agent`. No I/O and no clock here, so every
strategy is tested with plain tables.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Strategy = Literal["longest_idle", "least_busy", "round_robin", "priority"]
STRATEGIES: tuple[Strategy, ...] = ("longest_idle", "least_busy", "round_robin", "priority")


@dataclass(frozen=True)
class Candidate:
    """One member of a skill group as routing sees it at one moment."""

    agent_id: str
    status: str  # "online" | "away" | "offline"
    load: int  # open conversations: serving + offered to them
    max_concurrent: int
    priority: int  # member priority in the group, 1 (highest) .. 5
    last_assigned_at: datetime | None  # None = never assigned (longest idle of all)


def eligible(candidate: Candidate) -> bool:
    """True when the agent can take a conversation now: online with free capacity."""
    return candidate.status == "online" and candidate.load < candidate.max_concurrent


def anyone_online(candidates: Sequence[Candidate], exclude: Collection[str] = ()) -> bool:
    """True when a member (not excluded) is online, full or not: worth queueing for."""
    return any(c.status == "online" and c.agent_id not in exclude for c in candidates)


def _idle_order(candidate: Candidate) -> tuple[bool, datetime | None, str]:
    # Never assigned sorts first. Two `None`s compare equal and a `None` is
    # never ordered against a time: the leading flag already differs.
    at = candidate.last_assigned_at
    return (at is not None, at, candidate.agent_id)


def choose_agent(
    candidates: Sequence[Candidate],
    strategy: Strategy,
    *,
    preferred: str | None = None,
    exclude: Collection[str] = (),
    round_robin_last: str | None = None,
) -> str | None:
    """The agent to give the next conversation to, or None when nobody is eligible.

    Only eligible candidates (see `eligible`) not in `exclude` count. An
    eligible `preferred` agent wins outright. Otherwise, by `strategy`:

    - `longest_idle`: the oldest `last_assigned_at` (never assigned first);
    - `least_busy`: the fewest open conversations, then longest idle;
    - `priority`: the lowest member priority number, then longest idle;
    - `round_robin`: by `agent_id`, the first eligible agent after
      `round_robin_last`, wrapping around (from the start when there is no
      cursor or it is not a candidate).

    Remaining ties go to the smallest `agent_id`, so the answer never depends
    on the order of `candidates`.
    """
    pool = [c for c in candidates if c.agent_id not in exclude and eligible(c)]
    if not pool:
        return None
    if preferred is not None and any(c.agent_id == preferred for c in pool):
        return preferred
    if strategy == "round_robin":
        return _next_in_turn(candidates, pool, round_robin_last)
    if strategy == "least_busy":
        return min(pool, key=lambda c: (c.load, *_idle_order(c))).agent_id
    if strategy == "priority":
        return min(pool, key=lambda c: (c.priority, *_idle_order(c))).agent_id
    return min(pool, key=_idle_order).agent_id


def _next_in_turn(
    candidates: Sequence[Candidate], pool: Sequence[Candidate], last: str | None
) -> str:
    # The turn runs over every member, eligible or not, so an agent who is
    # away for a moment does not reset the rotation.
    members = sorted({c.agent_id for c in candidates})
    ready = {c.agent_id for c in pool}
    start = members.index(last) + 1 if last in members else 0
    for offset in range(len(members)):
        agent_id = members[(start + offset) % len(members)]
        if agent_id in ready:
            return agent_id
    raise AssertionError("the pool is not empty")  # pragma: no cover
