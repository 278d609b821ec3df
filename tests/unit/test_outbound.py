"""The SSRF guard: what it refuses never reaches a socket; what it allows really connects."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

import httpcore2
import pytest

from flowdesk.outbound import (
    MAX_RESPONSE_BYTES,
    OutboundRefused,
    ResponseTooLarge,
    fetch,
    guarded_client,
    is_public,
    parse_ip,
)
from flowdesk.settings import Settings
from tests.stub_http import Stub, StubReply, stub_server


class SpyBackend(httpcore2.AsyncNetworkBackend):
    """Records every connect; connects for real (loopback tests) through AnyIO."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []
        self.inner = httpcore2.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        self.connects.append((host, port))
        return await self.inner.connect_tcp(host, port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def settings(*allowed: str) -> Settings:
    return Settings(http_allowed_hosts=list(allowed), environment="test")


def resolver_to(table: dict[str, list[str]]) -> Any:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("no such host")
        return table[host]

    return resolve


@pytest.fixture
def stub() -> Any:
    with stub_server() as server:
        yield server


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("0x7f000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("example.com", None),
        ("cafe.be", None),
    ],
)
def test_parse_ip_reads_every_spelling(host: str, expected: str | None) -> None:
    parsed = parse_ip(host)
    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "64:ff9b::a00:1",
        "2002:7f00:1::",
        "2002:c0a8:101::",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo wrapping 127.0.0.1
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700::1", "2002:808:808::"])
def test_public_addresses(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


REFUSED_URLS = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://0x7f000001:{port}/",
    "http://2130706433:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://127.1:{port}/",
    "http://10.0.0.1:{port}/",
    "http://172.16.0.1:{port}/",
    "http://192.168.1.1:{port}/",
    "http://169.254.169.254/latest/meta-data/",
    "http://inward.test:{port}/",  # a public-looking name that resolves to loopback
    "http://mixed.test:{port}/",  # one public and one private answer
]


@pytest.mark.parametrize("template", REFUSED_URLS)
async def test_refused_without_a_connection(template: str, stub: Stub) -> None:
    spy = SpyBackend()
    resolve = resolver_to(
        {
            "localhost": ["127.0.0.1", "::1"],
            "inward.test": ["127.0.0.1"],
            "mixed.test": ["93.184.216.34", "10.0.0.1"],
        }
    )
    async with guarded_client(settings(), resolver=resolve, network_backend=spy) as client:
        with pytest.raises(OutboundRefused):
            await fetch(client, "GET", template.format(port=stub.port))
    assert spy.connects == []
    assert stub.connections == 0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/"])
async def test_other_schemes_refused(url: str) -> None:
    spy = SpyBackend()
    async with guarded_client(settings(), network_backend=spy) as client:
        with pytest.raises(OutboundRefused):
            await fetch(client, "GET", url)
        with pytest.raises(OutboundRefused):
            await client.get(url)
    assert spy.connects == []


async def test_allow_listed_loopback_host_is_reached(stub: Stub) -> None:
    stub.routes["/ok"] = lambda r: StubReply(200, {"hello": r.headers.get("Host")})
    spy = SpyBackend()
    resolve = resolver_to({"api.internal": ["127.0.0.1"]})
    async with guarded_client(
        settings(f"api.internal:{stub.port}"), resolver=resolve, network_backend=spy
    ) as client:
        got = await fetch(client, "GET", stub.url("/ok", host="api.internal"))
    assert got.status == 200
    # Connected to the address checked once; the Host header still names the host.
    assert spy.connects == [("127.0.0.1", stub.port)]
    assert got.body == b'{"hello": "api.internal:%d"}' % stub.port


async def test_allow_list_entry_with_another_port_does_not_match(stub: Stub) -> None:
    async with guarded_client(settings("127.0.0.1:1")) as client:
        with pytest.raises(OutboundRefused):
            await fetch(client, "GET", stub.url("/"))
    assert stub.connections == 0


async def test_redirect_from_allowed_host_to_private_is_refused(stub: Stub) -> None:
    stub.routes["/hop"] = lambda r: StubReply(302, headers={"location": "http://10.0.0.1/admin"})
    spy = SpyBackend()
    async with guarded_client(settings("127.0.0.1"), network_backend=spy) as client:
        with pytest.raises(OutboundRefused):
            await fetch(client, "GET", stub.url("/hop"))
        # httpx's own redirect following is guarded the same way.
        with pytest.raises(OutboundRefused):
            await client.get(stub.url("/hop"), follow_redirects=True)
    assert {host for host, _ in spy.connects} == {"127.0.0.1"}
    assert stub.hits("/hop") == 2


async def test_redirects_are_followed_and_capped(stub: Stub) -> None:
    stub.routes["/a"] = lambda r: StubReply(302, headers={"location": "/b"})
    stub.routes["/b"] = lambda r: StubReply(
        200, {"at": "b", "auth": r.headers.get("Authorization")}
    )
    stub.routes["/loop"] = lambda r: StubReply(307, headers={"location": "/loop"})
    async with guarded_client(settings("127.0.0.1")) as client:
        got = await fetch(client, "GET", stub.url("/a"), headers={"Authorization": "Bearer s"})
        assert got.status == 200 and b'"at": "b"' in got.body
        assert b'"auth": "Bearer s"' in got.body  # same origin: kept
        with pytest.raises(OutboundRefused, match="redirects"):
            await fetch(client, "GET", stub.url("/loop"))
    assert stub.hits("/loop") == 6


async def test_response_is_capped(stub: Stub) -> None:
    stub.routes["/big"] = lambda r: StubReply(200, b"x" * (MAX_RESPONSE_BYTES + 10))
    stub.routes["/fits"] = lambda r: StubReply(200, b"x" * MAX_RESPONSE_BYTES)
    async with guarded_client(settings("127.0.0.1")) as client:
        with pytest.raises(ResponseTooLarge):
            await fetch(client, "GET", stub.url("/big"))
        assert len((await fetch(client, "GET", stub.url("/fits"))).body) == MAX_RESPONSE_BYTES


async def test_unresolvable_host_is_a_connection_error() -> None:
    import httpx2 as httpx

    async with guarded_client(settings(), resolver=resolver_to({})) as client:
        with pytest.raises(httpx.ConnectError) as info:
            await fetch(client, "GET", "http://nowhere.test/")
    assert not isinstance(info.value, OutboundRefused)
