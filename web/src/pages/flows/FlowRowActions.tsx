import { useState } from "react";
import { del, get, post } from "../../api/client";
import type { Flow, FlowCreate } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { copyName, downloadDocument } from "./flowFiles";

interface FlowRowActionsProps {
  flow: Flow;
  onChanged(notice: string): Promise<void>;
  onError(error: unknown): void;
}

/** Duplicate, Export and Delete for one flow of the list. */
export function FlowRowActions({ flow, onChanged, onError }: FlowRowActionsProps) {
  const [busy, setBusy] = useState<"duplicate" | "export" | null>(null);

  async function run(kind: "duplicate" | "export") {
    setBusy(kind);
    try {
      const full = await get<Flow>(`/flows/${flow.id}`);
      if (!full.document) throw new Error(`The server sent flow ${flow.name} without its document.`);
      if (kind === "export") {
        downloadDocument(full.name, full.document);
      } else {
        const body: FlowCreate = { name: copyName(full.name), document: full.document };
        const copy = await post<Flow>("/flows", body);
        await onChanged(`Created ${copy.name}.`);
      }
    } catch (caught) {
      onError(caught);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="row-actions">
      <button type="button" disabled={busy !== null} aria-label={`Duplicate ${flow.name}`}
        onClick={() => void run("duplicate")}>
        {busy === "duplicate" ? "Duplicating…" : "Duplicate"}
      </button>
      <button type="button" disabled={busy !== null} aria-label={`Export ${flow.name}`}
        onClick={() => void run("export")}>
        {busy === "export" ? "Exporting…" : "Export"}
      </button>
      <ConfirmButton
        label="Delete"
        ariaLabel={`Delete ${flow.name}`}
        title={`Delete flow “${flow.name}”?`}
        message={<p>The flow, its draft and all its published versions will be deleted.</p>}
        onConfirm={async () => {
          await del(`/flows/${flow.id}`);
          await onChanged(`Deleted ${flow.name}.`);
        }}
      />
    </div>
  );
}
