// Problems from the validator (SPEC §2), grouped the way the canvas shows them.

import type { Problem } from "../api/types";
import type { ProblemCount } from "./document";

/** Errors and warnings per node id (problems without a node are left out). */
export function countByNode(problems: readonly Problem[]): Map<string, ProblemCount> {
  const counts = new Map<string, ProblemCount>();
  for (const problem of problems) {
    if (!problem.node_id) continue;
    const count = counts.get(problem.node_id) ?? { errors: 0, warnings: 0 };
    if (problem.severity === "error") count.errors += 1;
    else count.warnings += 1;
    counts.set(problem.node_id, count);
  }
  return counts;
}

/** The problems of a publish refusal (422 `flow_invalid`), from its error details. */
export function problemsFromDetails(details: unknown): Problem[] {
  if (details && typeof details === "object" && Array.isArray((details as { problems?: unknown }).problems)) {
    return (details as { problems: Problem[] }).problems;
  }
  return [];
}
