import { Conflict } from '../../shared/errors';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { mailoutView, mailoutWithContentFromPath } from './mailout-access';
import { createMailout, newDraft } from './mailout-store';
import { countRecipients } from './recipients';

/**
 * Staff: a follow-up draft of a finished mail-out, addressed exactly to the recipients whose e-mail
 * failed or bounced transiently (never to anyone who unsubscribed, complained or hard-bounced since:
 * they are checked again when it is sent). Send it like any other.
 */
export const handler = route({}, async ({ pathParameters }) => {
  const { mailout: original, content } = await mailoutWithContentFromPath(pathParameters);
  if (original.state !== 'sent' && original.state !== 'cancelled') {
    throw new Conflict(
      original.state === 'sending' || original.state === 'paused'
        ? 'This mail-out is still going out; resend to the undelivered once it has finished.'
        : 'This mail-out has not been sent, so nobody is undelivered yet.',
    );
  }
  const followUp = newDraft({
    subject: original.subject,
    preheader: original.preheader,
    audience: {},
    source: { kind: 'undelivered', mailoutId: original.mailoutId },
  });
  const { count } = await countRecipients(followUp, 0);
  if (count === 0)
    throw new Conflict(
      'Every recipient of this mail-out was delivered to (or may no longer be mailed): there is nobody to resend to.',
    );
  // The same body as the original, as it was sent (one saved before bodies were stored has none: it is
  // rendered when the follow-up is sent).
  const created = await createMailout(followUp, {
    markdown: content.markdown,
    renderedBody: content.renderedBody,
  });
  return json(201, { ...mailoutView(created, 0), recipients: count });
});
