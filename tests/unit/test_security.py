"""Customer tokens: verified once per process, but expiry and the secret still decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flowdesk.security import CustomerClaims, issue_customer_token, read_customer_token

SECRET = "unit-test-secret-" + "s" * 32
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
CLAIMS = CustomerClaims("cnv_1", "chn_1", "cus_1")


def test_a_token_read_again_is_still_refused_once_expired() -> None:
    token = issue_customer_token(SECRET, CLAIMS, now=NOW, ttl=timedelta(hours=1))
    assert read_customer_token(SECRET, token, now=NOW) == CLAIMS
    assert read_customer_token(SECRET, token, now=NOW + timedelta(minutes=59)) == CLAIMS
    assert read_customer_token(SECRET, token, now=NOW + timedelta(hours=1)) is None
    assert read_customer_token(SECRET, token, now=NOW + timedelta(days=3)) is None


def test_a_verified_token_is_refused_under_another_secret_or_when_altered() -> None:
    token = issue_customer_token(SECRET, CLAIMS, now=NOW, ttl=timedelta(hours=1))
    assert read_customer_token(SECRET, token, now=NOW) == CLAIMS
    assert read_customer_token("another-secret-" + "x" * 32, token, now=NOW) is None
    head, payload, signature = token.split(".")
    altered = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    assert read_customer_token(SECRET, altered, now=NOW) is None
    assert read_customer_token(SECRET, "not-a-token", now=NOW) is None
