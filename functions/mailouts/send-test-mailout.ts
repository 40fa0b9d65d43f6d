import { sendEmail } from '../../shared/email/send';
import { Conflict } from '../../shared/errors';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { emailTags } from '../../shared/ses-events';
import { testSendSchema } from './domain/mailout';
import { unpackBody } from './domain/stored-body';
import { mailoutWithContentFromPath } from './mailout-access';
import { mailoutEmail } from './mailout-email';

/**
 * Staff: the mail-out to up to five addresses, marked as a test, counted nowhere: the body as saved,
 * exactly what members will get. Rendering Markdown is not this handler's to do (it keeps the
 * parser out of its bundle), so a draft saved before bodies were stored is a 409 until it is saved again.
 */
export const handler = route({ body: testSendSchema }, async ({ pathParameters, body }) => {
  const {
    mailout,
    content: { renderedBody },
  } = await mailoutWithContentFromPath(pathParameters);
  if (!renderedBody) {
    throw new Conflict(
      'This draft was saved before mail-out bodies were stored with it. Save the draft again (any change will do), then send the test.',
    );
  }
  const email = mailoutEmail(
    { subject: mailout.subject, preheader: mailout.preheader, body: unpackBody(renderedBody) },
    undefined,
    { test: true },
  );
  for (const to of body.to) {
    await sendEmail({
      to,
      email,
      tags: { [emailTags.category]: 'mailout-test', [emailTags.mailoutId]: mailout.mailoutId },
    });
  }
  return json(202, { sent: body.to.length });
});
