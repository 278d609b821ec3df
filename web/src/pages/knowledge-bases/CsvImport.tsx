import { useRef, useState } from "react";
import { ApiError, postRaw } from "../../api/client";
import type { KnowledgeImportResult } from "../../api/types";

interface CsvImportProps {
  baseId: string;
  onImported(result: KnowledgeImportResult): Promise<void>;
  onError(error: unknown): void;
}

/** "Import CSV": pick a file; its rows are added to (or replace) the entries, all or none. */
export function CsvImport({ baseId, onImported, onError }: CsvImportProps) {
  const input = useRef<HTMLInputElement>(null);
  const [mode, setMode] = useState<"append" | "replace">("append");
  const [busy, setBusy] = useState(false);

  async function importFile(file: File) {
    setBusy(true);
    try {
      const result = await postRaw<KnowledgeImportResult>(
        `/knowledge-bases/${baseId}/import?mode=${mode}`,
        file,
        "text/csv",
      );
      await onImported(result);
    } catch (caught) {
      onError(caught instanceof ApiError ? caught : new Error(`Could not import ${file.name}.`));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }

  return (
    <>
      <select aria-label="Import mode" value={mode} onChange={(e) => setMode(e.target.value as "append" | "replace")}>
        <option value="append">Import adds entries</option>
        <option value="replace">Import replaces all entries</option>
      </select>
      <label className={`button${busy ? " disabled" : ""}`}>
        {busy ? "Importing…" : "Import CSV"}
        <input
          ref={input}
          type="file"
          accept=".csv,text/csv"
          className="visually-hidden"
          disabled={busy}
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void importFile(file);
          }}
        />
      </label>
    </>
  );
}
