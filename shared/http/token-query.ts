import { z } from 'zod';

/** `?token=` on links from e-mails. A missing token is reported by verifyToken with a clear message. */
export const tokenQuery = z.object({ token: z.string().max(4096).optional() });
