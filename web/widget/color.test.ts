import { describe, expect, it } from "vitest";

import { FALLBACK_COLOR, safeColor, textColorOn } from "./color";

describe("colours", () => {
  it("keeps a #rrggbb colour and replaces anything else", () => {
    expect(safeColor("#0F766E")).toBe("#0f766e");
    expect(safeColor("red; background: url(x)")).toBe(FALLBACK_COLOR);
    expect(safeColor("")).toBe(FALLBACK_COLOR);
  });

  it("writes white on dark accents and dark text on pale ones", () => {
    expect(textColorOn("#2563eb")).toBe("#ffffff");
    expect(textColorOn("#0f766e")).toBe("#ffffff");
    expect(textColorOn("#fde047")).toBe("#111827");
    expect(textColorOn("#ffffff")).toBe("#111827");
  });
});
