// The console's only way to the control plane: its REST API with the signed-in key, errors as the
// API's own body (message, and the fields a 400 names) so forms can show them beside the field.

const KEY_STORAGE = 'hls-console-key';

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export interface Session {
  name: string;
  scope: 'admin' | 'read';
  kind: string;
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
}

export interface Answer<T> {
  body: T;
  etag: string | null;
}

/** One API call; throws ApiFailure with the API's message for anything but 2xx. */
export async function api<T>(method: string, path: string, options: { body?: unknown; ifMatch?: string; key?: string } = {}): Promise<Answer<T>> {
  const key = options.key ?? storedKey();
  const headers: Record<string, string> = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch (error) {
    throw new ApiFailure(0, `the control plane cannot be reached: ${(error as Error).message}`);
  }
  const text = await res.text();
  const json = text ? safeJson(text) : null;
  if (!res.ok) {
    const body = (json ?? {}) as { message?: string; fields?: FieldProblem[] };
    throw new ApiFailure(res.status, body.message ?? `${res.status} ${res.statusText}`, body.fields ?? []);
  }
  return { body: json as T, etag: res.headers.get('ETag') };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
