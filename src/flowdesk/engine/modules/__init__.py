"""The module types this server ships, listed explicitly (no import-time registration)."""

from __future__ import annotations

from typing import Any

from flowdesk.engine.module import Module, Registry
from flowdesk.engine.modules.chatbot import ChatbotModule
from flowdesk.engine.modules.collect import CollectModule
from flowdesk.engine.modules.condition import ConditionModule
from flowdesk.engine.modules.end import EndModule
from flowdesk.engine.modules.http_request import HttpRequestModule
from flowdesk.engine.modules.menu import MenuModule
from flowdesk.engine.modules.message import MessageModule
from flowdesk.engine.modules.service_time import ServiceTimeModule
from flowdesk.engine.modules.set_variable import SetVariableModule
from flowdesk.engine.modules.start import StartModule
from flowdesk.engine.modules.survey import SurveyModule
from flowdesk.engine.modules.transfer import TransferModule


def default_modules() -> list[Module[Any]]:
    """One instance of each built-in module type, in palette order."""
    return [
        StartModule(),
        ServiceTimeModule(),
        MessageModule(),
        MenuModule(),
        CollectModule(),
        ConditionModule(),
        SetVariableModule(),
        HttpRequestModule(),
        ChatbotModule(),
        TransferModule(),
        SurveyModule(),
        EndModule(),
    ]


def default_registry() -> Registry:
    """A registry of the built-in module types."""
    return Registry(default_modules())
