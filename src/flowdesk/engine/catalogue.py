"""The module catalogue (`GET /api/v1/modules`): what the canvas palette and forms read."""

from __future__ import annotations

from typing import Any

from flowdesk.engine.module import Registry


def catalogue(registry: Registry) -> list[dict[str, Any]]:
    """For each module type, in registry order: its texts, config JSON Schema and ports."""
    entries: list[dict[str, Any]] = []
    for module in registry:
        dynamic = module.ports_dynamic
        entries.append(
            {
                "type": module.type,
                "title": module.title,
                "description": module.description,
                "config_schema": module.Config.model_json_schema(),
                "ports": {
                    "static": list(module.ports_static),
                    "dynamic": (
                        None if dynamic is None else {"field": dynamic.field, "key": dynamic.key}
                    ),
                },
                "waits_for_customer": module.waits_for_customer,
                "deletable": module.deletable,
            }
        )
    return entries
