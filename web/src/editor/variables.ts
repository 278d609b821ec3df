// Variables the admin can reference as ${Name} (SPEC §4), and `${` completion in text areas.

import type { FlowDocument } from "../api/types";

/** Set by the platform, readable by every flow (SPEC §4). */
export const SYSTEM_VARIABLES = [
  "SessionId",
  "ClientAppID",
  "ClientAppName",
  "SystemClientUserID",
  "WaitNo",
  "StaffNo",
  "StaffNickName",
  "Now",
] as const;

/**
 * Where each module type writes variables, as config paths (`list[].field` walks a list). The
 * catalogue does not publish this yet, so it is kept here as data rather than as type checks.
 */
const WRITTEN_AT: Readonly<Record<string, readonly string[]>> = {
  collect: ["variable"],
  set_variable: ["assignments[].variable"],
  http_request: ["response_mapping[].variable", "status_variable"],
};

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;

function valuesAt(value: unknown, path: string[]): unknown[] {
  if (path.length === 0) return [value];
  if (!value || typeof value !== "object") return [];
  const [head, ...rest] = path;
  if (head.endsWith("[]")) {
    const list = (value as Record<string, unknown>)[head.slice(0, -2)];
    return Array.isArray(list) ? list.flatMap((item) => valuesAt(item, rest)) : [];
  }
  return valuesAt((value as Record<string, unknown>)[head], rest);
}

/** Variables written by the document's nodes, in document order, each once. */
export function writtenVariables(doc: FlowDocument): string[] {
  const names: string[] = [];
  for (const node of doc.nodes) {
    for (const path of WRITTEN_AT[node.type] ?? []) {
      for (const value of valuesAt(node.config, path.split("."))) {
        if (typeof value === "string" && VARIABLE_NAME.test(value) && !names.includes(value)) names.push(value);
      }
    }
  }
  return names;
}

/** Every variable a template may use: the system ones, then the flow's own. */
export function knownVariables(doc: FlowDocument): string[] {
  const system: readonly string[] = SYSTEM_VARIABLES;
  return [...system, ...writtenVariables(doc).filter((n) => !system.includes(n))];
}

export interface Completion {
  /** Index of the `$` that opens the reference being typed. */
  start: number;
  /** What has been typed after `${`. */
  query: string;
  /** Matching variables: names starting with the query first, then names containing it. */
  items: string[];
}

/**
 * The completion to offer when the caret is at `caret` in `text`: only right after `${` or
 * `${Partial` (not after the `$${` escape, and not once the reference is closed).
 */
export function completionAt(text: string, caret: number, variables: readonly string[]): Completion | null {
  const before = text.slice(0, caret);
  const match = /\$\{([A-Za-z0-9_.]*)$/.exec(before);
  if (!match) return null;
  const start = match.index;
  if (start > 0 && text[start - 1] === "$") return null;
  const query = match[1];
  const lower = query.toLowerCase();
  const prefixed = variables.filter((v) => v.toLowerCase().startsWith(lower));
  const containing = variables.filter((v) => !v.toLowerCase().startsWith(lower) && v.toLowerCase().includes(lower));
  return { start, query, items: [...prefixed, ...containing] };
}

/** Insert `${name}` for the completion, replacing what was typed; returns the text and caret. */
export function applyCompletion(text: string, caret: number, completion: Completion, name: string): { text: string; caret: number } {
  let end = caret;
  while (end < text.length && /[A-Za-z0-9_.]/.test(text[end])) end += 1;
  if (text[end] === "}") end += 1;
  const inserted = `\${${name}}`;
  return { text: text.slice(0, completion.start) + inserted + text.slice(end), caret: completion.start + inserted.length };
}
