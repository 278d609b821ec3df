"""Channels: entry points customers write to, each bound to at most one published flow."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from flowdesk.errors import Conflict, Invalid, NotFound
from flowdesk.runtime import Runtime
from flowdesk.services.flows import get_flow
from flowdesk.storage.models import SANDBOX_CHANNEL_TYPE, Channel, Conversation, new_id

ChannelType = Literal["web", "api"]

#: The simulator's channel: one, hidden from the channels API and the public start endpoint.
SANDBOX = SANDBOX_CHANNEL_TYPE
SANDBOX_CHANNEL_ID = "chn_sandbox"
#: Abandoned test conversations end after an hour instead of the default day.
SANDBOX_BOT_IDLE_SECONDS = 3600


class ChannelSettings(BaseModel):
    """Per-channel behaviour. Unknown keys are refused so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=100, description="Chat panel title (web).")
    color: str = Field(
        default="#2563eb", pattern=r"^#[0-9a-fA-F]{6}$", description="Accent colour (web)."
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Origins allowed to embed the widget (web); empty allows any.",
    )
    offline_text: str = Field(default="", max_length=1000, description="Shown when unavailable.")
    default_region: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166 region for phone numbers typed without a country code.",
    )
    bot_idle_seconds: int = Field(
        default=86400, ge=60, le=30 * 86400, description="End a conversation idle with the bot."
    )
    customer_idle_seconds: int | None = Field(
        default=None,
        ge=30,
        le=7 * 86400,
        description="With an agent: end the conversation when the customer has not answered "
        "the agent's last message for this long (off when empty).",
    )
    customer_reminder_seconds: int | None = Field(
        default=None,
        ge=10,
        le=7 * 86400,
        description="With an agent: remind the customer after this long without an answer.",
    )
    customer_reminder_text: str = Field(
        default="Are you still there?", max_length=1000, description="The reminder's text."
    )
    customer_timeout_text: str = Field(
        default="", max_length=1000, description="Sent when the customer-idle timeout ends it."
    )
    trust_customer_id: bool = Field(
        default=False,
        description=(
            "Return a customer's open conversation to a start request that names the "
            "customer_id without that conversation's token (for trusted server-side callers)."
        ),
    )

    @model_validator(mode="after")
    def _reminder_before_end(self) -> ChannelSettings:
        if (
            self.customer_reminder_seconds is not None
            and self.customer_idle_seconds is not None
            and self.customer_reminder_seconds >= self.customer_idle_seconds
        ):
            raise ValueError("customer_reminder_seconds must be less than customer_idle_seconds")
        return self

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        cleaned = [origin.strip().rstrip("/").lower() for origin in origins]
        for origin in cleaned:
            if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
                raise ValueError(f"{origin!r} is not an origin like https://shop.example.com")
        return cleaned


def parse_settings(raw: Any) -> ChannelSettings:
    try:
        return ChannelSettings.model_validate(raw or {})
    except ValidationError as exc:
        raise Invalid.from_pydantic(
            exc, "invalid channel settings", loc_prefix=("settings",)
        ) from exc


def channel_settings(channel: Channel) -> ChannelSettings:
    return ChannelSettings.model_validate(channel.settings or {})


@dataclass(frozen=True)
class ChannelView:
    """What running a flow reads of a channel, as of one `updated_at`: parsed once per change
    and kept in `Runtime.channel_views` (a channel changes rarely; messages are many)."""

    id: str
    name: str
    type: str
    settings: ChannelSettings
    #: `settings` as plain data, as modules see it (`RunEnv.channel_settings`).
    settings_data: dict[str, Any]


def channel_view(rt: Runtime, channel: Channel) -> ChannelView:
    view: ChannelView | None = rt.channel_views.get(channel.id, channel.updated_at)
    if view is None:
        settings = channel_settings(channel)
        view = ChannelView(channel.id, channel.name, channel.type, settings, settings.model_dump())
        rt.channel_views.put(channel.id, channel.updated_at, view)
    return view


async def cached_channel_view(
    rt: Runtime, session: AsyncSession, channel_id: str, updated_at: datetime
) -> ChannelView:
    """The channel's view for this `updated_at` (read by the caller), from the cache when it
    is there; only a changed channel is read again."""
    view: ChannelView | None = rt.channel_views.get(channel_id, updated_at)
    if view is not None:
        return view
    channel = await session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"channel {channel_id} not found")
    return channel_view(rt, channel)


async def get_channel(
    session: AsyncSession, channel_id: str, *, for_update: bool = False
) -> Channel:
    """The channel; `for_update` holds its row until commit (read-modify-write on PostgreSQL).

    The sandbox channel is not found: it belongs to the simulator, not to the channels API.
    """
    query = select(Channel).where(Channel.id == channel_id, Channel.type != SANDBOX)
    channel = await session.scalar(query.with_for_update() if for_update else query)
    if channel is None:
        raise NotFound(f"channel {channel_id} not found")
    return channel


_BY_KEY = select(Channel).where(Channel.key == bindparam("key"), Channel.type != SANDBOX)


async def channel_by_key(session: AsyncSession, key: str) -> Channel:
    """The channel customers write to; never the sandbox (only the simulator starts there)."""
    channel = await session.scalar(_BY_KEY, {"key": key})
    if channel is None:
        raise NotFound("no channel has this key")
    return channel


async def sandbox_channel(session: AsyncSession, now: datetime, *, sqlite: bool) -> Channel:
    """The simulator's channel, created on first use (a fixed id: two first uses make one)."""
    insert = sqlite_insert if sqlite else postgresql_insert
    settings = ChannelSettings(bot_idle_seconds=SANDBOX_BOT_IDLE_SECONDS)
    await session.execute(
        insert(Channel)
        .values(
            id=SANDBOX_CHANNEL_ID,
            name="Simulator",
            type=SANDBOX,
            key=secrets.token_urlsafe(24),
            flow_id=None,
            settings=settings.model_dump(mode="json"),
            enabled=True,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=[Channel.id])
    )
    channel = await session.get(Channel, SANDBOX_CHANNEL_ID)
    assert channel is not None
    return channel


async def create_channel(
    rt: Runtime, *, name: str, type: ChannelType, settings: Any, enabled: bool
) -> Channel:
    parsed = parse_settings(settings)
    now = rt.clock.now()
    async with rt.db.write() as session:
        channel = Channel(
            id=new_id("chn"),
            name=name,
            type=type,
            key=secrets.token_urlsafe(24),
            flow_id=None,
            settings=parsed.model_dump(mode="json"),
            enabled=enabled,
            created_at=now,
            updated_at=now,
        )
        session.add(channel)
    return channel


async def update_channel(
    rt: Runtime, channel_id: str, *, name: str | None, settings: Any | None, enabled: bool | None
) -> Channel:
    async with rt.db.write() as session:
        channel = await get_channel(session, channel_id, for_update=True)
        if name is not None:
            channel.name = name
        if settings is not None:
            merged = {**(channel.settings or {}), **settings}
            channel.settings = parse_settings(merged).model_dump(mode="json")
        if enabled is not None:
            channel.enabled = enabled
        channel.updated_at = rt.clock.now()
    return channel


async def delete_channel(rt: Runtime, channel_id: str) -> None:
    """Delete a channel and its ended conversations; refused while customers are talking on it."""
    async with rt.db.write() as session:
        channel = await get_channel(session, channel_id, for_update=True)
        open_count = await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.channel_id == channel.id, Conversation.state != "ended")
        )
        if open_count:
            raise Conflict(
                f"the channel has {open_count} open conversation(s); disable it and retry "
                "when they have ended",
                code="channel_busy",
                details={"open_conversations": open_count},
            )
        await session.delete(channel)


async def bind_flow(rt: Runtime, channel_id: str, flow_id: str) -> Channel:
    """Bind a flow; only one with a published version may serve customers."""
    async with rt.db.write() as session:
        channel = await get_channel(session, channel_id, for_update=True)
        # Locked so a concurrent delete either waits for this bind or is seen as gone (404).
        flow = await get_flow(session, flow_id, for_update=True)
        if flow.latest_version is None:
            raise Conflict(
                f"flow {flow.name!r} has no published version; publish it first",
                code="flow_not_published",
            )
        channel.flow_id = flow.id
        channel.updated_at = rt.clock.now()
    return channel


async def unbind_flow(rt: Runtime, channel_id: str) -> Channel:
    async with rt.db.write() as session:
        channel = await get_channel(session, channel_id, for_update=True)
        channel.flow_id = None
        channel.updated_at = rt.clock.now()
    return channel
