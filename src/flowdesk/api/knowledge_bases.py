"""Knowledge bases (admin only): bases, their Q&A entries, and CSV import/export (SPEC §1, §7)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Self

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flowdesk.api.deps import AdminDep, RuntimeDep
from flowdesk.errors import FlowdeskError, Invalid
from flowdesk.knowledge import (
    MAX_CSV_BYTES,
    MAX_SIMILAR,
    Answer,
    EntryFields,
    Question,
    parse_csv,
    to_csv,
)
from flowdesk.services import knowledge_bases as svc
from flowdesk.storage.models import KnowledgeBase, KnowledgeEntry
from flowdesk.views import iso

router = APIRouter(prefix="/knowledge-bases", tags=["knowledge-bases"])

Name = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=2000)]
MAX_PAGE = 500


class UnsupportedMediaType(FlowdeskError):
    status = 415
    code = "unsupported_media_type"


class KnowledgeBaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    description: Description = ""


class KnowledgeBasePatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    description: Description | None = None


class EntryPatchIn(BaseModel):
    """Any subset of an entry's fields; a question or answer may not become empty."""

    model_config = ConfigDict(extra="forbid")
    question: Question | None = None
    similar_questions: list[Question] | None = Field(default=None, max_length=MAX_SIMILAR)
    answer: Answer | None = None
    enabled: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        nulls = sorted(n for n in self.model_fields_set if getattr(self, n) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null (leave the field out instead)")
        return self


def base_view(base: KnowledgeBase, entry_count: int) -> dict[str, Any]:
    return {
        "id": base.id,
        "name": base.name,
        "description": base.description,
        "revision": base.revision,
        "entry_count": entry_count,
        "created_at": iso(base.created_at),
        "updated_at": iso(base.updated_at),
    }


def entry_view(entry: KnowledgeEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "question": entry.question,
        "similar_questions": list(entry.similar_questions),
        "answer": entry.answer,
        "enabled": entry.enabled,
        "position": entry.position,
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.updated_at),
    }


async def _base_view(rt: RuntimeDep, base_id: str) -> dict[str, Any]:
    async with rt.db.read() as session:
        base = await svc.get_base(session, base_id)
        return base_view(base, (await svc.entry_counts(session, [base.id]))[base.id])


@router.get("")
async def list_knowledge_bases(rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        bases = await svc.list_bases(session)
        counts = await svc.entry_counts(session, [b.id for b in bases])
    return {"knowledge_bases": [base_view(b, counts[b.id]) for b in bases]}


@router.post("", status_code=201)
async def create_knowledge_base(
    body: KnowledgeBaseIn, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    base = await svc.create_base(rt, name=body.name, description=body.description)
    return base_view(base, 0)


@router.get("/{base_id}")
async def get_knowledge_base(base_id: str, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    return await _base_view(rt, base_id)


@router.patch("/{base_id}")
async def patch_knowledge_base(
    base_id: str, body: KnowledgeBasePatchIn, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    await svc.update_base(rt, base_id, name=body.name, description=body.description)
    return await _base_view(rt, base_id)


@router.delete("/{base_id}", status_code=204)
async def delete_knowledge_base(base_id: str, rt: RuntimeDep, _admin: AdminDep) -> None:
    await svc.delete_base(rt, base_id)


@router.get("/{base_id}/entries")
async def list_entries(
    base_id: str,
    rt: RuntimeDep,
    _admin: AdminDep,
    q: Annotated[str | None, Query(max_length=200, description="Search text.")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> dict[str, Any]:
    page = await svc.list_entries(rt, base_id, q=q, offset=offset, limit=limit)
    return {
        "entries": [entry_view(e) for e in page.entries],
        "total": page.total,
        "offset": offset,
        "limit": limit,
    }


@router.post("/{base_id}/entries", status_code=201)
async def add_entry(
    base_id: str, body: EntryFields, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    return entry_view(await svc.add_entry(rt, base_id, body))


@router.patch("/{base_id}/entries/{entry_id}")
async def patch_entry(
    base_id: str, entry_id: str, body: EntryPatchIn, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    entry = await svc.update_entry(
        rt,
        base_id,
        entry_id,
        question=body.question,
        similar_questions=body.similar_questions,
        answer=body.answer,
        enabled=body.enabled,
    )
    return entry_view(entry)


@router.delete("/{base_id}/entries/{entry_id}", status_code=204)
async def delete_entry(base_id: str, entry_id: str, rt: RuntimeDep, _admin: AdminDep) -> None:
    await svc.delete_entry(rt, base_id, entry_id)


def _filename(name: str) -> str:
    # Header-safe ASCII; the base's own name may hold anything (quotes, CR/LF, Chinese).
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:60]
    return f"{slug or 'knowledge-base'}.csv"


@router.get("/{base_id}/entries.csv", response_class=Response)
async def export_entries(base_id: str, rt: RuntimeDep, _admin: AdminDep) -> Response:
    """The entries as CSV (UTF-8 with BOM; columns question, similar_questions, answer, enabled)."""
    base, entries = await svc.all_entries(rt, base_id)
    rows = [
        EntryFields.model_construct(
            question=e.question,
            similar_questions=list(e.similar_questions),
            answer=e.answer,
            enabled=e.enabled,
        )
        for e in entries
    ]
    return Response(
        to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{_filename(base.name)}"',
            "cache-control": "no-store",
        },
    )


async def _read_csv_body(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type.startswith("multipart/") or content_type in (
        "application/json",
        "application/x-www-form-urlencoded",
    ):
        raise UnsupportedMediaType(
            "send the CSV file itself as the request body (Content-Type: text/csv)"
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_CSV_BYTES:
        raise Invalid(f"the CSV file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CSV_BYTES:
            raise Invalid(f"the CSV file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/{base_id}/import",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def import_entries(
    base_id: str,
    request: Request,
    rt: RuntimeDep,
    _admin: AdminDep,
    mode: Annotated[
        svc.ImportMode,
        Query(description="`append` adds the rows; `replace` swaps every entry for them."),
    ] = "append",
) -> dict[str, Any]:
    """Import a CSV body: every row or, when one is bad (422 naming the row), none."""
    entries = parse_csv(await _read_csv_body(request))
    base = await svc.import_entries(rt, base_id, entries, mode=mode)
    view = await _base_view(rt, base.id)
    return {"imported": len(entries), "mode": mode, "knowledge_base": view}
