// Validation as you go: the document is sent to the validator ≈400 ms after the last change.

import { useEffect, useRef, useState } from "react";
import { post } from "../api/client";
import type { FlowDocument, Problem } from "../api/types";

export const VALIDATION_DELAY_MS = 400;

export function useValidation(flowId: string, doc: FlowDocument, enabled: boolean) {
  const [problems, setProblems] = useState<Problem[]>([]);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const sequence = useRef(0);
  const first = useRef(true);

  useEffect(() => {
    if (!enabled) return;
    const mine = (sequence.current += 1);
    const delay = first.current ? 0 : VALIDATION_DELAY_MS;
    first.current = false;
    const timer = window.setTimeout(() => {
      setChecking(true);
      post<{ valid: boolean; problems: Problem[] }>(`/flows/${encodeURIComponent(flowId)}/validate`, { document: doc })
        .then((result) => {
          if (mine !== sequence.current) return; // a newer document is being checked
          setProblems(result.problems);
          setError(null);
        })
        .catch((e: unknown) => {
          if (mine === sequence.current) setError(e instanceof Error ? e.message : String(e));
        })
        .finally(() => {
          if (mine === sequence.current) setChecking(false);
        });
    }, delay);
    return () => window.clearTimeout(timer);
  }, [flowId, doc, enabled]);

  return { problems, setProblems, checking, error };
}
