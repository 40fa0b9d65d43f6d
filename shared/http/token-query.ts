import * as z from 'zod';

/** `?token=` on links from e-mails. A missing token is reported by verifyToken with a clear message. */
export const tokenQuery = z.object({ token: z.string().max(4096).optional() });

/**
 * An unsubscribe link: the token, and from a mail-out `&mailout=<id>`, so the unsubscribe is counted
 * against the mail-out that caused it. A mailout that is not a UUID (an old or mangled link) is
 * dropped rather than refused: the person still unsubscribes.
 */
export const unsubscribeQuery = tokenQuery.extend({
  mailout: z.uuid().optional().catch(undefined),
});
