import { useEffect, useState } from "react";
import type { KnowledgeBase, KnowledgeEntryPage } from "../../api/types";
import { ErrorBanner } from "../../components/ErrorBanner";
import { EmptyState, Loaded } from "../../components/PageState";
import { useApi } from "../../components/useApi";
import { CsvImport } from "./CsvImport";
import { EntryRow } from "./EntryRow";
import { NewEntryForm } from "./NewEntryForm";

const PAGE = 50;

interface EntryListProps {
  base: KnowledgeBase;
  /** Entry counts and revisions changed: the list of bases refreshes. */
  onChanged(): Promise<void>;
}

/** A base's entries: search, pages, add, edit in place, CSV import and export. */
export function EntryList({ base, onChanged }: EntryListProps) {
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [offset, setOffset] = useState(0);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [importError, setImportError] = useState<unknown>(null);

  // Search as the admin types, once they pause.
  useEffect(() => {
    const timer = window.setTimeout(() => {
      setQuery(search.trim());
      setOffset(0);
    }, 250);
    return () => window.clearTimeout(timer);
  }, [search]);
  useEffect(() => {
    setSearch("");
    setQuery("");
    setOffset(0);
    setAdding(false);
    setNotice(null);
    setImportError(null);
  }, [base.id]);

  const params = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
  if (query) params.set("q", query);
  const entries = useApi<KnowledgeEntryPage>(`/knowledge-bases/${base.id}/entries?${params}`);

  async function changed() {
    await Promise.all([entries.reload(), onChanged()]);
  }

  const page = entries.data;
  return (
    <section className="kb-detail" aria-label={`Entries of ${base.name}`}>
      <div className="toolbar">
        <input type="search" aria-label="Search entries" placeholder="Search questions and answers…"
          value={search} onChange={(e) => setSearch(e.target.value)} />
        <span className="spacer" />
        <CsvImport
          baseId={base.id}
          onImported={async (result) => {
            setImportError(null);
            setNotice(`Imported ${result.imported} entr${result.imported === 1 ? "y" : "ies"}.`);
            await changed();
          }}
          onError={(error) => {
            setNotice(null);
            setImportError(error);
          }}
        />
        <a className="button" href={`/api/v1/knowledge-bases/${base.id}/entries.csv`} download>
          Export CSV
        </a>
        <button type="button" className="primary" onClick={() => setAdding(true)}>Add entry</button>
      </div>
      {notice && <p className="notice" role="status">{notice}</p>}
      <ErrorBanner error={importError} />
      {adding && (
        <NewEntryForm baseId={base.id} onCancel={() => setAdding(false)}
          onAdded={async () => {
            setAdding(false);
            await changed();
          }} />
      )}
      <Loaded loading={entries.loading} error={entries.error} what="entries">
        {page && page.entries.length === 0 ? (
          <EmptyState>
            {query ? `No entry matches “${query}”.` : "No entries yet. Add one, or import a CSV file."}
          </EmptyState>
        ) : (
          <table className="kb-entries">
            <thead>
              <tr>
                <th style={{ width: "35%" }}>Question</th>
                <th>Answer</th>
                <th style={{ width: "1%" }}>Enabled</th>
                <th><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {page?.entries.map((entry) => (
                <EntryRow key={entry.id} baseId={base.id} entry={entry} onChanged={changed} />
              ))}
            </tbody>
          </table>
        )}
        {page && page.total > PAGE && (
          <div className="kb-pager">
            <span className="muted">
              {offset + 1}–{Math.min(offset + PAGE, page.total)} of {page.total}
            </span>
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              Previous
            </button>
            <button type="button" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>
              Next
            </button>
          </div>
        )}
      </Loaded>
      <p className="hint">
        CSV columns: <code>question</code>, <code>similar_questions</code> (separated by <code>|</code> or line
        breaks), <code>answer</code>, <code>enabled</code> (true/false). UTF-8, with or without BOM (Excel’s
        “CSV UTF-8”). A bad row stops the import, and nothing is imported.
      </p>
    </section>
  );
}
