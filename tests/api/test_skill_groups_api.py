"""Skill groups through the admin API (SPEC §1, §5, §7): CRUD, members, what refuses a delete."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from flowdesk.storage.models import Conversation, SkillGroupMember, new_id
from tests.support import Server, assert_error

API = "/api/v1"
PASSWORD = "agent-password-1"


async def create_user(server: Server, name: str, role: str = "agent") -> str:
    response = await server.client.post(
        f"{API}/users",
        json={
            "email": f"{name.lower()}@example.com",
            "password": PASSWORD,
            "display_name": name,
            "role": role,
        },
        headers=server.admin,
    )
    assert response.status_code == 201, response.text
    user_id: str = response.json()["id"]
    return user_id


async def create(server: Server, **body: Any) -> dict[str, Any]:
    response = await server.client.post(f"{API}/skill-groups", json=body, headers=server.admin)
    assert response.status_code == 201, response.text
    group: dict[str, Any] = response.json()
    return group


async def patch(server: Server, group_id: str, **body: Any) -> dict[str, Any]:
    response = await server.client.patch(
        f"{API}/skill-groups/{group_id}", json=body, headers=server.admin
    )
    assert response.status_code == 200, response.text
    group: dict[str, Any] = response.json()
    return group


async def get(server: Server, group_id: str) -> dict[str, Any]:
    response = await server.client.get(f"{API}/skill-groups/{group_id}", headers=server.admin)
    assert response.status_code == 200, response.text
    group: dict[str, Any] = response.json()
    return group


async def list_groups(server: Server) -> list[dict[str, Any]]:
    response = await server.client.get(f"{API}/skill-groups", headers=server.admin)
    assert response.status_code == 200, response.text
    groups: list[dict[str, Any]] = response.json()["skill_groups"]
    return groups


def members(group: dict[str, Any]) -> list[tuple[str, int]]:
    return [(m["display_name"], m["priority"]) for m in group["members"]]


@contextmanager
def count_selects(server: Server) -> Iterator[list[str]]:
    """The SELECT statements the app runs inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement: str = args[2]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    engines = {server.rt.db.read_engine.sync_engine, server.rt.db.write_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


async def insert_conversation(server: Server, group_id: str, state: str) -> str:
    """A conversation in `state` for the group, written directly: no public API queues one yet."""
    channel = await server.client.post(
        f"{API}/channels", json={"name": "Web", "type": "api"}, headers=server.admin
    )
    assert channel.status_code == 201, channel.text
    conversation_id = new_id("cnv")
    async with server.rt.db.write() as session:
        session.add(
            Conversation(
                id=conversation_id,
                channel_id=channel.json()["id"],
                customer_id=f"customer-{conversation_id}",
                flow_id="flw_unused",
                flow_version=1,
                state=state,
                flow_state={},
                skill_group_id=group_id,
                queued_at=server.clock.now(),
                started_at=server.clock.now(),
                updated_at=server.clock.now(),
            )
        )
    return conversation_id


async def set_state(server: Server, conversation_id: str, state: str) -> None:
    async with server.rt.db.write() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.state = state


def transfer_flow(skill_group_id: str) -> dict[str, Any]:
    """start → transfer → end on every port."""
    return {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "human", "type": "transfer", "config": {"skill_group_id": skill_group_id}},
            {"id": "bye", "type": "end", "config": {"text": "Bye"}},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "human"},
            {"source": "human", "port": "done", "target": "bye"},
            {"source": "human", "port": "no_agent", "target": "bye"},
            {"source": "human", "port": "timeout", "target": "bye"},
        ],
    }


async def test_create_with_defaults_then_get_and_list(server: Server) -> None:
    group = await create(server, name="Sales")
    assert group["id"].startswith("sgp_")
    assert {k: v for k, v in group.items() if k not in {"id", "created_at", "updated_at"}} == {
        "name": "Sales",
        "strategy": "longest_idle",
        "reception": "auto",
        "offer_timeout_seconds": 30,
        "max_queue": None,
        "routing_url": None,
        "members": [],
    }
    assert group["created_at"] == group["updated_at"]
    assert group["created_at"].endswith("Z")
    assert await get(server, group["id"]) == group
    assert await list_groups(server) == [group]


async def test_create_with_every_field_and_members_in_order(server: Server) -> None:
    carol = await create_user(server, "Carol")
    alice = await create_user(server, "Alice")
    bob = await create_user(server, "Bob")
    admin = await create_user(server, "Zed", role="admin")  # any role may be a member
    group = await create(
        server,
        name="Support",
        strategy="priority",
        reception="manual",
        offer_timeout_seconds=45,
        max_queue=0,
        members=[
            {"user_id": carol, "priority": 2},
            {"user_id": admin, "priority": 1},
            {"user_id": bob},
            {"user_id": alice, "priority": 2},
        ],
    )
    assert (group["strategy"], group["reception"]) == ("priority", "manual")
    assert (group["offer_timeout_seconds"], group["max_queue"]) == (45, 0)
    # By priority (1 first), then by display name.
    assert members(group) == [("Zed", 1), ("Alice", 2), ("Carol", 2), ("Bob", 3)]
    assert group["members"][0] == {
        "user_id": admin,
        "priority": 1,
        "display_name": "Zed",
        "status": "offline",
    }
    assert await get(server, group["id"]) == group

    await server.client.patch(f"{API}/users/{bob}", json={"status": "online"}, headers=server.admin)
    assert (await get(server, group["id"]))["members"][3]["status"] == "online"


async def test_list_is_ordered_by_name_in_a_constant_number_of_queries(server: Server) -> None:
    alice = await create_user(server, "Alice")
    bob = await create_user(server, "Bob")
    await create(server, name="Support", members=[{"user_id": alice}])
    with count_selects(server) as one_group:
        assert [g["name"] for g in await list_groups(server)] == ["Support"]
    await create(server, name="Billing", members=[{"user_id": alice}, {"user_id": bob}])
    await create(server, name="Complaints", members=[{"user_id": bob, "priority": 5}])
    with count_selects(server) as three_groups:
        groups = await list_groups(server)
    assert [g["name"] for g in groups] == ["Billing", "Complaints", "Support"]
    assert [members(g) for g in groups] == [
        [("Alice", 3), ("Bob", 3)],
        [("Bob", 5)],
        [("Alice", 3)],
    ]
    assert len(three_groups) == len(one_group) <= 3  # sign-in, groups, members with users


async def test_patch_changes_only_given_fields_and_replaces_members(server: Server) -> None:
    alice = await create_user(server, "Alice")
    bob = await create_user(server, "Bob")
    carol = await create_user(server, "Carol")
    group = await create(
        server,
        name="Support",
        max_queue=10,
        members=[{"user_id": alice, "priority": 1}, {"user_id": bob}],
    )
    server.clock.advance(60)

    renamed = await patch(server, group["id"], name="Front desk", strategy="round_robin")
    assert (renamed["name"], renamed["strategy"]) == ("Front desk", "round_robin")
    assert (renamed["reception"], renamed["offer_timeout_seconds"]) == ("auto", 30)
    assert renamed["max_queue"] == 10
    assert members(renamed) == [("Alice", 1), ("Bob", 3)]
    assert renamed["created_at"] == group["created_at"]
    assert renamed["updated_at"] > group["updated_at"]

    replaced = await patch(
        server, group["id"], members=[{"user_id": carol, "priority": 4}, {"user_id": bob}]
    )
    assert members(replaced) == [("Bob", 3), ("Carol", 4)]
    assert replaced["name"] == "Front desk"

    unlimited = await patch(server, group["id"], max_queue=None, reception="manual")
    assert (unlimited["max_queue"], unlimited["reception"]) == (None, "manual")
    assert members(unlimited) == [("Bob", 3), ("Carol", 4)]  # left out: members kept

    emptied = await patch(server, group["id"], members=[], offer_timeout_seconds=3600)
    assert (emptied["members"], emptied["offer_timeout_seconds"]) == ([], 3600)
    assert await get(server, group["id"]) == emptied
    async with server.rt.db.read() as session:
        assert list(await session.scalars(select(SkillGroupMember))) == []


async def test_invalid_groups_are_refused_and_create_nothing(server: Server) -> None:
    alice = await create_user(server, "Alice")
    cases: list[tuple[str, dict[str, Any]]] = [
        ("empty name", {"name": ""}),
        ("name too long", {"name": "x" * 201}),
        ("bad strategy", {"strategy": "fastest"}),
        ("bad reception", {"reception": "sometimes"}),
        ("offer timeout too short", {"offer_timeout_seconds": 4}),
        ("offer timeout too long", {"offer_timeout_seconds": 3601}),
        ("max_queue negative", {"max_queue": -1}),
        ("max_queue too large", {"max_queue": 100_001}),
        ("priority 0", {"members": [{"user_id": alice, "priority": 0}]}),
        ("priority 6", {"members": [{"user_id": alice, "priority": 6}]}),
        ("member without user", {"members": [{"priority": 1}]}),
        ("extra member key", {"members": [{"user_id": alice, "role": "lead"}]}),
        ("extra key", {"colour": "red"}),
    ]
    for case, change in cases:
        response = await server.client.post(
            f"{API}/skill-groups", json={"name": "Bad", **change}, headers=server.admin
        )
        assert response.status_code == 422, (case, response.text)
        assert_error(response, 422, "validation_error")
    assert await list_groups(server) == []


async def test_the_webhook_strategy_needs_a_routing_url(server: Server) -> None:
    response = await server.client.post(
        f"{API}/skill-groups", json={"name": "Routed", "strategy": "webhook"}, headers=server.admin
    )
    error = assert_error(response, 422, "validation_error")
    assert "routing_url" in error["message"]
    for url in ("ftp://example.com/route", "not a url", "http://"):
        bad = await server.client.post(
            f"{API}/skill-groups",
            json={"name": "Routed", "strategy": "webhook", "routing_url": url},
            headers=server.admin,
        )
        assert_error(bad, 422, "validation_error")
    group = await create(server, name="Routed")
    refused = await server.client.patch(
        f"{API}/skill-groups/{group['id']}", json={"strategy": "webhook"}, headers=server.admin
    )
    assert "routing_url" in assert_error(refused, 422, "validation_error")["message"]
    routed = await server.client.patch(
        f"{API}/skill-groups/{group['id']}",
        json={"strategy": "webhook", "routing_url": "https://router.example.com/pick"},
        headers=server.admin,
    )
    assert routed.status_code == 200, routed.text
    assert routed.json()["routing_url"] == "https://router.example.com/pick"
    cleared = await server.client.patch(
        f"{API}/skill-groups/{group['id']}", json={"routing_url": None}, headers=server.admin
    )
    assert_error(cleared, 422, "validation_error")  # a webhook group cannot lose its URL
    back = await server.client.patch(
        f"{API}/skill-groups/{group['id']}",
        json={"strategy": "priority", "routing_url": None},
        headers=server.admin,
    )
    assert (back.json()["strategy"], back.json()["routing_url"]) == ("priority", None)


async def test_members_must_be_existing_users_listed_once(server: Server) -> None:
    alice = await create_user(server, "Alice")
    response = await server.client.post(
        f"{API}/skill-groups",
        json={"name": "Ghosts", "members": [{"user_id": alice}, {"user_id": "usr_nobody"}]},
        headers=server.admin,
    )
    error = assert_error(response, 422, "validation_error")
    assert "usr_nobody" in error["message"]
    assert error["details"] == {"unknown_user_ids": ["usr_nobody"]}

    twice = await server.client.post(
        f"{API}/skill-groups",
        json={"name": "Twice", "members": [{"user_id": alice}, {"user_id": alice, "priority": 1}]},
        headers=server.admin,
    )
    error = assert_error(twice, 422, "validation_error")
    assert alice in error["message"]
    assert error["details"] == {"user_id": alice}
    assert await list_groups(server) == []

    group = await create(server, name="Support", members=[{"user_id": alice}])
    for bad in ([{"user_id": "usr_nobody"}], [{"user_id": alice}, {"user_id": alice}]):
        refused = await server.client.patch(
            f"{API}/skill-groups/{group['id']}",
            json={"name": "Renamed", "members": bad},
            headers=server.admin,
        )
        assert_error(refused, 422, "validation_error")
    assert await get(server, group["id"]) == group  # nothing of the refused patch stayed


async def test_patch_refuses_nulls_bad_values_and_extra_keys(server: Server) -> None:
    group = await create(server, name="Support", max_queue=5)
    for bad in (
        {"name": None},
        {"strategy": None},
        {"members": None},
        {"offer_timeout_seconds": 2},
        {"max_queue": -1},
        {"strategy": "fastest"},
        {"colour": "red"},
    ):
        refused = await server.client.patch(
            f"{API}/skill-groups/{group['id']}", json=bad, headers=server.admin
        )
        assert_error(refused, 422, "validation_error")
    assert await get(server, group["id"]) == group
    assert (await patch(server, group["id"]))["max_queue"] == 5  # an empty patch changes nothing


async def test_agents_are_refused(server: Server) -> None:
    await create_user(server, "Alice")
    agent = await server.login("alice@example.com", PASSWORD)
    group = await create(server, name="Support")
    for method, path, body in (
        ("GET", f"{API}/skill-groups", None),
        ("POST", f"{API}/skill-groups", {"name": "Mine"}),
        ("GET", f"{API}/skill-groups/{group['id']}", None),
        ("PATCH", f"{API}/skill-groups/{group['id']}", {"name": "Mine"}),
        ("DELETE", f"{API}/skill-groups/{group['id']}", None),
    ):
        response = await server.client.request(method, path, json=body, headers=agent)
        assert_error(response, 403, "forbidden")
    assert await list_groups(server) == [group]


async def test_delete_and_unknown_groups(server: Server) -> None:
    alice = await create_user(server, "Alice")
    group = await create(server, name="Temporary", members=[{"user_id": alice}])
    deleted = await server.client.delete(f"{API}/skill-groups/{group['id']}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text
    assert await list_groups(server) == []
    async with server.rt.db.read() as session:
        assert list(await session.scalars(select(SkillGroupMember))) == []
    for method, body in (("GET", None), ("PATCH", {"name": "Back"}), ("DELETE", None)):
        response = await server.client.request(
            method, f"{API}/skill-groups/{group['id']}", json=body, headers=server.admin
        )
        assert_error(response, 404, "not_found")


async def test_delete_is_refused_while_a_conversation_needs_the_group(server: Server) -> None:
    group = await create(server, name="Support")
    conversation_id = await insert_conversation(server, group["id"], "queued")
    for state in ("queued", "offered", "agent"):
        await set_state(server, conversation_id, state)
        response = await server.client.delete(
            f"{API}/skill-groups/{group['id']}", headers=server.admin
        )
        error = assert_error(response, 409, "skill_group_busy")
        assert error["details"] == {"conversations": 1}
    assert await get(server, group["id"]) == group

    await set_state(server, conversation_id, "ended")
    deleted = await server.client.delete(f"{API}/skill-groups/{group['id']}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text


async def test_deleting_a_user_removes_their_membership(server: Server) -> None:
    alice = await create_user(server, "Alice")
    bob = await create_user(server, "Bob")
    group = await create(server, name="Support", members=[{"user_id": alice}, {"user_id": bob}])
    other = await create(server, name="Billing", members=[{"user_id": alice, "priority": 1}])
    deleted = await server.client.delete(f"{API}/users/{alice}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text
    assert members(await get(server, group["id"])) == [("Bob", 3)]
    assert (await get(server, other["id"]))["members"] == []


async def test_a_transfer_to_a_missing_group_blocks_publishing(server: Server) -> None:
    flow_id = await server.create_flow(transfer_flow("sgp_does_not_exist"))
    response = await server.client.post(f"{API}/flows/{flow_id}/publish", headers=server.admin)
    error = assert_error(response, 422, "flow_invalid")
    missing = [p for p in error["details"]["problems"] if p["code"] == "missing_reference"]
    assert [(p["node_id"], p["details"]["kind"], p["details"]["id"]) for p in missing] == [
        ("human", "skill_group", "sgp_does_not_exist")
    ]

    group = await create(server, name="Support")
    await server.publish(await server.create_flow(transfer_flow(group["id"])))


@pytest.mark.postgres
async def test_postgres_create_patch_delete(pg_server: Server) -> None:
    server = pg_server
    alice = await create_user(server, "Alice")
    bob = await create_user(server, "Bob")
    group = await create(
        server, name="Support", strategy="least_busy", members=[{"user_id": alice}]
    )
    assert members(group) == [("Alice", 3)]
    replaced = await patch(
        server,
        group["id"],
        max_queue=0,
        members=[{"user_id": bob, "priority": 1}, {"user_id": alice, "priority": 2}],
    )
    assert (replaced["strategy"], replaced["max_queue"]) == ("least_busy", 0)
    assert members(replaced) == [("Bob", 1), ("Alice", 2)]
    assert await get(server, group["id"]) == replaced

    conversation_id = await insert_conversation(server, group["id"], "queued")
    busy = await server.client.delete(f"{API}/skill-groups/{group['id']}", headers=server.admin)
    assert_error(busy, 409, "skill_group_busy")
    await set_state(server, conversation_id, "ended")

    removed = await server.client.delete(f"{API}/users/{alice}", headers=server.admin)
    assert removed.status_code == 204, removed.text
    assert members(await get(server, group["id"])) == [("Bob", 1)]
    deleted = await server.client.delete(f"{API}/skill-groups/{group['id']}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text
    assert await list_groups(server) == []
