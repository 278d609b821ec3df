import { useCallback, useEffect, useState } from "react";
import { get } from "../api/client";

export interface ApiResource<T> {
  data: T | undefined;
  error: unknown;
  /** True until the first answer (a reload keeps showing the data it has). */
  loading: boolean;
  reload(): Promise<void>;
}

/** GETs `path` (null: nothing yet) and keeps the answer; `reload` fetches it again. */
export function useApi<T>(path: string | null): ApiResource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);

  const fetchNow = useCallback(async (isCurrent: () => boolean) => {
    if (path === null) return;
    try {
      const result = await get<T>(path);
      if (!isCurrent()) return;
      setData(result);
      setError(null);
    } catch (caught) {
      if (isCurrent()) setError(caught);
    } finally {
      if (isCurrent()) setLoading(false);
    }
  }, [path]);

  useEffect(() => {
    let current = true;
    setLoading(path !== null);
    void fetchNow(() => current);
    return () => {
      current = false;
    };
  }, [fetchNow, path]);

  const reload = useCallback(() => fetchNow(() => true), [fetchNow]);
  return { data, error, loading, reload };
}
