"""Flows: drafts with revisions, validation, immutable published versions, restore."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flowdesk.engine.document import FlowDocument
from flowdesk.engine.module import ValidationEnv
from flowdesk.engine.runner import CompiledFlow
from flowdesk.engine.validation import Problem, validate
from flowdesk.errors import Conflict, Invalid, NotFound
from flowdesk.runtime import Runtime
from flowdesk.storage.models import (
    SANDBOX_CHANNEL_TYPE,
    Channel,
    Conversation,
    Flow,
    FlowVersion,
    KnowledgeBase,
    Schedule,
    SkillGroup,
    User,
    new_id,
)

NEW_FLOW_DOCUMENT: dict[str, Any] = {
    "schema_version": 1,
    "nodes": [{"id": "start", "type": "start", "name": "Start", "position": {"x": 0, "y": 0}}],
    "edges": [],
}


def parse_document(raw: Any) -> FlowDocument:
    """A well-formed document or a 422 naming what is malformed (saving needs nothing more)."""
    try:
        return FlowDocument.model_validate(raw)
    except ValidationError as exc:
        raise Invalid.from_pydantic(
            exc, "the flow document is malformed", code="invalid_document"
        ) from exc


async def get_flow(session: AsyncSession, flow_id: str, *, for_update: bool = False) -> Flow:
    """The flow; `for_update` holds its row until commit (read-modify-write on PostgreSQL)."""
    query = select(Flow).where(Flow.id == flow_id)
    flow = await session.scalar(query.with_for_update() if for_update else query)
    if flow is None:
        raise NotFound(f"flow {flow_id} not found")
    return flow


async def channels_of(
    session: AsyncSession, flow_ids: list[str]
) -> dict[str, list[dict[str, str]]]:
    """The channels bound to each flow, for lists and for explaining a refused delete."""
    result: dict[str, list[dict[str, str]]] = {flow_id: [] for flow_id in flow_ids}
    if not flow_ids:
        return result
    rows = await session.execute(
        select(Channel.id, Channel.name, Channel.flow_id).where(Channel.flow_id.in_(flow_ids))
    )
    for channel_id, name, flow_id in rows:
        if flow_id is not None:
            result[flow_id].append({"id": channel_id, "name": name})
    return result


async def validation_env(rt: Runtime, session: AsyncSession) -> ValidationEnv:
    """What exists now: validation of references is against the live objects."""
    schedules = frozenset((await session.scalars(select(Schedule.id))).all())
    skill_groups = frozenset((await session.scalars(select(SkillGroup.id))).all())
    agents = frozenset((await session.scalars(select(User.id))).all())
    knowledge_bases = frozenset((await session.scalars(select(KnowledgeBase.id))).all())
    capabilities = frozenset({"llm"} if rt.settings.llm_base_url else set())
    return ValidationEnv(
        existing={
            "schedule": schedules,
            "skill_group": skill_groups,
            "agent": agents,
            "knowledge_base": knowledge_bases,
        },
        capabilities=capabilities,
    )


async def create_flow(rt: Runtime, *, name: str, document: Any, user_id: str | None) -> Flow:
    doc = parse_document(document if document is not None else NEW_FLOW_DOCUMENT)
    now = rt.clock.now()
    async with rt.db.write() as session:
        flow = Flow(
            id=new_id("flw"),
            name=name,
            document=doc.model_copy(update={"name": name}).model_dump(mode="json"),
            revision=1,
            created_at=now,
            updated_at=now,
            updated_by=user_id,
        )
        session.add(flow)
    return flow


async def save_flow(
    rt: Runtime,
    flow_id: str,
    *,
    document: Any,
    revision: int,
    name: str | None,
    user_id: str | None,
) -> Flow:
    """Save a draft. A stale `revision` means someone else saved in between: 409."""
    doc = parse_document(document)
    async with rt.db.write() as session:
        flow = await get_flow(session, flow_id, for_update=True)
        if revision != flow.revision:
            raise Conflict(
                f"the flow was saved by someone else (revision {flow.revision}, yours {revision})",
                code="revision_conflict",
                details={"current_revision": flow.revision},
            )
        if name is not None:
            flow.name = name
        flow.document = doc.model_copy(update={"name": flow.name}).model_dump(mode="json")
        flow.revision += 1
        flow.updated_at = rt.clock.now()
        flow.updated_by = user_id
    return flow


async def delete_flow(rt: Runtime, flow_id: str) -> None:
    """Delete a flow and its versions; refused while a channel or a conversation uses it."""
    async with rt.db.write() as session:
        flow = await get_flow(session, flow_id, for_update=True)
        bound = (await channels_of(session, [flow_id]))[flow_id]
        if bound:
            names = ", ".join(c["name"] for c in bound)
            raise Conflict(
                f"the flow is bound to channels: {names}; unbind it first",
                code="flow_in_use",
                details={"channels": bound},
            )
        sandbox = select(Channel.id).where(Channel.type == SANDBOX_CHANNEL_TYPE)
        running = await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(
                Conversation.flow_id == flow_id,
                Conversation.state != "ended",
                Conversation.channel_id.not_in(sandbox),
            )
        )
        if running:
            raise Conflict(
                f"{running} conversation(s) are still running on this flow; "
                "delete it when they have ended",
                code="flow_in_use",
                details={"channels": [], "open_conversations": running},
            )
        # Simulator conversations are throwaway; they go with the snapshots they run on.
        await session.execute(
            delete(Conversation).where(
                Conversation.flow_id == flow_id, Conversation.channel_id.in_(sandbox)
            )
        )
        await session.delete(flow)


async def validate_flow(rt: Runtime, flow_id: str, document: Any | None = None) -> list[Problem]:
    """Problems of the saved draft, or of `document` when the canvas sends unsaved work."""
    async with rt.db.read() as session:
        flow = await get_flow(session, flow_id)
        doc = parse_document(document if document is not None else flow.document)
        env = await validation_env(rt, session)
    return validate(doc, rt.registry, env)


def refuse_errors(problems: list[Problem], message: str) -> None:
    """422 `flow_invalid` with every problem when any is an error (warnings pass)."""
    if any(p.severity == "error" for p in problems):
        raise Invalid(
            message, code="flow_invalid", details={"problems": [p.to_dict() for p in problems]}
        )


async def publish_flow(
    rt: Runtime, flow_id: str, *, note: str, user_id: str | None, revision: int | None
) -> FlowVersion:
    """Freeze the draft as the next version; refused (422, with every problem) if it has errors."""
    async with rt.db.write() as session:
        flow = await get_flow(session, flow_id, for_update=True)
        if revision is not None and revision != flow.revision:
            raise Conflict(
                f"the draft changed since revision {revision} (now {flow.revision})",
                code="revision_conflict",
                details={"current_revision": flow.revision},
            )
        doc = parse_document(flow.document)
        refuse_errors(
            validate(doc, rt.registry, await validation_env(rt, session)),
            "the flow has errors and cannot be published",
        )
        number = (flow.latest_version or 0) + 1
        version = FlowVersion(
            flow_id=flow.id,
            version=number,
            document=flow.document,
            published_at=rt.clock.now(),
            published_by=user_id,
            note=note,
        )
        session.add(version)
        flow.latest_version = number
    return version


async def list_versions(rt: Runtime, flow_id: str) -> list[FlowVersion]:
    async with rt.db.read() as session:
        await get_flow(session, flow_id)
        rows = await session.scalars(
            select(FlowVersion)
            .where(FlowVersion.flow_id == flow_id, FlowVersion.version > 0)
            .order_by(FlowVersion.version.desc())
        )
        return list(rows)


async def get_version(session: AsyncSession, flow_id: str, number: int) -> FlowVersion:
    """A published version; the simulator's snapshots (numbers below 1) are not found."""
    version = await session.get(FlowVersion, (flow_id, number)) if number >= 1 else None
    if version is None:
        raise NotFound(f"flow {flow_id} has no version {number}")
    return version


async def add_sandbox_version(
    session: AsyncSession, flow: Flow, doc: FlowDocument, *, now: datetime, user_id: str | None
) -> FlowVersion:
    """Freeze `doc` as the simulator's next snapshot, numbered -1, -2, … (the flow row is locked).

    Conversations keep running on the version they started with, so a snapshot is
    immutable like a published version; it just never shows as one.
    """
    lowest = await session.scalar(
        select(func.min(FlowVersion.version)).where(
            FlowVersion.flow_id == flow.id, FlowVersion.version < 0
        )
    )
    version = FlowVersion(
        flow_id=flow.id,
        version=(lowest or 0) - 1,
        document=doc.model_copy(update={"name": flow.name}).model_dump(mode="json"),
        published_at=now,
        published_by=user_id,
        note="simulator",
    )
    session.add(version)
    await session.flush()
    return version


async def restore_version(rt: Runtime, flow_id: str, number: int, user_id: str | None) -> Flow:
    """Copy a published version into the draft (a new revision; versions stay untouched)."""
    async with rt.db.write() as session:
        flow = await get_flow(session, flow_id, for_update=True)
        version = await get_version(session, flow_id, number)
        flow.document = {**version.document, "name": flow.name}
        flow.revision += 1
        flow.updated_at = rt.clock.now()
        flow.updated_by = user_id
    return flow


async def compiled_version(
    rt: Runtime, session: AsyncSession, flow_id: str, number: int
) -> CompiledFlow:
    """The runnable form of a version (published or sandbox), compiled once per process."""
    compiled = rt.compiled.get(flow_id, number)
    if compiled is None:
        version = await session.get(FlowVersion, (flow_id, number))  # sandbox ones too
        if version is None:
            raise NotFound(f"flow {flow_id} has no version {number}")
        compiled = rt.compiled.put(flow_id, number, FlowDocument.model_validate(version.document))
    return compiled


async def count_flows(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Flow)) or 0)
