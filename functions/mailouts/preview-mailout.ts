import { publicBaseUrl } from '../../shared/config';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { createMailoutSchema } from './domain/mailout';
import { renderMarkdown } from './domain/render-markdown';
import { maxMailoutRequestBytes } from './mailout-access';
import { mailoutEmail } from './mailout-email';

/** What a preview takes: the fields of a draft that shape the e-mail (the audience does not). */
export const previewMailoutSchema = createMailoutSchema.pick({
  subject: true,
  markdown: true,
  preheader: true,
});

/**
 * The footer links a recipient's copy carries, with a placeholder in place of their signed token:
 * the preview shows where the links go without minting a token for anyone.
 */
const previewLinks = () => ({
  preferencesUrl: `${publicBaseUrl()}/preferences.html?token=preview`,
  unsubscribeUrl: `${publicBaseUrl()}/api/unsubscribe?token=preview`,
});

/**
 * Staff: a draft rendered exactly as a recipient's e-mail (subject, HTML, plain text), by the same
 * renderer that renders a saved draft's body and the layout the dispatcher puts it in. Stores nothing
 * and sends nothing.
 */
export const handler = route(
  { body: previewMailoutSchema, maxBodyBytes: maxMailoutRequestBytes },
  async ({ body }) =>
    json(
      200,
      mailoutEmail(
        { subject: body.subject, preheader: body.preheader, body: renderMarkdown(body.markdown) },
        previewLinks(),
      ),
    ),
);
