import { describe, expect, it } from "vitest";
import type { Problem } from "../api/types";
import { countByNode, problemsFromDetails } from "./problems";

const problem = (node_id: string | null, severity: "error" | "warning"): Problem => ({
  code: "x",
  message: "m",
  severity,
  node_id,
  port: null,
  details: null,
});

describe("problems", () => {
  it("counts errors and warnings per node", () => {
    const counts = countByNode([problem("a", "error"), problem("a", "warning"), problem("a", "error"), problem(null, "error")]);
    expect(counts.get("a")).toEqual({ errors: 2, warnings: 1 });
    expect(counts.size).toBe(1);
  });

  it("reads a publish refusal's problem list", () => {
    expect(problemsFromDetails({ problems: [problem("a", "error")] })).toHaveLength(1);
    expect(problemsFromDetails(null)).toEqual([]);
  });
});
