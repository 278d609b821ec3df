"""The composition root: settings in, a running FastAPI application out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import APIRouter, FastAPI

from flowdesk.api import (
    agent,
    auth,
    channels,
    conversations,
    flows,
    health,
    knowledge_bases,
    schedules,
    skill_groups,
    users,
    webhooks,
    widget,
)
from flowdesk.api.errors import RefuseNul, install_error_handlers
from flowdesk.api.origins import CustomerCors
from flowdesk.clock import Clock, SystemClock
from flowdesk.console import SecurityHeaders, default_console_dir, install_console
from flowdesk.engine.module import Registry
from flowdesk.engine.modules import default_registry
from flowdesk.logging import configure_logging
from flowdesk.presence import Presence, presence_store
from flowdesk.runtime import Runtime
from flowdesk.scheduler import TimerScheduler
from flowdesk.services import calls
from flowdesk.services.users import ensure_first_admin
from flowdesk.services.webhooks import WebhookDispatcher
from flowdesk.settings import Settings
from flowdesk.storage.db import migrate

API_PREFIX = "/api/v1"
log = structlog.get_logger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    registry: Registry | None = None,
    run_scheduler: bool = True,
) -> FastAPI:
    """Build the application. Tests pass a `ManualClock` and may drive the scheduler by hand."""
    settings = settings or Settings()
    configure_logging(settings.log_level)
    rt = Runtime.build(settings, clock or SystemClock(), registry or default_registry())
    scheduler = TimerScheduler(rt)
    presence = Presence(
        rt, settings.agent_offline_grace_seconds, presence_store(settings.redis_url)
    )
    dispatcher = WebhookDispatcher(rt)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.auto_migrate:
            await asyncio.to_thread(migrate, settings.database_url)
        await ensure_first_admin(rt)
        await rt.bus.start()
        if run_scheduler:
            scheduler.start()
            if settings.webhook_url:
                dispatcher.start()
        await presence.start()
        log.info("flowdesk_started", database=rt.db.dialect)
        try:
            yield
        finally:
            await dispatcher.stop()
            await presence.stop()
            await scheduler.stop()
            await calls.stop(rt)
            await rt.close_outbound()
            await rt.bus.stop()
            await rt.sign_in_failures.close()
            await rt.db.dispose()

    app = FastAPI(
        title="Flowdesk",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.runtime = rt
    app.state.scheduler = scheduler
    app.state.presence = presence
    app.state.webhooks = dispatcher
    install_error_handlers(app)
    app.add_middleware(RefuseNul)
    # The API docs page loads Swagger UI from a CDN: the console's strict CSP would blank it.
    docs_pages = {app.docs_url, app.swagger_ui_oauth2_redirect_url}
    app.add_middleware(SecurityHeaders, skip_csp=frozenset(p for p in docs_pages if p))
    # The widget calls the customer endpoints from other sites (bearer tokens, no cookies).
    app.add_middleware(CustomerCors, runtime=rt)
    api = APIRouter(prefix=API_PREFIX)
    # Routes are matched in order, one by one: the customer and agent routes, which carry
    # nearly all the traffic, come first (their paths overlap no other router's).
    for module in (
        conversations,
        agent,
        auth,
        flows,
        channels,
        schedules,
        skill_groups,
        users,
        knowledge_bases,
        webhooks,
    ):
        api.include_router(module.router)
    api.include_router(widget.api_router)
    app.include_router(api)
    app.include_router(health.router)
    app.include_router(widget.page_router)
    install_console(app, settings.console_dir or default_console_dir())
    return app
