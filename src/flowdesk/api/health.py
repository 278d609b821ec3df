"""Liveness, readiness and metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.asyncio import Redis

from flowdesk.api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, Any]:
    """The process is up (says nothing of its dependencies)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(rt: RuntimeDep) -> JSONResponse:
    """Ready to serve: the database answers (and Redis, when configured)."""
    try:
        await rt.db.ping()
    except Exception:
        return JSONResponse(
            {"error": {"code": "not_ready", "message": "the database is unreachable"}},
            status_code=503,
        )
    redis_url = rt.settings.redis_url
    if redis_url:
        client = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        try:
            await client.ping()
        except Exception:
            return JSONResponse(
                {"error": {"code": "not_ready", "message": "Redis is unreachable"}},
                status_code=503,
            )
        finally:
            await client.aclose()
    return JSONResponse({"status": "ready", "database": rt.db.dialect, "redis": bool(redis_url)})


@router.get("/metrics")
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
