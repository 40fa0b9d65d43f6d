import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

const securityHeaders = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export const json = (
  statusCode: number,
  payload: unknown,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...securityHeaders, ...headers },
  body: JSON.stringify(payload),
});

/** HTML pages rendered by handlers (confirm pages, link-expired pages): no scripts, no framing. */
export const html = (statusCode: number, page: string): HttpResponse => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    ...securityHeaders,
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https:; form-action 'self'; frame-ancestors 'none'",
  },
  body: page,
});

export const errorBody = (code: string, message: string, details?: unknown) => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/** Nothing to say (a beacon's answer): no body, not cached. */
export const noContent = (): HttpResponse => ({ statusCode: 204, headers: { ...securityHeaders }, body: '' });

/** A file to download (a CSV export, a calendar file): never sniffed, not cached unless said. */
export const download = (
  contentType: string,
  filename: string,
  body: string,
  cacheControl = 'no-store',
): HttpResponse => ({
  statusCode: 200,
  headers: {
    'content-type': contentType,
    'content-disposition': `attachment; filename="${filename}"`,
    ...securityHeaders,
    'cache-control': cacheControl,
  },
  body,
});

export const csvDownload = (filename: string, body: string): HttpResponse =>
  download('text/csv; charset=utf-8', filename, body);

/** CSV when the query says `format=csv`, or says no format and the client accepts `text/csv`. */
export const asksForCsv = (format: string | undefined, headers: Record<string, string | undefined> = {}) =>
  format === 'csv' || (format === undefined && (headers.accept ?? '').includes('text/csv'));
