import { randomUUID } from 'node:crypto';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { createMailoutSchema } from './domain/mailout';
import { mailoutView, maxMailoutRequestBytes } from './mailout-access';
import { createMailout, type Mailout, zeroCounts } from './mailout-store';

/** Staff: a new draft (subject, Markdown body, optional preheader and audience segment). */
export const handler = route(
  { body: createMailoutSchema, maxBodyBytes: maxMailoutRequestBytes },
  async ({ body }) => {
    const now = new Date().toISOString();
    const mailout: Mailout = {
      mailoutId: randomUUID(),
      subject: body.subject,
      markdown: body.markdown,
      ...(body.preheader ? { preheader: body.preheader } : {}),
      audience: body.audience ?? {},
      source: { kind: 'audience' },
      state: 'draft',
      createdAt: now,
      updatedAt: now,
      counts: zeroCounts(),
      run: 0,
      phase: 'snapshot',
    };
    await createMailout(mailout);
    return json(201, mailoutView(mailout, 0));
  },
);
