"""What the agent workspace reads: `GET /agent/queues` (my groups' queues, in queue order) and
`GET /agent/directory` (names for transfers and labels), and who may read them."""

from __future__ import annotations

from typing import Any

from flowdesk.clock import ManualClock
from tests.api.desk_support import Agent, make_agent, make_group, transfer_flow
from tests.support import Server, assert_error

QUEUES = "/api/v1/agent/queues"
DIRECTORY = "/api/v1/agent/directory"


async def queues(server: Server, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await server.client.get(QUEUES, headers=headers)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"queues"}
    found: list[dict[str, Any]] = response.json()["queues"]
    return found


async def test_an_agent_sees_the_queues_of_their_groups_in_queue_order(
    any_server: Server, clock: ManualClock
) -> None:
    server = any_server
    alice = await make_agent(server, "Alice", max_concurrent=1)
    carol = await make_agent(server, "Carol", max_concurrent=1)
    await make_agent(server, "Dave")  # in no group at all
    support = await make_group(server, [alice], name="Support")
    billing = await make_group(server, [carol], name="Billing")
    key = await server.deploy(transfer_flow(support))
    urgent_key = await server.deploy(transfer_flow(support, priority=1))

    served = await server.start(key)
    assert (await served.state())["agent_id"] == alice.id  # Alice is now full
    clock.advance(1)
    first = await server.start(key, name="Ann Waiting")
    clock.advance(1)
    second = await server.start(key)
    clock.advance(1)
    urgent = await server.start(urgent_key)  # priority 1 goes ahead of earlier arrivals

    [alices] = await queues(server, alice.headers)
    assert (alices["skill_group_id"], alices["name"]) == (support, "Support")
    expected = [urgent, first, second]
    assert [e["conversation_id"] for e in alices["queue"]] == [c.id for c in expected]
    assert [e["position"] for e in alices["queue"]] == [1, 2, 3]
    for entry, customer in zip(alices["queue"], expected, strict=True):
        state = await customer.state()
        # The fields `queue.updated` carries. (Not compared with the customer's own
        # `queue_position`: that is only updated when it improves, so it lags behind when a
        # priority customer jumps ahead.)
        assert entry == {
            "conversation_id": customer.id,
            "position": entry["position"],
            "priority": state["priority"],
            "customer_id": state["customer_id"],
            "customer_name": state["customer_name"],
            "channel_id": state["channel_id"],
            "queued_at": state["queued_at"],
        }
    assert alices["queue"][1]["customer_name"] == "Ann Waiting"
    assert [e["priority"] for e in alices["queue"]] == [1, 3, 3]

    # Carol sees only her own group (empty); nobody sees another group's customers.
    assert await queues(server, carol.headers) == [
        {"skill_group_id": billing, "name": "Billing", "queue": []}
    ]
    dave = Agent(server, "", await server.login("dave@desk.example.com", "agent-password-1"), "")
    assert await queues(server, dave.headers) == []

    # An admin sees every group, by name.
    everything = await queues(server, server.admin)
    assert [(q["name"], len(q["queue"])) for q in everything] == [("Billing", 0), ("Support", 3)]

    # The served customer leaves: the queue moves up and the endpoint says so.
    closed = await alice.post(served.id, "close")
    assert closed.status_code == 200, closed.text
    [alices] = await queues(server, alice.headers)
    assert [e["conversation_id"] for e in alices["queue"]] == [first.id, second.id]
    assert [e["position"] for e in alices["queue"]] == [1, 2]


async def test_the_directory_names_agents_groups_and_channels_and_nothing_private(
    server: Server,
) -> None:
    alice = await make_agent(server, "Alice", staff_no="1001")
    bob = await make_agent(server, "Bob", status="away")
    group = await make_group(server, [alice], name="Support")
    flow_id = await server.create_flow(transfer_flow(group))
    await server.publish(flow_id)
    await server.channel(flow_id)
    # A simulation creates the hidden sandbox channel, which the directory must not show.
    simulated = await server.client.post(f"/api/v1/flows/{flow_id}/simulate", headers=server.admin)
    assert simulated.status_code == 201, simulated.text

    response = await server.client.get(DIRECTORY, headers=alice.headers)
    assert response.status_code == 200, response.text
    found = response.json()
    assert set(found) == {"agents", "skill_groups", "channels"}
    agents = {a["display_name"]: a for a in found["agents"]}
    assert agents["Alice"] == {"id": alice.id, "display_name": "Alice", "status": "online"}
    assert agents["Bob"] == {"id": bob.id, "display_name": "Bob", "status": "away"}
    assert all(set(a) == {"id", "display_name", "status"} for a in found["agents"])
    assert "@" not in response.text  # no e-mail address of anyone
    assert found["skill_groups"] == [{"id": group, "name": "Support"}]
    assert found["channels"] == [
        {"id": found["channels"][0]["id"], "name": "api channel", "type": "api"}
    ]
    assert "chn_sandbox" not in response.text


async def test_customers_and_strangers_cannot_read_queues_or_the_directory(
    server: Server,
) -> None:
    alice = await make_agent(server, "Alice")
    key = await server.deploy(transfer_flow(await make_group(server, [alice])))
    customer = await server.start(key)
    server.client.cookies.clear()  # signing in set a session cookie; strangers have none
    for path in (QUEUES, DIRECTORY):
        assert_error(await server.client.get(path), 401, "unauthorized")
        assert_error(await server.client.get(path, headers=customer.headers), 403, "forbidden")
        bad = {"authorization": "Bearer not-a-real-token"}
        assert_error(await server.client.get(path, headers=bad), 401, "unauthorized")


async def test_the_console_reads_them_with_its_session_cookie(server: Server) -> None:
    await make_agent(server, "Alice")
    server.client.cookies.clear()
    signed_in = await server.client.post(
        "/api/v1/auth/login",
        json={"email": "alice@desk.example.com", "password": "agent-password-1"},
    )
    assert signed_in.status_code == 200, signed_in.text
    try:
        for path in (QUEUES, DIRECTORY):
            response = await server.client.get(path)  # the cookie only, as the browser does
            assert response.status_code == 200, response.text
    finally:
        server.client.cookies.clear()
