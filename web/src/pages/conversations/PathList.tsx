import type { FlowDocument } from "../../api/types";

interface PathListProps {
  path: string[];
  /** The flow version's document, to name the nodes; ids alone without it. */
  document?: FlowDocument;
  currentNode: string | null;
}

/** The nodes the conversation passed through, in order. */
export function PathList({ path, document, currentNode }: PathListProps) {
  if (path.length === 0) return <p className="muted">No nodes passed yet.</p>;
  const node = (id: string) => document?.nodes.find((item) => item.id === id);
  return (
    <ol className="node-path">
      {path.map((id, index) => {
        const found = node(id);
        const current = index === path.length - 1 && id === currentNode;
        return (
          <li key={index} aria-current={current ? "step" : undefined}>
            {found?.name || id}
            {found && <span className="muted"> · {found.type}</span>}
            {found?.name && found.name !== id && <code className="option-id">{id}</code>}
            {current && <span className="badge">current</span>}
          </li>
        );
      })}
    </ol>
  );
}
