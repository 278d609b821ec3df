"""Where the web widget may run: a channel's allowed origins, and CORS for the customer API.

The widget runs on the customer's site (another origin) and calls the customer
endpoints with a bearer token, never a cookie. So those endpoints answer
cross-origin requests from the channel's allowed origins (any, when the list is
empty) without `Access-Control-Allow-Credentials`: a browser then never attaches
a staff session cookie to a request whose answer a foreign page may read. Staff
endpoints get no CORS headers at all. A request without `Origin` (a server-side
API client) is not a browser's and is always let through; so is our own origin
(the console's simulator, the demo page).
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flowdesk.errors import Forbidden
from flowdesk.runtime import Runtime
from flowdesk.services.channels import ChannelSettings
from flowdesk.storage.models import Channel, Conversation

#: The customer endpoints the widget calls, by what names their channel.
_BY_KEY = re.compile(r"^/api/v1/channels/(?P<key>[^/]+)/(?:conversations|widget)$")
_BY_CONVERSATION = re.compile(r"^/api/v1/conversations/(?P<id>[^/]+)/(?:messages|close)$")
ALLOW_METHODS = "GET, POST, OPTIONS"
ALLOW_HEADERS = "authorization, content-type"
PREFLIGHT_MAX_AGE = "600"
#: How long a channel's allowed origins, once read, answer the widget's messages' CORS.
POLICY_CHECK_SECONDS = 1.0
POLICY_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Policy:
    """A channel's origin rule: an empty list allows any origin."""

    allowed: tuple[str, ...]

    @classmethod
    def of(cls, raw_settings: object) -> Policy:
        settings = ChannelSettings.model_validate(raw_settings or {})
        return cls(tuple(settings.allowed_origins))

    def allows(self, origin: str) -> bool:
        return not self.allowed or normalise(origin) in self.allowed

    def allow_origin_header(self, origin: str) -> str | None:
        """`*` when any origin may call, the origin itself when listed, else None (refused)."""
        if not self.allowed:
            return "*"
        return origin if self.allows(origin) else None


def normalise(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def is_own_origin(origin: str, host: str | None, public_url: str | None) -> bool:
    """The request comes from a page Flowdesk served itself (same host, or the public URL).

    Only the host is compared, not the scheme: behind a TLS-terminating proxy the
    server sees http while the browser says https.
    """
    netloc = urlsplit(normalise(origin)).netloc
    if host is not None and netloc == host.lower():
        return True
    return public_url is not None and netloc == urlsplit(normalise(public_url)).netloc


def foreign_origin(headers: Headers, public_url: str | None) -> str | None:
    """The request's `Origin` when it is another site's; None for our own pages and non-browsers."""
    origin = headers.get("origin")
    # `null` (sandboxed frames, file:// pages) stays foreign: it is allowed only where any is.
    if not origin or (origin != "null" and is_own_origin(origin, headers.get("host"), public_url)):
        return None
    return origin


async def policy_by_key(rt: Runtime, key: str) -> Policy | None:
    async with rt.db.read() as session:
        raw = await session.scalar(select(Channel.settings).where(Channel.key == key))
    return None if raw is None else Policy.of(raw)


async def policy_by_channel(rt: Runtime, channel_id: str) -> Policy | None:
    async with rt.db.read() as session:
        raw = await session.scalar(select(Channel.settings).where(Channel.id == channel_id))
    return None if raw is None else Policy.of(raw)


class ConversationPolicies:
    """The origin policy of a conversation's channel, for the widget's every message.

    A conversation never changes channel, so that mapping is kept (LRU-bounded); a channel's
    policy is read again once it is older than `POLICY_CHECK_SECONDS`, so a change to the
    allowed origins reaches CORS answers within that time. Without it every cross-origin
    message the widget sent cost a database read before the request was even routed.
    """

    def __init__(self, rt: Runtime, size: int = POLICY_CACHE_SIZE) -> None:
        self.rt = rt
        self._size = size
        self._channel_of: OrderedDict[str, str] = OrderedDict()
        self._policies: dict[str, tuple[Policy, float]] = {}

    async def get(self, conversation_id: str) -> Policy | None:
        channel_id = self._channel_of.get(conversation_id)
        if channel_id is not None:
            self._channel_of.move_to_end(conversation_id)
            cached = self._policies.get(channel_id)
            if cached is not None and time.monotonic() - cached[1] < POLICY_CHECK_SECONDS:
                return cached[0]
        async with self.rt.db.read() as session:
            row = (
                await session.execute(
                    select(Channel.id, Channel.settings)
                    .join(Conversation, Conversation.channel_id == Channel.id)
                    .where(Conversation.id == conversation_id)
                )
            ).first()
        if row is None:
            return None
        channel_id, raw = row
        policy = Policy.of(raw)
        self._channel_of[conversation_id] = channel_id
        if len(self._channel_of) > self._size:
            self._channel_of.popitem(last=False)
        if len(self._policies) > self._size:
            self._policies.clear()
        self._policies[channel_id] = (policy, time.monotonic())
        return policy


async def require_allowed(rt: Runtime, headers: Headers, channel_key: str) -> None:
    """403 when a browser on a site the channel does not list asks to start a conversation."""
    origin = foreign_origin(headers, rt.settings.public_url)
    if origin is None:
        return
    policy = await policy_by_key(rt, channel_key)
    if policy is not None and not policy.allows(origin):
        raise Forbidden(
            "this site may not use this channel (see the channel's allowed origins)",
            code="origin_not_allowed",
        )


class CustomerCors:
    """CORS for the customer endpoints the widget calls; every other path passes untouched."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.rt = runtime
        self.conversations = ConversationPolicies(runtime)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        by_key = _BY_KEY.match(path)
        by_conversation = None if by_key else _BY_CONVERSATION.match(path)
        headers = Headers(scope=scope)
        origin = foreign_origin(headers, self.rt.settings.public_url)
        if origin is None or not (by_key or by_conversation):
            await self.app(scope, receive, send)
            return
        allow: str | None
        if path.endswith("/widget"):
            # Public settings: a page the channel refuses still learns to show "unavailable".
            allow = "*"
        else:
            if by_key:
                policy = await policy_by_key(self.rt, by_key["key"])
            else:
                assert by_conversation is not None
                policy = await self.conversations.get(by_conversation["id"])
            allow = policy.allow_origin_header(origin) if policy is not None else None
        cors = _cors_headers(allow)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            preflight = {"Access-Control-Max-Age": PREFLIGHT_MAX_AGE, **cors} if cors else {}
            await Response(status_code=204, headers=preflight)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and cors:
                extra = [(k.lower().encode(), v.encode()) for k, v in cors.items()]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _cors_headers(allow: str | None) -> dict[str, str]:
    if allow is None:
        return {}
    headers = {
        "Access-Control-Allow-Origin": allow,
        "Access-Control-Allow-Methods": ALLOW_METHODS,
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
    }
    if allow != "*":
        # The answer depends on who asked: caches must keep one copy per origin.
        headers["Vary"] = "Origin"
    return headers
