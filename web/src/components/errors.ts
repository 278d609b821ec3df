import { ApiError } from "../api/client";
import type { FieldProblem } from "../api/types";

/** The sentence to show for a failure: the server's own message when it sent one. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError || error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  return "Something went wrong.";
}

/** The per-field problems of a 422 (`details: [{loc, message}]`), or none. */
export function fieldProblems(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return [];
  return error.details.filter(
    (item): item is FieldProblem =>
      typeof item === "object" && item !== null && "loc" in item && "message" in item,
  );
}

/** True when the API refused with this error code (e.g. `flow_in_use`). */
export function isApiError(error: unknown, code: string): error is ApiError {
  return error instanceof ApiError && error.code === code;
}
