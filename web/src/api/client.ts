// The console's one way to talk to the server: JSON, the session cookie, and the CSRF header
// that cookie-authenticated writes need. Errors arrive in the SPEC §7 format.

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.details = body.details;
  }
}

function cookie(name: string): string {
  const match = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : "";
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(method, path, body === undefined ? undefined : JSON.stringify(body), "application/json");
}

/** POST a file's raw bytes (e.g. a CSV import) instead of JSON. */
export function postRaw<T>(path: string, body: Blob | string, contentType: string): Promise<T> {
  return send<T>("POST", path, body, contentType);
}

async function send<T>(
  method: string,
  path: string,
  body: BodyInit | undefined,
  contentType: string,
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = contentType;
  if (method !== "GET") headers["x-csrf-token"] = cookie("flowdesk_csrf");
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body,
  });
  if (response.status === 204) return undefined as T;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = (data as { error?: ApiErrorBody }).error ?? {
      code: "http_error",
      message: `${response.status} ${response.statusText}`,
    };
    throw new ApiError(response.status, error);
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body?: unknown) => api<T>("POST", path, body ?? {});
export const put = <T>(path: string, body?: unknown) => api<T>("PUT", path, body ?? {});
export const patch = <T>(path: string, body?: unknown) => api<T>("PATCH", path, body ?? {});
export const del = <T>(path: string) => api<T>("DELETE", path);
