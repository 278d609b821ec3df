"""Knowledge bases and their Q&A entries (SPEC §1), the chatbot's source of answers.

Every change to a base or its entries bumps `KnowledgeBase.revision` in the same
transaction: the chatbot's retrieval index is cached per (base, revision), so a
revision that moved is the only signal it needs to rebuild. Writers lock the base row
first, which also keeps the entry limit exact under concurrent imports on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flowdesk.errors import Conflict, Invalid, NotFound
from flowdesk.knowledge import MAX_ENTRIES_PER_BASE, EntryFields, clean_similar
from flowdesk.runtime import Runtime
from flowdesk.services.flows import compiled_version
from flowdesk.storage.models import Channel, Flow, KnowledgeBase, KnowledgeEntry, new_id

ImportMode = Literal["append", "replace"]
#: The reference kind modules use for a knowledge base (`Reference.kind`).
REFERENCE_KIND = "knowledge_base"


@dataclass
class EntryPage:
    entries: list[KnowledgeEntry]
    total: int


async def get_base(
    session: AsyncSession, base_id: str, *, for_update: bool = False
) -> KnowledgeBase:
    """The base; `for_update` holds its row until commit (every writer takes it first)."""
    query = select(KnowledgeBase).where(KnowledgeBase.id == base_id)
    base = await session.scalar(query.with_for_update() if for_update else query)
    if base is None:
        raise NotFound(f"knowledge base {base_id} not found")
    return base


async def entry_counts(session: AsyncSession, base_ids: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(base_ids, 0)
    if base_ids:
        rows = await session.execute(
            select(KnowledgeEntry.knowledge_base_id, func.count())
            .where(KnowledgeEntry.knowledge_base_id.in_(base_ids))
            .group_by(KnowledgeEntry.knowledge_base_id)
        )
        counts.update({base_id: int(count) for base_id, count in rows})
    return counts


async def list_bases(session: AsyncSession) -> list[KnowledgeBase]:
    rows = await session.scalars(select(KnowledgeBase).order_by(KnowledgeBase.name))
    return list(rows)


def _bump(rt: Runtime, base: KnowledgeBase) -> None:
    base.revision += 1
    base.updated_at = rt.clock.now()
    rt.indexes.forget(base.id)


async def create_base(rt: Runtime, *, name: str, description: str = "") -> KnowledgeBase:
    now = rt.clock.now()
    async with rt.db.write() as session:
        base = KnowledgeBase(
            id=new_id("kb"),
            name=name,
            description=description,
            revision=1,
            created_at=now,
            updated_at=now,
        )
        session.add(base)
    return base


async def update_base(
    rt: Runtime, base_id: str, *, name: str | None = None, description: str | None = None
) -> KnowledgeBase:
    async with rt.db.write() as session:
        base = await get_base(session, base_id, for_update=True)
        if name is not None:
            base.name = name
        if description is not None:
            base.description = description
        _bump(rt, base)
    return base


async def flows_using(rt: Runtime, session: AsyncSession, base_id: str) -> list[dict[str, str]]:
    """Flows bound to a channel whose published version references this base."""
    rows = await session.execute(
        select(Flow.id, Flow.name, Flow.latest_version)
        .where(Flow.id.in_(select(Channel.flow_id).where(Channel.flow_id.is_not(None))))
        .order_by(Flow.name)
    )
    using: list[dict[str, str]] = []
    for flow_id, name, version in rows:
        if version is None:
            continue
        compiled = await compiled_version(rt, session, flow_id, version)
        if base_id in compiled.references.get(REFERENCE_KIND, set()):
            using.append({"id": flow_id, "name": name})
    return using


async def delete_base(rt: Runtime, base_id: str) -> None:
    """Delete a base and its entries; refused while a bound flow's published version uses it."""
    async with rt.db.write() as session:
        base = await get_base(session, base_id, for_update=True)
        using = await flows_using(rt, session, base.id)
        if using:
            names = ", ".join(f["name"] for f in using)
            raise Conflict(
                f"the knowledge base is used by published flows bound to channels: {names}; "
                "change and republish them, or unbind them, first",
                code="knowledge_base_in_use",
                details={"flows": using},
            )
        await session.delete(base)
        rt.indexes.forget(base.id)


# --------------------------------------------------------------------------- entries


def matches(entry: KnowledgeEntry, needle: str) -> bool:
    """A case-insensitive substring of the question, a similar question or the answer."""
    texts = [entry.question, entry.answer, *entry.similar_questions]
    return any(needle in text.casefold() for text in texts)


async def list_entries(
    rt: Runtime, base_id: str, *, q: str | None, offset: int, limit: int
) -> EntryPage:
    """A page of the base's entries in display order, filtered by `q` when given.

    Filtering runs here rather than in SQL: similar questions live in a JSON column
    whose text form differs by backend (SQLite keeps `\\uXXXX` escapes), and a base
    holds at most a few thousand entries.
    """
    async with rt.db.read() as session:
        await get_base(session, base_id)
        query = (
            select(KnowledgeEntry)
            .where(KnowledgeEntry.knowledge_base_id == base_id)
            .order_by(KnowledgeEntry.position, KnowledgeEntry.id)
        )
        needle = (q or "").strip().casefold()
        if not needle:
            total = int(
                await session.scalar(
                    select(func.count()).where(KnowledgeEntry.knowledge_base_id == base_id)
                )
                or 0
            )
            rows = await session.scalars(query.offset(offset).limit(limit))
            return EntryPage(list(rows), total)
        found = [entry for entry in await session.scalars(query) if matches(entry, needle)]
        return EntryPage(found[offset : offset + limit], len(found))


async def all_entries(rt: Runtime, base_id: str) -> tuple[KnowledgeBase, list[KnowledgeEntry]]:
    async with rt.db.read() as session:
        base = await get_base(session, base_id)
        rows = await session.scalars(
            select(KnowledgeEntry)
            .where(KnowledgeEntry.knowledge_base_id == base_id)
            .order_by(KnowledgeEntry.position, KnowledgeEntry.id)
        )
        return base, list(rows)


async def _check_room(session: AsyncSession, base_id: str, adding: int) -> int:
    """The next free position; 422 when `adding` more would pass the limit."""
    count, last = (
        await session.execute(
            select(func.count(), func.max(KnowledgeEntry.position)).where(
                KnowledgeEntry.knowledge_base_id == base_id
            )
        )
    ).one()
    if int(count) + adding > MAX_ENTRIES_PER_BASE:
        raise Invalid(
            f"a knowledge base holds at most {MAX_ENTRIES_PER_BASE} entries "
            f"(it has {count}, adding {adding})",
            code="too_many_entries",
            details={"limit": MAX_ENTRIES_PER_BASE, "current": int(count), "adding": adding},
        )
    return int(last or 0) + 1 if count else 1


def _new_entry(rt: Runtime, base_id: str, fields: EntryFields, position: int) -> KnowledgeEntry:
    now = rt.clock.now()
    return KnowledgeEntry(
        id=new_id("kbe"),
        knowledge_base_id=base_id,
        question=fields.question,
        similar_questions=clean_similar(fields.similar_questions),
        answer=fields.answer,
        enabled=fields.enabled,
        position=position,
        created_at=now,
        updated_at=now,
    )


async def add_entry(rt: Runtime, base_id: str, fields: EntryFields) -> KnowledgeEntry:
    async with rt.db.write() as session:
        base = await get_base(session, base_id, for_update=True)
        position = await _check_room(session, base.id, 1)
        entry = _new_entry(rt, base.id, fields, position)
        session.add(entry)
        _bump(rt, base)
    return entry


async def _get_entry(session: AsyncSession, base_id: str, entry_id: str) -> KnowledgeEntry:
    entry = await session.get(KnowledgeEntry, entry_id)
    if entry is None or entry.knowledge_base_id != base_id:
        raise NotFound(f"knowledge base {base_id} has no entry {entry_id}")
    return entry


async def update_entry(
    rt: Runtime,
    base_id: str,
    entry_id: str,
    *,
    question: str | None = None,
    similar_questions: Sequence[str] | None = None,
    answer: str | None = None,
    enabled: bool | None = None,
) -> KnowledgeEntry:
    """Change the given fields (the API has already refused empty texts)."""
    async with rt.db.write() as session:
        base = await get_base(session, base_id, for_update=True)
        entry = await _get_entry(session, base.id, entry_id)
        if question is not None:
            entry.question = question
        if similar_questions is not None:
            entry.similar_questions = clean_similar(similar_questions)
        if answer is not None:
            entry.answer = answer
        if enabled is not None:
            entry.enabled = enabled
        entry.updated_at = rt.clock.now()
        _bump(rt, base)
    return entry


async def delete_entry(rt: Runtime, base_id: str, entry_id: str) -> None:
    async with rt.db.write() as session:
        base = await get_base(session, base_id, for_update=True)
        await session.delete(await _get_entry(session, base.id, entry_id))
        _bump(rt, base)


async def import_entries(
    rt: Runtime, base_id: str, entries: Sequence[EntryFields], *, mode: ImportMode
) -> KnowledgeBase:
    """Add (`append`) or swap in (`replace`) parsed entries: all of them or, on error, none."""
    async with rt.db.write() as session:
        base = await get_base(session, base_id, for_update=True)
        if mode == "replace":
            await session.execute(
                delete(KnowledgeEntry).where(KnowledgeEntry.knowledge_base_id == base.id)
            )
        position = await _check_room(session, base.id, len(entries))
        session.add_all(
            _new_entry(rt, base.id, fields, position + index)
            for index, fields in enumerate(entries)
        )
        _bump(rt, base)
    return base
