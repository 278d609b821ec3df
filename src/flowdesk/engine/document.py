"""The flow document (SPEC §2): nodes with typed configs, edges from named ports.

This model checks only the *shape* of a document, which is what saving a draft
requires. Whether the flow makes sense (ports, reachability, configs) is the
validator's job, so that work in progress can always be saved.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NODE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def _refuse_non_finite(value: Any, where: str = "config") -> None:
    """NaN and Infinity are not JSON: a stored document must be readable by every backend."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} holds {value!r}, which is not a JSON number")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_non_finite(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_non_finite(item, f"{where}[{index}]")


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    x: float = 0.0
    y: float = 0.0


class Node(BaseModel):
    """One step of a flow; `config` is checked against its module at publish."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=NODE_ID_PATTERN)
    type: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=200)
    config: dict[str, Any] = Field(default_factory=dict)
    position: Position = Field(default_factory=Position)

    @field_validator("config")
    @classmethod
    def _finite_config(cls, config: dict[str, Any]) -> dict[str, Any]:
        _refuse_non_finite(config)
        return config


class Edge(BaseModel):
    """A transition leaving `port` of `source` and entering `target`."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=64)
    port: str = Field(min_length=1, max_length=64)
    target: str = Field(min_length=1, max_length=64)


class FlowDocument(BaseModel):
    """A whole flow as JSON. Node ids must be unique for the document to be well formed."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    name: str = Field(default="", max_length=200)
    nodes: list[Node] = Field(default_factory=list, max_length=2000)
    edges: list[Edge] = Field(default_factory=list, max_length=10000)

    @model_validator(mode="after")
    def _unique_node_ids(self) -> FlowDocument:
        seen: set[str] = set()
        for node in self.nodes:
            if node.id in seen:
                raise ValueError(f"node id {node.id!r} is used more than once")
            seen.add(node.id)
        return self

    def node(self, node_id: str) -> Node | None:
        for node in self.nodes:
            if node.id == node_id:
                return node
        return None
