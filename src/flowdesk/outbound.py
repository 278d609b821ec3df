"""Outbound HTTP that cannot be turned against our own network (SSRF guard).

Every request a flow (or a routing/webhook callback) makes to a URL an admin typed
goes through `guarded_client`. The guard sits at the one place a connection is
opened, the network backend's `connect_tcp`: the host name is resolved once, every
address it resolves to must be public (unless the host is allow-listed), and the
socket is opened to that validated address. TLS (SNI and certificate checks) and
the `Host` header keep using the original name, because httpcore still sees the
name, so a DNS answer that changes between check and use (rebinding) cannot
redirect the connection. Redirects are new requests, so each hop is checked the
same way; `fetch` follows at most `MAX_REDIRECTS` of them itself and caps a
response at `MAX_RESPONSE_BYTES`.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import httpcore2
import httpx2 as httpx

from flowdesk.settings import Settings

MAX_RESPONSE_BYTES = 1_000_000
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
ALLOWED_SCHEMES = ("http", "https")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
#: The shared client's pool (`Runtime.outbound`): connections kept open to the APIs flows call.
MAX_CONNECTIONS = 100
MAX_KEEPALIVE_CONNECTIONS = 20
KEEPALIVE_SECONDS = 5.0

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
#: `(host, port) -> addresses`: how a host name is resolved (tests inject a fake).
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Forms inet_aton accepts that a URL parser leaves alone: 2130706433, 0x7f000001, 0177.0.0.1, 127.1.
_LOOSE_IPV4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.IGNORECASE)
# Ranges `ipaddress` calls global that must still never be reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class OutboundRefused(httpx.ConnectError):
    """The guard refused the destination; no connection was made."""


class ResponseTooLarge(httpx.TransportError):
    """The response body passed `MAX_RESPONSE_BYTES`; reading stopped there."""


# --------------------------------------------------------------------------- address checks


def parse_ip(host: str) -> Address | None:
    """`host` as an IP address in any spelling (incl. the odd IPv4 forms), else None."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        pass
    if _LOOSE_IPV4.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0:  # IPv4-compatible ::a.b.c.d (deprecated)
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """True only for a global unicast address, also looking inside IPv6 forms that wrap IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL:
            return False
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_private
        and not address.is_unspecified
    )


async def system_resolver(host: str, port: int) -> list[str]:
    """The machine's resolver (getaddrinfo, off the event loop)."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class AllowList:
    """Hosts reachable even on private addresses: `name` (any port) or `name:port`."""

    entries: frozenset[str]

    @classmethod
    def of(cls, hosts: Iterable[str]) -> AllowList:
        return cls(frozenset(h.strip().lower().rstrip(".") for h in hosts if h.strip()))

    def permits(self, host: str, port: int) -> bool:
        name = host.strip("[]").lower().rstrip(".")
        return name in self.entries or f"{name}:{port}" in self.entries


# --------------------------------------------------------------------------- the guarded backend


class GuardedBackend(httpcore2.AsyncNetworkBackend):
    """A network backend that resolves, checks, then connects to the checked address only."""

    def __init__(
        self,
        allow: AllowList,
        *,
        resolver: Resolver | None = None,
        inner: httpcore2.AsyncNetworkBackend | None = None,
    ) -> None:
        self.allow = allow
        self.resolver = resolver or system_resolver
        self.inner = inner or httpcore2.AnyIOBackend()

    async def resolve(self, host: str, port: int) -> str:
        """The address to connect to, or `OutboundRefused`."""
        literal = parse_ip(host)
        if literal is not None:
            addresses: Sequence[Address] = [literal]
        else:
            try:
                found = await self.resolver(host, port)
            except OSError as exc:
                raise httpx.ConnectError(f"cannot resolve {host}") from exc
            addresses = [a for a in (parse_ip(f) for f in found) if a is not None]
            if not addresses:
                raise httpx.ConnectError(f"cannot resolve {host}")
        if self.allow.permits(host, port):
            return str(addresses[0])
        # Every answer must be public: connecting to the first public one of a mixed answer
        # would still let a name that also points inwards pass review by chance.
        for address in addresses:
            if not is_public(address):
                raise OutboundRefused(f"{host} resolves to a non-public address")
        return str(addresses[0])

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        address = await self.resolve(host, port)
        return await self.inner.connect_tcp(
            address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        raise OutboundRefused("unix sockets are not reachable")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """The system's trust store as an SSL context, built once: loading the certificates took
    about two thirds of a whole customer turn that made an `http_request` call (py-spy)."""
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the guarded backend under its pool; http(s) URLs only, no proxy."""

    def __init__(self, backend: GuardedBackend) -> None:
        context = default_ssl_context()
        super().__init__(verify=context, trust_env=False)
        # httpx exposes no public way to pass a network backend; the pool is rebuilt with ours.
        self._pool = httpcore2.AsyncConnectionPool(
            ssl_context=context,
            max_connections=MAX_CONNECTIONS,
            max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS,
            keepalive_expiry=KEEPALIVE_SECONDS,
            network_backend=backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ALLOWED_SCHEMES:
            raise OutboundRefused(f"only http and https URLs are allowed, not {request.url.scheme}")
        if not request.url.host:
            raise OutboundRefused("the URL has no host")
        return await super().handle_async_request(request)


def guarded_client(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    resolver: Resolver | None = None,
    network_backend: httpcore2.AsyncNetworkBackend | None = None,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` that only reaches public addresses (or allow-listed hosts).

    Redirects are not followed by default (`fetch` follows them, each hop checked); a
    caller that turns `follow_redirects` on is still guarded, since every hop connects
    through the same backend. `transport` replaces the whole guarded transport (for tests
    of callers that never touch the network); `resolver` and `network_backend` are the
    seams the guard's own tests use.
    """
    if transport is None:
        backend = GuardedBackend(
            AllowList.of(settings.http_allowed_hosts), resolver=resolver, inner=network_backend
        )
        transport = GuardedTransport(backend)
    return httpx.AsyncClient(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        max_redirects=MAX_REDIRECTS,
        trust_env=False,
    )


# --------------------------------------------------------------------------- fetch


@dataclass(frozen=True)
class Fetched:
    """A complete (capped) response."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str


def check_url(url: str) -> httpx.URL:
    """Parse a URL a flow is about to call: http(s), a host, nothing else."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise OutboundRefused(f"invalid URL: {exc}") from exc
    if parsed.scheme not in ALLOWED_SCHEMES or not parsed.host:
        raise OutboundRefused("only http and https URLs with a host are allowed")
    return parsed


async def _read_capped(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    body = bytearray()
    async for chunk in chunks:
        body.extend(chunk)
        if len(body) > limit:
            raise ResponseTooLarge(f"the response is larger than {limit} bytes")
    return bytes(body)


async def fetch(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    timeout: httpx.Timeout | float | None = None,  # noqa: ASYNC109 - passed to httpx
    limit: int = MAX_RESPONSE_BYTES,
) -> Fetched:
    """One request, following up to `MAX_REDIRECTS` redirects (each re-checked), body capped."""
    current = check_url(url)
    send_headers = dict(headers or {})
    body = content
    for _ in range(MAX_REDIRECTS + 1):
        request = client.build_request(
            method,
            current,
            headers=send_headers,
            content=body,
            timeout=timeout if timeout is not None else client.timeout,
        )
        response = await client.send(request, stream=True)
        try:
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                target = check_url(str(current.join(location)))
                if (target.scheme, target.host, target.port) != (
                    current.scheme,
                    current.host,
                    current.port,
                ):
                    # Credentials meant for one origin never follow a redirect to another.
                    send_headers = {
                        k: v
                        for k, v in send_headers.items()
                        if k.lower() not in ("authorization", "cookie", "proxy-authorization")
                    }
                if response.status_code in (301, 302, 303) and method.upper() != "HEAD":
                    method, body = "GET", None
                    send_headers = {
                        k: v
                        for k, v in send_headers.items()
                        if k.lower() not in ("content-type", "content-length")
                    }
                current = target
                continue
            data = await _read_capped(response.aiter_bytes(), limit)
            return Fetched(response.status_code, dict(response.headers), data, str(current))
        finally:
            await response.aclose()
    raise OutboundRefused(f"more than {MAX_REDIRECTS} redirects")
