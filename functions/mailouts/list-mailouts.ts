import * as z from 'zod';
import { Invalid } from '../../shared/errors';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { mailoutSummary } from './mailout-access';
import { listMailouts } from './mailout-store';

const query = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  /** The `next` of the previous page. */
  after: z.string().max(200).optional(),
});

const encodeCursor = (next: { mailoutId: string; createdAt: string }) =>
  Buffer.from(JSON.stringify(next)).toString('base64url');

function decodeCursor(after: string): { mailoutId: string; createdAt: string } {
  const parsed = z.object({ mailoutId: z.uuid(), createdAt: z.iso.datetime() }).safeParse(
    (() => {
      try {
        return JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
    })(),
  );
  if (!parsed.success)
    throw new Invalid('Some query parameters need attention.', [
      { field: 'after', message: 'not a page cursor from this list' },
    ]);
  return parsed.data;
}

/** Staff: mail-outs, newest first, with their state and progress; `next` pages on. */
export const handler = route({ query }, async ({ query: { limit, after } }) => {
  const page = await listMailouts(limit ?? 25, after ? decodeCursor(after) : undefined);
  return json(200, {
    mailouts: page.mailouts.map((mailout) => mailoutSummary(mailout, 0)),
    next: page.next ? encodeCursor(page.next) : null,
  });
});
