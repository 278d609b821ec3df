import type { ReactNode } from "react";
import { ErrorBanner } from "./ErrorBanner";

/** Announced while a page's data is on its way. */
export function Loading({ what = "" }: { what?: string }) {
  return (
    <p className="loading" role="status">
      Loading{what ? ` ${what}` : ""}…
    </p>
  );
}

/** The page title with its actions on the right. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      <span className="spacer" />
      {children}
    </div>
  );
}

/** Shown instead of an empty table. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

interface LoadedProps {
  loading: boolean;
  error: unknown;
  what?: string;
  children: ReactNode;
}

/** The loading and error states of a page section, then its content. */
export function Loaded({ loading, error, what, children }: LoadedProps) {
  if (error) return <ErrorBanner error={error} />;
  if (loading) return <Loading what={what} />;
  return <>{children}</>;
}
