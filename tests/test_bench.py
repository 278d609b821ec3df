"""`flowdesk bench` end to end: real servers, every key of the report, nothing lost."""

from __future__ import annotations

from flowdesk.bench import CUSTOMER_TURNS, SALES_TURNS, BenchConfig, run

REQUIRED = {
    "messages_per_second",
    "p50_ms",
    "p99_ms",
    "conversations_per_second",
    "baseline_messages_per_second",
    "ratio_to_baseline",
    "errors",
    "lost",
    "transfers",
    "setup",
}


async def test_a_short_run_reports_every_figure_and_loses_nothing() -> None:
    # One customer in four goes to sales, so even a slow machine transfers a few.
    config = BenchConfig(
        concurrency=4, duration=1.5, baseline_duration=1.0, warmup=0.3, idle=5, transfer_every=4
    )
    result = await run(config)
    assert set(result) >= REQUIRED
    assert result["errors"] == 0, result.get("error_examples")
    assert result["lost"] == 0
    assert result["stream_gaps"] == 0
    assert result["messages"] > 0 and result["conversations"] > 0
    # Some customers were transferred to the simulated agents, who answered and closed.
    transfers = result["transfers"]
    assert 0 < transfers < result["conversations"]
    with_the_bot = result["conversations"] - transfers
    assert result["messages"] == CUSTOMER_TURNS * with_the_bot + SALES_TURNS * transfers
    assert result["setup"]["agents"] > 0
    assert result["baseline_messages_per_second"] > 0
    assert result["setup"]["database"] == "sqlite"
    assert result["idle_conversations"] == 5
    assert "kib_per_idle_conversation" in result
