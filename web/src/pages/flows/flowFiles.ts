import type { FlowCreate, FlowDocument } from "../../api/types";

const MAX_NAME = 200;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A file name the operating system accepts, from a flow's name. */
export function fileNameFor(flowName: string): string {
  const safe = flowName.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, "_").trim();
  return `${safe || "flow"}.json`;
}

/** Offer a flow document as a download named after the flow. */
export function downloadDocument(flowName: string, document: FlowDocument): void {
  const blob = new Blob([JSON.stringify(document, null, 2) + "\n"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = window.document.createElement("a");
  link.href = url;
  link.download = fileNameFor(flowName);
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * What to POST for an imported file: an exported flow document (or `{name, document}`).
 * The server checks the document in full; this only catches files that are not one at all.
 */
export function parseFlowFile(fileName: string, text: string): FlowCreate {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? ` (${error.message})` : "";
    throw new Error(`${fileName} is not valid JSON${reason}.`);
  }
  const document = isObject(data) && isObject(data.document) ? data.document : data;
  if (!isObject(document) || !Array.isArray(document.nodes) || !Array.isArray(document.edges)) {
    throw new Error(
      `${fileName} is not a flow document: expected a JSON object with "nodes" and "edges" lists.`,
    );
  }
  const named = [isObject(data) ? data.name : undefined, document.name].find(
    (value): value is string => typeof value === "string" && value.trim() !== "",
  );
  const name = (named ?? fileName.replace(/\.json$/i, "")).trim().slice(0, MAX_NAME);
  return { name: name || "Imported flow", document: document as unknown as FlowDocument };
}

/** The name of a copy, kept within the server's length limit. */
export function copyName(name: string): string {
  const suffix = " (copy)";
  return name.slice(0, MAX_NAME - suffix.length) + suffix;
}
