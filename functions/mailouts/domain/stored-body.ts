/**
 * A mail-out's rendered body as its item keeps it: one binary attribute, gzip of JSON `{ html, text }`.
 * It lives in the mail-out's content item, not its header (rewritten at every checkpoint and count while
 * the mail-out goes out), and is kept compact; decoding checks the shape once, so a sender never puts a damaged body in an e-mail.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';

export const renderedBodySchema = z.object({ html: z.string(), text: z.string() }).strict();

/** The Markdown body as e-mail HTML (no layout) and as readable plain text. */
export type RenderedBody = z.infer<typeof renderedBodySchema>;

/**
 * The largest stored body (compressed). With the Markdown (at most 200 KB) beside it (and, for a
 * mail-out saved before the content item, the rest of its header), the item stays under ~360 KB, below DynamoDB's 400 KB item limit. A body of
 * ordinary prose compresses to a fraction of its Markdown; only one that is mostly incompressible
 * (pasted encoded data, say) gets near this.
 */
export const maxStoredBodyBytes = 150 * 1024;

export const packBody = (body: RenderedBody): Uint8Array =>
  gzipSync(JSON.stringify({ html: body.html, text: body.text }));

/**
 * What a change writes to the draft's content item: new Markdown with its render, or (`backfill`) the
 * render of the Markdown already stored, for a mail-out saved before bodies were stored (or the content
 * still on its header, moved). A backfill is written only while no body is stored in a content item, so
 * it never overwrites the render of a newer Markdown.
 * `fromHeader`: the content is still on the header, as mail-outs saved before the content item kept
 * it; the write moves it to the content item.
 */
export interface ContentWrite {
  markdown: string;
  renderedBody: Uint8Array;
  backfill: boolean;
  fromHeader: boolean;
}

/** A stored body that is not what packBody wrote (cut short, not gzip, not the shape). */
export class UnreadableBody extends Error {}

export function unpackBody(packed: Uint8Array): RenderedBody {
  let decoded: unknown;
  try {
    decoded = JSON.parse(gunzipSync(packed).toString('utf8'));
  } catch (error) {
    throw new UnreadableBody(`the stored body is not gzipped JSON: ${(error as Error).message}`);
  }
  const parsed = renderedBodySchema.safeParse(decoded);
  if (!parsed.success) throw new UnreadableBody('the stored body is not { html, text }');
  return parsed.data;
}

/** Bodies this process has decoded, the most recent last. */
const decoded = new Map<string, RenderedBody>();
const decodedKept = 4;

/**
 * unpackBody, remembered under `key` (the mail-out and the time its draft was last saved: a body
 * changes only with a save), so the runs that follow one another in a warm Lambda (hand-overs,
 * redeliveries) decompress and check it once.
 */
export function unpackBodyOnce(key: string, packed: Uint8Array): RenderedBody {
  const known = decoded.get(key);
  if (known) return known;
  const body = unpackBody(packed);
  decoded.set(key, body);
  for (const oldest of decoded.keys()) {
    if (decoded.size <= decodedKept) break;
    decoded.delete(oldest);
  }
  return body;
}
