import { describe, expect, it } from "vitest";

import { Backoff, backoffDelay } from "./backoff";

const options = { baseMs: 500, maxMs: 8000 };

describe("backoffDelay", () => {
  it("doubles its ceiling each attempt up to the cap", () => {
    const top = (attempt: number) => backoffDelay(attempt, options, () => 1);
    expect([0, 1, 2, 3, 4, 5, 40].map(top)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("waits at least half the ceiling (jitter only shortens)", () => {
    expect(backoffDelay(2, options, () => 0)).toBe(1000);
    expect(backoffDelay(2, options, () => 0.5)).toBe(1500);
  });
});

describe("Backoff", () => {
  it("grows with failures and starts over after reset", () => {
    const backoff = new Backoff(options, () => 1);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1000, 2000]);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });
});
