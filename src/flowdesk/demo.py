"""The demo: a reception flow bound to a web and an api channel, with an admin and an agent.

Seeding is idempotent: running `flowdesk demo` again reuses what is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from flowdesk.runtime import Runtime
from flowdesk.services import channels as channel_svc
from flowdesk.services import flows as flow_svc
from flowdesk.services import schedules as schedule_svc
from flowdesk.services import skill_groups as group_svc
from flowdesk.services import users as user_svc
from flowdesk.services.channels import ChannelType
from flowdesk.services.skill_groups import Member
from flowdesk.storage.models import Channel, Flow, Schedule, SkillGroup, User

ADMIN_EMAIL = "admin@flowdesk.local"
ADMIN_PASSWORD = "flowdesk-admin"  # noqa: S105 - demo account, printed on purpose
AGENT_EMAIL = "agent@flowdesk.local"
AGENT_PASSWORD = "flowdesk-agent"  # noqa: S105 - demo account, printed on purpose
FLOW_NAME = "Demo reception"
SCHEDULE_NAME = "Office hours"
GROUP_NAME = "Customer support"


@dataclass(frozen=True)
class DemoInfo:
    flow_id: str
    web_key: str
    api_key: str


def demo_document(schedule_id: str, skill_group_id: str) -> dict[str, Any]:
    """Welcome → service time → menu → email question → condition → end; or a person → survey."""

    def node(node_id: str, type_: str, name: str, x: int, y: int, **config: Any) -> dict[str, Any]:
        return {
            "id": node_id,
            "type": type_,
            "name": name,
            "config": config,
            "position": {"x": round(x * 1.35), "y": round(y * 1.3)},
        }

    def edge(source: str, port: str, target: str) -> dict[str, str]:
        return {"source": source, "port": port, "target": target}

    nodes = [
        node("start", "start", "Start", 0, 200),
        node(
            "welcome",
            "message",
            "Welcome",
            220,
            200,
            text="Hi! You are talking to ${ClientAppName}.",
        ),
        node("hours", "service_time", "Office hours?", 440, 200, schedule_id=schedule_id),
        node(
            "after_hours",
            "message",
            "After hours",
            660,
            380,
            text="Our team is offline now (Mon-Fri 09:00-18:00 London time), "
            "but I can take your request.",
        ),
        node(
            "menu",
            "menu",
            "Main menu",
            880,
            200,
            text="How can we help you today?",
            options=[
                {
                    "id": "sales",
                    "label": "Sales",
                    "description": "Prices and plans",
                    "keywords": ["price", "buy", "plan"],
                },
                {
                    "id": "support",
                    "label": "Technical support",
                    "keywords": ["bug", "broken", "error"],
                },
                {"id": "order", "label": "Order status", "keywords": ["order", "tracking"]},
                {
                    "id": "person",
                    "label": "Talk to a person",
                    "keywords": ["human", "agent", "person"],
                },
            ],
            tail="Tap an option or type its number.",
            retry_text="Sorry, I did not get that. Please choose 1, 2, 3 or 4.",
            max_retries=2,
            timeout_seconds=600,
        ),
        node(
            "topic_sales",
            "set_variable",
            "Topic: sales",
            1100,
            40,
            assignments=[{"variable": "topic", "value": "sales"}],
        ),
        node(
            "topic_support",
            "set_variable",
            "Topic: support",
            1100,
            200,
            assignments=[{"variable": "topic", "value": "support"}],
        ),
        node(
            "topic_order",
            "set_variable",
            "Topic: orders",
            1100,
            360,
            assignments=[{"variable": "topic", "value": "orders"}],
        ),
        node(
            "ask_email",
            "collect",
            "Ask e-mail",
            1320,
            200,
            text="What is your e-mail address?",
            variable="email",
            input_type="email",
            retry_text="That does not look like an e-mail address. Please try again.",
            max_retries=2,
            timeout_seconds=600,
        ),
        node(
            "priority",
            "condition",
            "Priority customer?",
            1540,
            200,
            cases=[
                {
                    "id": "vip",
                    "match": "any",
                    "rules": [
                        {"variable": "email", "operator": "ends_with", "value": "@example.com"}
                    ],
                }
            ],
        ),
        node(
            "vip_reply",
            "message",
            "Priority reply",
            1760,
            100,
            text="Thanks! As a priority customer, our ${topic} team will write to ${email} "
            "within the hour.",
        ),
        node(
            "std_reply",
            "message",
            "Standard reply",
            1760,
            300,
            text="Thanks! Our ${topic} team will write to ${email} within one business day.",
        ),
        node(
            "human",
            "transfer",
            "To an agent",
            1100,
            560,
            skill_group_id=skill_group_id,
            connecting_text="Connecting you to one of our team…",
            queue_text="All our agents are busy. Customers ahead of you: ${WaitNo}.",
            success_text="You are now talking to ${StaffNickName} (agent ${StaffNo}).",
            failure_text="Sorry, nobody from our team is available right now.",
            max_wait_seconds=900,
        ),
        node(
            "rate",
            "survey",
            "Satisfaction",
            1320,
            560,
            text="How would you rate your chat with us?",
            scale="stars5",
            thanks_text="Thank you for your feedback!",
            expire_seconds=3600,
        ),
        node("bye", "end", "Goodbye", 1980, 200, text="Goodbye, and thanks for writing to us."),
        node(
            "give_up",
            "end",
            "Give up",
            1540,
            480,
            text="Sorry we could not help this time. Write again whenever you like.",
        ),
    ]
    edges = [
        edge("start", "next", "welcome"),
        edge("welcome", "next", "hours"),
        edge("hours", "open", "menu"),
        edge("hours", "closed", "after_hours"),
        edge("after_hours", "next", "menu"),
        edge("menu", "sales", "topic_sales"),
        edge("menu", "support", "topic_support"),
        edge("menu", "order", "topic_order"),
        edge("menu", "person", "human"),
        edge("human", "done", "rate"),
        edge("human", "no_agent", "give_up"),
        edge("human", "timeout", "give_up"),
        edge("rate", "rated", "bye"),
        edge("rate", "skipped", "bye"),
        edge("menu", "invalid", "give_up"),
        edge("menu", "timeout", "give_up"),
        edge("topic_sales", "next", "ask_email"),
        edge("topic_support", "next", "ask_email"),
        edge("topic_order", "next", "ask_email"),
        edge("ask_email", "next", "priority"),
        edge("ask_email", "invalid", "give_up"),
        edge("ask_email", "timeout", "give_up"),
        edge("priority", "vip", "vip_reply"),
        edge("priority", "else", "std_reply"),
        edge("vip_reply", "next", "bye"),
        edge("std_reply", "next", "bye"),
    ]
    return {"schema_version": 1, "name": FLOW_NAME, "nodes": nodes, "edges": edges}


#: The widget on the demo page (`/demo/{key}`) looks like the pretend shop's own chat.
WEB_CHAT_SETTINGS: dict[str, Any] = {
    "title": "Acme Shop help",
    "color": "#b45309",
    "offline_text": "Our chat is offline right now. Write to help@acme.example and we will answer.",
    "default_region": "GB",
}

OFFICE_HOURS: dict[str, Any] = {
    "timezone": "Europe/London",
    "weekly": [
        {"day": day, "start": "09:00", "end": "18:00"}
        for day in ("mon", "tue", "wed", "thu", "fri")
    ],
    "overrides": [{"date": "2026-12-25", "closed": True}],
    "force_closed": False,
}


async def seed_demo(rt: Runtime) -> DemoInfo:
    """Create (or find) the demo accounts, schedule, flow and channels."""
    async with rt.db.read() as session:
        emails = set((await session.scalars(select(User.email))).all())
        schedule = await session.scalar(select(Schedule).where(Schedule.name == SCHEDULE_NAME))
        flow = await session.scalar(select(Flow).where(Flow.name == FLOW_NAME))
        group = await session.scalar(select(SkillGroup).where(SkillGroup.name == GROUP_NAME))
        channels = {c.name: c for c in await session.scalars(select(Channel))}
    if ADMIN_EMAIL not in emails:
        await user_svc.create_user(
            rt,
            email=ADMIN_EMAIL,
            password=ADMIN_PASSWORD,
            display_name="Demo Admin",
            role="admin",
            staff_no="A001",
        )
    if AGENT_EMAIL not in emails:
        await user_svc.create_user(
            rt,
            email=AGENT_EMAIL,
            password=AGENT_PASSWORD,
            display_name="Alice",
            role="agent",
            staff_no="1001",
            max_concurrent=3,
        )
    if group is None:
        async with rt.db.read() as session:
            agent_id = await session.scalar(select(User.id).where(User.email == AGENT_EMAIL))
        members = [Member(user_id=agent_id, priority=1)] if agent_id else []
        group = (await group_svc.create_skill_group(rt, name=GROUP_NAME, members=members)).group
    if schedule is None:
        schedule = await schedule_svc.create_schedule(rt, name=SCHEDULE_NAME, spec=OFFICE_HOURS)
    if flow is None:
        flow = await flow_svc.create_flow(
            rt, name=FLOW_NAME, document=demo_document(schedule.id, group.id), user_id=None
        )
        await flow_svc.publish_flow(rt, flow.id, note="Demo", user_id=None, revision=None)
    keys: dict[str, str] = {}
    demo_channels: tuple[tuple[str, ChannelType, dict[str, Any]], ...] = (
        ("Demo web chat", "web", WEB_CHAT_SETTINGS),
        ("Demo API", "api", {"title": "Flowdesk demo", "default_region": "GB"}),
    )
    for name, type_, settings in demo_channels:
        channel = channels.get(name)
        if channel is None:
            channel = await channel_svc.create_channel(
                rt,
                name=name,
                type=type_,
                settings=settings,
                enabled=True,
            )
        if channel.flow_id is None:
            await channel_svc.bind_flow(rt, channel.id, flow.id)
        keys[type_] = channel.key
    return DemoInfo(flow_id=flow.id, web_key=keys["web"], api_key=keys["api"])
