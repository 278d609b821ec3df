// A select that shows names and stores ids, for fields that point at a schedule, skill group or agent.

import { useEffect, useState } from "react";
import { loadReferences, REFERENCE_FIELDS, type ReferenceOption } from "./references";

interface ReferenceSelectProps {
  id: string;
  field: string;
  value: string;
  optional: boolean;
  describedBy?: string;
  onChange(id: string): void;
}

export function ReferenceSelect({ id, field, value, optional, describedBy, onChange }: ReferenceSelectProps) {
  const [options, setOptions] = useState<ReferenceOption[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    loadReferences(field)
      .then((list) => live && setOptions(list))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [field]);

  const noun = REFERENCE_FIELDS[field]?.noun ?? "items";
  const known = options?.some((o) => o.id === value) ?? true;
  return (
    <>
      <select id={id} value={value} aria-describedby={describedBy} onChange={(event) => onChange(event.target.value)} aria-busy={options === null && !error}>
        <option value="">{optional ? "None" : options === null ? "Loading…" : "Choose…"}</option>
        {value && !known && <option value={value}>Missing: {value}</option>}
        {options?.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
      {error && <small className="error">Could not load {noun}: {error}</small>}
      {options?.length === 0 && <small className="muted">No {noun} yet.</small>}
    </>
  );
}
