/**
 * Calls to the alliance API with the signed-in person's access token. A 401 (the token expired or
 * was revoked) goes back through sign-in and returns to this page; every other error becomes an
 * ApiError with the API's code, message and field-by-field details.
 */
import { currentSession, signIn } from './auth';

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
  }
}

interface RequestOptions {
  body?: unknown;
  /** `csv` asks for text/csv and returns the text. */
  accept?: 'json' | 'csv';
}

async function send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const session = await currentSession();
  const headers: Record<string, string> = {
    authorization: `Bearer ${session.accessToken}`,
    accept: options.accept === 'csv' ? 'text/csv' : 'application/json',
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(
      0,
      'network',
      'The alliance API could not be reached. Check the connection and try again.',
    );
  }
  if (response.status === 401) return signIn();
  if (!response.ok) {
    const payload = (await response.json().catch(() => undefined)) as
      | { error?: { code?: string; message?: string; details?: FieldProblem[] } }
      | undefined;
    throw new ApiError(
      response.status,
      payload?.error?.code ?? 'error',
      payload?.error?.message ?? `The request failed (${response.status}).`,
      payload?.error?.details ?? [],
    );
  }
  return response;
}

/** A JSON call: the parsed answer (the caller names the type it expects from the API's contract). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, { body });
  return (await response.json()) as T;
}

/** A CSV answer as text. */
export async function apiCsv(path: string): Promise<string> {
  return (await send('GET', path, { accept: 'csv' })).text();
}

/** Fetches a CSV with the token and hands it to the browser as a download named `filename`. */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const text = await apiCsv(path);
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
