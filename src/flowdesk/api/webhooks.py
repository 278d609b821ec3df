"""Webhook deliveries (admin only): what was sent, what waits, what failed; retry a failed one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from flowdesk.api.deps import MAX_INT, AdminDep, RuntimeDep
from flowdesk.services import webhooks as svc

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.get("/deliveries")
async def list_deliveries(
    rt: RuntimeDep,
    _admin: AdminDep,
    status: svc.Status | None = None,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="`next_before` of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Newest first, optionally only `pending`, `delivered` or `failed` ones."""
    rows = await svc.list_deliveries(rt, status=status, before=before, limit=limit)
    return {
        "webhook_url_configured": bool(rt.settings.webhook_url),
        "deliveries": [svc.delivery_view(row) for row in rows],
        "next_before": rows[-1].id if len(rows) == limit else None,
    }


@router.get("/deliveries/{event_id}")
async def get_delivery(event_id: str, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    """One event with its `data`, as it is (or was) sent."""
    return svc.delivery_view(await svc.get_delivery(rt, event_id), with_body=True)


@router.post("/deliveries/{event_id}/retry")
async def retry_delivery(event_id: str, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    """Send a failed event again, with a fresh set of attempts (409 if it was delivered)."""
    return svc.delivery_view(await svc.retry_delivery(rt, event_id))
