"""`flowdesk bench` end to end: real servers, every key of the report, nothing lost."""

from __future__ import annotations

from flowdesk.bench import CUSTOMER_TURNS, BenchConfig, run

REQUIRED = {
    "messages_per_second",
    "p50_ms",
    "p99_ms",
    "conversations_per_second",
    "baseline_messages_per_second",
    "ratio_to_baseline",
    "errors",
    "lost",
    "setup",
}


async def test_a_short_run_reports_every_figure_and_loses_nothing() -> None:
    config = BenchConfig(concurrency=4, duration=1.5, baseline_duration=1.0, warmup=0.3, idle=5)
    result = await run(config)
    assert set(result) >= REQUIRED
    assert result["errors"] == 0, result.get("error_examples")
    assert result["lost"] == 0
    assert result["stream_gaps"] == 0
    assert result["messages"] > 0 and result["conversations"] > 0
    assert result["messages"] == CUSTOMER_TURNS * result["conversations"]
    assert result["baseline_messages_per_second"] > 0
    assert result["setup"]["database"] == "sqlite"
    assert result["idle_conversations"] == 5
    assert "kib_per_idle_conversation" in result
