import { useRef, useState } from "react";
import { post } from "../../api/client";
import type { Flow } from "../../api/types";
import { parseFlowFile } from "./flowFiles";

interface FlowImportButtonProps {
  onImported(flow: Flow): void;
  onError(error: unknown): void;
}

/** "Import": pick a .json flow document; it becomes a new flow (the server checks it). */
export function FlowImportButton({ onImported, onError }: FlowImportButtonProps) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);

  async function importFile(file: File) {
    setBusy(true);
    try {
      const body = parseFlowFile(file.name, await file.text());
      onImported(await post<Flow>("/flows", body));
    } catch (caught) {
      onError(caught);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }

  return (
    <label className={`button${busy ? " disabled" : ""}`}>
      {busy ? "Importing…" : "Import"}
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        className="visually-hidden"
        disabled={busy}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) void importFile(file);
        }}
      />
    </label>
  );
}
