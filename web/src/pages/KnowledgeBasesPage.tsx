import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { del } from "../api/client";
import type { KnowledgeBase, KnowledgeBaseList } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { EmptyState, Loaded, PageHeader } from "../components/PageState";
import { useApi } from "../components/useApi";
import { BaseDialog } from "./knowledge-bases/BaseDialog";
import { EntryList } from "./knowledge-bases/EntryList";
import "./knowledge-bases/knowledge.css";

/** Knowledge bases: the Q&A a chatbot answers from, edited here or traded as CSV. */
export function KnowledgeBasesPage() {
  const bases = useApi<KnowledgeBaseList>("/knowledge-bases");
  const [params, setParams] = useSearchParams();
  const [editing, setEditing] = useState<KnowledgeBase | "new" | null>(null);
  const list = bases.data?.knowledge_bases ?? [];
  const selected = list.find((b) => b.id === params.get("base")) ?? list[0];

  function select(id: string | null) {
    setParams(id ? { base: id } : {}, { replace: true });
  }

  return (
    <section>
      <PageHeader title="Knowledge bases">
        <button type="button" className="primary" onClick={() => setEditing("new")}>
          New knowledge base
        </button>
      </PageHeader>
      <Loaded loading={bases.loading} error={bases.error} what="knowledge bases">
        {list.length === 0 ? (
          <EmptyState>No knowledge bases yet. A “chatbot” step in a flow answers from one.</EmptyState>
        ) : (
          <div className="kb-layout">
            <ul className="kb-bases" aria-label="Knowledge bases">
              {list.map((base) => (
                <li key={base.id}>
                  <button type="button" className="kb-base" aria-current={base.id === selected?.id}
                    onClick={() => select(base.id)}>
                    <span>{base.name}</span>
                    <span className="muted">{base.entry_count}</span>
                  </button>
                </li>
              ))}
            </ul>
            {selected && (
              <div>
                <div className="page-head">
                  <h2>{selected.name}</h2>
                  <span className="spacer" />
                  <div className="row-actions">
                    <button type="button" onClick={() => setEditing(selected)}>Rename</button>
                    <ConfirmButton
                      label="Delete"
                      ariaLabel={`Delete ${selected.name}`}
                      title={`Delete knowledge base “${selected.name}”?`}
                      message={<p>Its {selected.entry_count} entries are deleted with it. A base that a
                        published flow bound to a channel uses cannot be deleted.</p>}
                      onConfirm={async () => {
                        await del(`/knowledge-bases/${selected.id}`);
                        select(null);
                        await bases.reload();
                      }}
                    />
                  </div>
                </div>
                {selected.description && <p className="muted">{selected.description}</p>}
                <EntryList base={selected} onChanged={bases.reload} />
              </div>
            )}
          </div>
        )}
      </Loaded>
      {editing !== null && (
        <BaseDialog
          base={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={async (saved) => {
            await bases.reload();
            select(saved.id);
            setEditing(null);
          }}
        />
      )}
    </section>
  );
}
