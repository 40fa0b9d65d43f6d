import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { createMailoutSchema } from './domain/mailout';
import { renderBodyToStore } from './domain/render-markdown';
import { mailoutView, maxMailoutRequestBytes } from './mailout-access';
import { createMailout, newDraft } from './mailout-store';

/**
 * Staff: a new draft (subject, Markdown body, optional preheader and audience segment), stored with its
 * body rendered for e-mail: what is sent is what was saved.
 */
export const handler = route(
  { body: createMailoutSchema, maxBodyBytes: maxMailoutRequestBytes },
  async ({ body }) => {
    const renderedBody = renderBodyToStore(body.markdown);
    const mailout = newDraft({
      subject: body.subject,
      preheader: body.preheader,
      audience: body.audience ?? {},
      source: { kind: 'audience' },
    });
    return json(201, mailoutView(await createMailout(mailout, { markdown: body.markdown, renderedBody }), 0));
  },
);
