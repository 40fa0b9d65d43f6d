import { sendEmail } from '../../shared/email/send';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { emailTags } from '../../shared/ses-events';
import { testSendSchema } from './domain/mailout';
import { mailoutFromPath } from './mailout-access';
import { mailoutEmail } from './mailout-email';

/** Staff: the mail-out to up to five addresses, marked as a test, counted nowhere. */
export const handler = route({ body: testSendSchema }, async ({ pathParameters, body }) => {
  const mailout = await mailoutFromPath(pathParameters);
  const email = mailoutEmail(mailout, undefined, { test: true });
  for (const to of body.to) {
    await sendEmail({
      to,
      email,
      tags: { [emailTags.category]: 'mailout-test', [emailTags.mailoutId]: mailout.mailoutId },
    });
  }
  return json(202, { sent: body.to.length });
});
