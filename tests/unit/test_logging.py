"""Secrets in URLs never reach the logs."""

from __future__ import annotations

import logging

from flowdesk.logging import RedactTokens, configure_logging, redact


def test_token_query_values_are_redacted() -> None:
    line = '127.0.0.1:5 - "WebSocket /api/v1/conversations/c/stream?token=eyJ.a.b&after_seq=3"'
    assert redact(line) == (
        '127.0.0.1:5 - "WebSocket /api/v1/conversations/c/stream?token=[redacted]&after_seq=3"'
    )
    assert redact("/x?after_seq=1&token=abc") == "/x?after_seq=1&token=[redacted]"
    assert redact("/x?notatoken=abc") == "/x?notatoken=abc"


def test_uvicorn_log_records_are_scrubbed() -> None:
    configure_logging("info")
    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactTokens) for f in access.filters)
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s"',
        ("127.0.0.1", "GET", "/s?token=secret-value"),
        None,
    )
    for log_filter in access.filters:
        log_filter.filter(record)
    assert "secret-value" not in record.getMessage()
