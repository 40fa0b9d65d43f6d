import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { createMailoutSchema } from './domain/mailout';
import { mailoutView, maxMailoutRequestBytes } from './mailout-access';
import { createMailout, newDraft } from './mailout-store';

/** Staff: a new draft (subject, Markdown body, optional preheader and audience segment). */
export const handler = route(
  { body: createMailoutSchema, maxBodyBytes: maxMailoutRequestBytes },
  async ({ body }) => {
    const mailout = newDraft({
      subject: body.subject,
      markdown: body.markdown,
      preheader: body.preheader,
      audience: body.audience ?? {},
      source: { kind: 'audience' },
    });
    await createMailout(mailout);
    return json(201, mailoutView(mailout, 0));
  },
);
