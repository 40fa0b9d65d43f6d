import { Invalid, PayloadTooLarge, UnsupportedMediaType } from '../errors';

/**
 * Reads a v2.0 event body: decodes base64 (HTTP APIs encode form posts), enforces the size cap,
 * and parses JSON or form encoding. An empty body parses as undefined.
 */
export function parseBody(
  body: string | undefined,
  isBase64Encoded: boolean,
  contentType: string | undefined,
  maxBytes: number,
): unknown {
  if (body === undefined || body === '') return undefined;
  const text = readRawBody(body, isBase64Encoded, maxBytes);
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    throw new UnsupportedMediaType();
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Invalid('The request body is not valid JSON.');
  }
}

/** The body as text after base64 decoding, refusing anything over the cap. */
export function readRawBody(body: string | undefined, isBase64Encoded: boolean, maxBytes: number): string {
  if (body === undefined || body === '') return '';
  const raw = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (raw.byteLength > maxBytes) throw new PayloadTooLarge(maxBytes);
  return raw.toString('utf8');
}
