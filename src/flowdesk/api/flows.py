"""Flows: CRUD with revisions, validate, publish, versions, restore; and the module catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from flowdesk.api.deps import MAX_INT, AdminDep, RuntimeDep, VersionNumber
from flowdesk.engine.catalogue import catalogue
from flowdesk.services import flows as svc
from flowdesk.services.simulator import simulate
from flowdesk.storage.models import Flow
from flowdesk.views import conversation_view, flow_view, message_view, version_view

router = APIRouter(tags=["flows"])

Name = Field(min_length=1, max_length=200)


class FlowCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Name
    document: dict[str, Any] | None = None


class FlowSaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    document: dict[str, Any]
    revision: int = Field(ge=1, le=MAX_INT)


class ValidateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: dict[str, Any] | None = None


class SimulateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: dict[str, Any] | None = None


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=1000)
    revision: int | None = Field(default=None, ge=1, le=MAX_INT)


@router.get("/modules")
async def modules(rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    return {"modules": catalogue(rt.registry)}


@router.get("/flows")
async def list_flows(rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        flows = list(await session.scalars(select(Flow).order_by(Flow.updated_at.desc())))
        bound = await svc.channels_of(session, [f.id for f in flows])
    return {"flows": [flow_view(f, bound[f.id], with_document=False) for f in flows]}


@router.post("/flows", status_code=201)
async def create_flow(body: FlowCreateIn, rt: RuntimeDep, admin: AdminDep) -> dict[str, Any]:
    flow = await svc.create_flow(rt, name=body.name, document=body.document, user_id=admin.id)
    return flow_view(flow, [])


@router.get("/flows/{flow_id}")
async def get_flow(flow_id: str, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        flow = await svc.get_flow(session, flow_id)
        bound = await svc.channels_of(session, [flow.id])
    return flow_view(flow, bound[flow.id])


@router.put("/flows/{flow_id}")
async def save_flow(
    flow_id: str, body: FlowSaveIn, rt: RuntimeDep, admin: AdminDep
) -> dict[str, Any]:
    flow = await svc.save_flow(
        rt,
        flow_id,
        document=body.document,
        revision=body.revision,
        name=body.name,
        user_id=admin.id,
    )
    async with rt.db.read() as session:
        bound = await svc.channels_of(session, [flow.id])
    return flow_view(flow, bound[flow.id])


@router.delete("/flows/{flow_id}", status_code=204)
async def delete_flow(flow_id: str, rt: RuntimeDep, _admin: AdminDep) -> None:
    await svc.delete_flow(rt, flow_id)


@router.post("/flows/{flow_id}/validate")
async def validate_flow(
    flow_id: str,
    rt: RuntimeDep,
    _admin: AdminDep,
    body: ValidateIn | None = Body(default=None),
) -> dict[str, Any]:
    problems = await svc.validate_flow(rt, flow_id, body.document if body else None)
    return {
        "valid": not any(p.severity == "error" for p in problems),
        "problems": [p.to_dict() for p in problems],
    }


@router.post("/flows/{flow_id}/publish", status_code=201)
async def publish_flow(
    flow_id: str,
    rt: RuntimeDep,
    admin: AdminDep,
    body: PublishIn | None = Body(default=None),
) -> dict[str, Any]:
    body = body or PublishIn()
    version = await svc.publish_flow(
        rt, flow_id, note=body.note, user_id=admin.id, revision=body.revision
    )
    return version_view(version, with_document=True)


@router.post("/flows/{flow_id}/simulate", status_code=201)
async def simulate_flow(
    flow_id: str,
    rt: RuntimeDep,
    admin: AdminDep,
    body: SimulateIn | None = Body(default=None),
) -> dict[str, Any]:
    """Test the draft (or an unsaved `document`) without publishing: a sandbox conversation.

    The answer is the customer start's; the customer API then drives it with the token.
    A `transfer` reaches no agent: a notice says where it would go and the flow goes on.
    """
    result = await simulate(rt, flow_id, body.document if body else None, user_id=admin.id)
    return {
        "conversation": conversation_view(result.conversation),
        "customer_token": result.customer_token,
        "messages": [message_view(m) for m in result.messages],
    }


@router.get("/flows/{flow_id}/versions")
async def list_versions(flow_id: str, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    versions = await svc.list_versions(rt, flow_id)
    return {"versions": [version_view(v) for v in versions]}


@router.get("/flows/{flow_id}/versions/{number}")
async def get_version(
    flow_id: str, number: VersionNumber, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    async with rt.db.read() as session:
        version = await svc.get_version(session, flow_id, number)
    return version_view(version, with_document=True)


@router.post("/flows/{flow_id}/versions/{number}/restore")
async def restore_version(
    flow_id: str, number: VersionNumber, rt: RuntimeDep, admin: AdminDep
) -> dict[str, Any]:
    flow = await svc.restore_version(rt, flow_id, number, admin.id)
    async with rt.db.read() as session:
        bound = await svc.channels_of(session, [flow.id])
    return flow_view(flow, bound[flow.id])
