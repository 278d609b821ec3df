from __future__ import annotations

import json

from flowdesk.engine.catalogue import catalogue
from flowdesk.engine.module import Registry
from flowdesk.engine.modules import default_modules, default_registry


def test_default_modules_in_palette_order() -> None:
    assert default_registry().types() == [
        "start",
        "service_time",
        "message",
        "menu",
        "collect",
        "condition",
        "set_variable",
        "http_request",
        "chatbot",
        "transfer",
        "survey",
        "end",
    ]
    # A fresh list each call: nothing is registered at import time.
    assert default_modules() is not default_modules()


def test_catalogue_entries(registry: Registry) -> None:
    entries = {entry["type"]: entry for entry in catalogue(registry)}
    assert list(entries) == registry.types()
    assert entries["start"]["deletable"] is False
    assert entries["start"]["ports"] == {"static": ["next"], "dynamic": None}
    assert entries["menu"]["ports"] == {
        "static": ["invalid", "timeout"],
        "dynamic": {"field": "options", "key": "id"},
    }
    assert entries["condition"]["ports"] == {
        "static": ["else"],
        "dynamic": {"field": "cases", "key": "id"},
    }
    assert entries["end"]["ports"] == {"static": [], "dynamic": None}
    assert entries["transfer"]["ports"] == {
        "static": ["done", "no_agent", "timeout"],
        "dynamic": None,
    }
    assert entries["survey"]["ports"] == {"static": ["rated", "skipped"], "dynamic": None}
    assert entries["menu"]["waits_for_customer"] is True
    assert entries["collect"]["waits_for_customer"] is True
    assert entries["transfer"]["waits_for_customer"] is True
    assert entries["survey"]["waits_for_customer"] is True
    assert entries["message"]["waits_for_customer"] is False
    assert entries["message"]["title"] == "Message"
    assert entries["message"]["description"]


def test_config_schemas_describe_every_field(registry: Registry) -> None:
    for entry in catalogue(registry):
        schema = entry["config_schema"]
        json.dumps(schema)
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
        for name, field in schema.get("properties", {}).items():
            assert field.get("description"), f"{entry['type']}.{name} has no description"
    menu = next(e for e in catalogue(registry) if e["type"] == "menu")["config_schema"]
    assert menu["required"] == ["text", "options"]
    assert menu["properties"]["options"]["maxItems"] == 20
    schemas = {e["type"]: e["config_schema"] for e in catalogue(registry)}
    assert schemas["transfer"]["required"] == ["skill_group_id"]
    assert schemas["survey"]["required"] == ["text"]
    assert schemas["survey"]["properties"]["scale"]["enum"] == ["stars5", "levels3"]
