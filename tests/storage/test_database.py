"""The storage layer on both backends: migrations, constraints, and no lost updates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from flowdesk.clock import ManualClock
from flowdesk.engine.modules import default_registry
from flowdesk.errors import Conflict
from flowdesk.runtime import Runtime
from flowdesk.services import flows as flow_svc
from flowdesk.storage.db import Database, migrate
from flowdesk.storage.models import Channel, Conversation, Flow, Message, Timer, new_id
from tests.support import make_settings


@pytest.fixture
async def rt(database_url: str):  # type: ignore[no-untyped-def]
    await asyncio.to_thread(migrate, database_url)
    runtime = Runtime.build(make_settings(database_url), ManualClock(), default_registry())
    yield runtime
    await runtime.db.dispose()


async def test_migrations_create_every_table_and_run_twice(database_url: str) -> None:
    await asyncio.to_thread(migrate, database_url)
    await asyncio.to_thread(migrate, database_url)  # idempotent
    db = Database(database_url)
    async with db.write_engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await db.dispose()
    assert {
        "users",
        "auth_tokens",
        "schedules",
        "flows",
        "flow_versions",
        "channels",
        "conversations",
        "messages",
        "timers",
        "alembic_version",
    } <= tables


async def _conversation(rt: Runtime, customer: str = "c1", state: str = "bot") -> Conversation:
    async with rt.db.write() as session:
        channel = await session.scalar(select(Channel).limit(1))
        if channel is None:
            channel = Channel(
                id=new_id("chn"), name="c", type="api", key=new_id("key"), settings={}
            )
            session.add(channel)
            await session.flush()
        conversation = Conversation(
            id=new_id("cnv"),
            channel_id=channel.id,
            customer_id=customer,
            flow_id="f",
            flow_version=1,
            state=state,
            flow_state={},
        )
        session.add(conversation)
    return conversation


async def test_one_open_conversation_per_customer_and_channel(rt: Runtime) -> None:
    await _conversation(rt, "alice")
    with pytest.raises(IntegrityError):
        await _conversation(rt, "alice")
    await _conversation(rt, "bob")
    # Ended conversations do not count.
    await _conversation(rt, "carol", state="ended")
    await _conversation(rt, "carol", state="ended")
    await _conversation(rt, "carol")


async def test_message_seq_and_client_msg_id_are_unique_per_conversation(rt: Runtime) -> None:
    conversation = await _conversation(rt)

    async def add(seq: int, client_msg_id: str | None) -> None:
        async with rt.db.write() as session:
            session.add(
                Message(
                    id=new_id("msg"),
                    conversation_id=conversation.id,
                    seq=seq,
                    sender="customer",
                    type="text",
                    text="x",
                    client_msg_id=client_msg_id,
                )
            )

    await add(1, "a")
    with pytest.raises(IntegrityError):
        await add(1, None)
    with pytest.raises(IntegrityError):
        await add(2, "a")
    await add(2, None)
    await add(3, None)  # many messages without a client id


async def test_times_come_back_as_aware_utc(rt: Runtime) -> None:
    conversation = await _conversation(rt)
    due = datetime(2026, 3, 29, 1, 30, tzinfo=UTC) + timedelta(microseconds=7)
    async with rt.db.write() as session:
        session.add(
            Timer(id=new_id("tmr"), conversation_id=conversation.id, kind="node", due_at=due)
        )
    async with rt.db.read() as session:
        stored = await session.scalar(select(Timer.due_at))
    assert stored == due
    assert stored is not None and stored.tzinfo is not None


async def test_concurrent_saves_of_one_revision_let_exactly_one_win(rt: Runtime) -> None:
    flow = await flow_svc.create_flow(rt, name="f", document=None, user_id=None)

    async def save(index: int) -> str:
        document = {"schema_version": 1, "nodes": [{"id": f"start{index}", "type": "start"}]}
        try:
            await flow_svc.save_flow(
                rt, flow.id, document=document, revision=1, name=None, user_id=None
            )
        except Conflict as exc:
            return exc.code
        return "saved"

    results = await asyncio.gather(*(save(i) for i in range(12)))
    assert results.count("saved") == 1
    assert results.count("revision_conflict") == 11
    async with rt.db.read() as session:
        assert await session.scalar(select(Flow.revision).where(Flow.id == flow.id)) == 2


async def test_concurrent_read_modify_write_loses_no_update(rt: Runtime) -> None:
    """Each writer reads the counter and writes it + 1: without serialisation updates vanish."""
    flow = await flow_svc.create_flow(rt, name="counter", document=None, user_id=None)

    async def bump() -> None:
        async with rt.db.write() as session:
            row = await flow_svc.get_flow(session, flow.id, for_update=True)
            current = row.revision
            await asyncio.sleep(0)  # let the others run in between read and write
            row.revision = current + 1

    await asyncio.gather(*(bump() for _ in range(40)))
    async with rt.db.read() as session:
        assert await session.scalar(select(Flow.revision).where(Flow.id == flow.id)) == 41
        assert await session.scalar(select(func.count()).select_from(Flow)) == 1


@pytest.mark.postgres
def test_nodes_starting_together_migrate_once(postgres_url: str) -> None:
    """Several nodes run `migrate` at start: one migrates, the others wait and find it done."""
    import subprocess
    import sys
    import time

    # Every process imports first, then all migrate at the same instant.
    code = (
        "import sys, time; from flowdesk.storage.db import migrate; "
        "time.sleep(max(0, float(sys.argv[2]) - time.time())); migrate(sys.argv[1])"
    )
    start_at = str(time.time() + 4)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, postgres_url, start_at],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
