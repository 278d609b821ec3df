"""The `flowdesk` command: serve, demo, migrate, users, flows kept as files."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from flowdesk.clock import SystemClock
from flowdesk.engine.modules import default_registry
from flowdesk.errors import FlowdeskError
from flowdesk.runtime import Runtime
from flowdesk.settings import Settings
from flowdesk.storage.db import migrate as run_migrations

app = typer.Typer(
    help="Flowdesk: customer service built around conversation service flows.", no_args_is_help=True
)
users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
flow_app = typer.Typer(help="Flows kept as files.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(flow_app, name="flow")
console = Console()
err_console = Console(stderr=True)
T = TypeVar("T")

HostOpt = Annotated[str | None, typer.Option(help="Address to listen on.")]
PortOpt = Annotated[int | None, typer.Option(help="Port to listen on.")]


def _settings(**overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**values)


def _with_runtime(settings: Settings, action: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run one service call against the configured database (migrated first)."""

    async def main() -> T:
        run_migrations(settings.database_url)
        rt = Runtime.build(settings, SystemClock(), default_registry())
        try:
            return await action(rt)
        finally:
            await rt.db.dispose()

    try:
        return asyncio.run(main())
    except FlowdeskError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}")
        if exc.details:
            err_console.print_json(data=exc.details)
        raise typer.Exit(1) from exc


def _serve(settings: Settings) -> None:
    import uvicorn

    from flowdesk.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        # Every idle conversation holds a WebSocket: wsproto keeps ~2 KiB less per connection
        # than websockets. Browsers offer permessage-deflate; accepting it would keep zlib
        # state per stream (~40 KiB with websockets, ~95 with wsproto) to shrink events of a
        # few hundred bytes.
        ws="wsproto",
        ws_per_message_deflate=False,
    )


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None) -> None:
    """Run the server: API at /api/v1, health at /healthz and /readyz."""
    _serve(_settings(host=host, port=port))


@app.command()
def migrate() -> None:
    """Upgrade the database schema to the latest version."""
    settings = _settings()
    run_migrations(settings.database_url)
    console.print("database schema is up to date")


@app.command()
def demo(host: HostOpt = None, port: PortOpt = None) -> None:
    """Seed a demo flow, channels and accounts, print how to reach them, and serve."""
    from flowdesk import demo as demo_module

    settings = _settings(host=host, port=port)
    info = _with_runtime(settings, demo_module.seed_demo)
    url = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    console.print(f"\n[bold]Flowdesk demo[/bold] is starting at [cyan]{url}[/cyan]\n")
    table = Table(show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("value")
    table.add_row("API", f"{url}/api/v1  (OpenAPI: {url}/api/v1/openapi.json)")
    table.add_row("admin login", f"{demo_module.ADMIN_EMAIL} / {demo_module.ADMIN_PASSWORD}")
    table.add_row("agent login", f"{demo_module.AGENT_EMAIL} / {demo_module.AGENT_PASSWORD}")
    table.add_row("api channel key", info.api_key)
    table.add_row("web channel key", info.web_key)
    table.add_row("chat widget demo", f"{url}/demo/{info.web_key}  (a shop page with the widget)")
    table.add_row("demo flow id", info.flow_id)
    console.print(table)
    console.print("\nTalk to the demo flow:")
    console.print(
        f"  curl -s -X POST {url}/api/v1/channels/{info.api_key}/conversations "
        "-H 'content-type: application/json' -d '{}'\n",
        soft_wrap=True,
        markup=False,
    )
    _serve(settings)


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Sign-in e-mail.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, help="8+ characters.")],
    name: Annotated[str, typer.Option(help="Display name customers see.")],
    role: Annotated[str, typer.Option(help="admin or agent.")] = "agent",
    staff_no: Annotated[str | None, typer.Option(help="Employee number.")] = None,
    max_concurrent: Annotated[int, typer.Option(help="Chats served at once.")] = 5,
) -> None:
    """Create a staff account."""
    from flowdesk.services.users import create_user

    if role not in ("admin", "agent"):
        err_console.print("[red]error:[/red] role must be admin or agent")
        raise typer.Exit(2)
    user = _with_runtime(
        _settings(),
        lambda rt: create_user(
            rt,
            email=email,
            password=password,
            display_name=name,
            role=role,  # type: ignore[arg-type]
            staff_no=staff_no,
            max_concurrent=max_concurrent,
        ),
    )
    console.print(f"created {user.role} {user.email} ({user.id})")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        err_console.print(f"[red]error:[/red] cannot read {path}: {exc}")
        raise typer.Exit(2) from exc


@flow_app.command("validate")
def flow_validate(file: Path) -> None:
    """Check a flow file against the module registry and the database's objects."""
    from flowdesk.engine.validation import validate
    from flowdesk.services.flows import parse_document, validation_env

    raw = _read_json(file)

    async def check(rt: Runtime) -> list[Any]:
        document = parse_document(raw)
        async with rt.db.read() as session:
            env = await validation_env(rt, session)
        return validate(document, rt.registry, env)

    problems = _with_runtime(_settings(), check)
    if not problems:
        console.print(f"{file}: valid")
        return
    table = Table("severity", "code", "node", "port", "message")
    for problem in problems:
        table.add_row(
            problem.severity,
            problem.code,
            problem.node_id or "",
            problem.port or "",
            problem.message,
        )
    console.print(table)
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(1)


@flow_app.command("import")
def flow_import(
    file: Path,
    name: Annotated[str | None, typer.Option(help="Flow name (default: the file's).")] = None,
    publish: Annotated[bool, typer.Option(help="Publish it after import.")] = False,
) -> None:
    """Create a flow from a JSON file."""
    from flowdesk.services import flows as svc

    raw = _read_json(file)
    flow_name = name or (raw.get("name") if isinstance(raw, dict) else None) or file.stem

    async def do_import(rt: Runtime) -> str:
        flow = await svc.create_flow(rt, name=flow_name, document=raw, user_id=None)
        if publish:
            await svc.publish_flow(
                rt, flow.id, note=f"imported from {file.name}", user_id=None, revision=None
            )
        return flow.id

    flow_id = _with_runtime(_settings(), do_import)
    console.print(flow_id)


@flow_app.command("export")
def flow_export(
    flow_id: str,
    version: Annotated[
        int | None, typer.Option(help="A published version (default: draft).")
    ] = None,
) -> None:
    """Print a flow's draft (or a published version) as JSON."""
    from flowdesk.services import flows as svc

    async def do_export(rt: Runtime) -> dict[str, Any]:
        async with rt.db.read() as session:
            if version is not None:
                return (await svc.get_version(session, flow_id, version)).document
            return (await svc.get_flow(session, flow_id)).document

    document = _with_runtime(_settings(), do_export)
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


@app.command()
def bench(
    quick: Annotated[bool, typer.Option(help="A short run (under a minute).")] = False,
    database_url: Annotated[
        str | None, typer.Option(help="Database for the nodes (default: a fresh SQLite file).")
    ] = None,
    redis_url: Annotated[str | None, typer.Option(help="Redis for several nodes.")] = None,
    nodes: Annotated[int, typer.Option(min=1, max=16, help="Flowdesk processes.")] = 1,
    concurrency: Annotated[int, typer.Option(min=1, max=5000, help="Customers at once.")] = 100,
    duration: Annotated[float | None, typer.Option(min=1, help="Seconds of measured load.")] = None,
    idle: Annotated[
        int, typer.Option(min=0, help="Also hold N idle conversations with open streams.")
    ] = 0,
) -> None:
    """Measure customer messages per second and latency next to a trivial-route baseline."""
    from flowdesk.bench import BenchConfig, run

    measured = duration or (8.0 if quick else 20.0)
    config = BenchConfig(
        database_url=database_url,
        redis_url=redis_url,
        nodes=nodes,
        concurrency=concurrency,
        duration=measured,
        baseline_duration=min(measured, 6.0 if quick else 10.0),
        warmup=1.0 if quick else 2.0,
        idle=idle,
    )
    result = asyncio.run(run(config))
    sys.stdout.write(json.dumps(result) + "\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
