"""The simulator: the canvas's Test panel runs a draft without publishing it.

A simulation freezes the document as a sandbox snapshot (a negative version
number) and starts an ordinary conversation on it, on the hidden sandbox
channel. From there the customer API drives it unchanged; only the human desk
behaves differently (`desk.request_handoff` never routes a sandbox
conversation to real agents).
"""

from __future__ import annotations

from typing import Any

from flowdesk.engine.validation import validate
from flowdesk.runtime import Runtime
from flowdesk.services import calls
from flowdesk.services.channels import sandbox_channel
from flowdesk.services.conversations import StartResult, open_conversation
from flowdesk.services.flows import (
    add_sandbox_version,
    get_flow,
    parse_document,
    refuse_errors,
    validation_env,
)
from flowdesk.services.tx import transaction
from flowdesk.storage.models import new_id


async def simulate(
    rt: Runtime, flow_id: str, document: Any | None, *, user_id: str | None
) -> StartResult:
    """A test conversation on `document` (default: the saved draft), validated like publish."""
    async with transaction(rt) as tx:
        session = tx.session
        # Locked: snapshot numbers are allocated under it, and a delete waits for us.
        flow = await get_flow(session, flow_id, for_update=True)
        doc = parse_document(document if document is not None else flow.document)
        refuse_errors(
            validate(doc, rt.registry, await validation_env(rt, session)),
            "the flow has errors and cannot be tested",
        )
        version = await add_sandbox_version(session, flow, doc, now=tx.now, user_id=user_id)
        channel = await sandbox_channel(session, tx.now, sqlite=rt.db.is_sqlite)
        result = await open_conversation(
            tx,
            channel,
            flow_id=flow.id,
            flow_version=version.version,
            customer_id=new_id("sim"),
            customer_name="Simulator",
            variables={},
        )
        pending = calls.take(tx.calls)
    # Calls (http_request, the llm chatbot) run for real in the simulator, after the commit.
    result.messages.extend(await calls.settle(rt, pending))
    return result
