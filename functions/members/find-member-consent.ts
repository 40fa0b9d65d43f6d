import * as z from 'zod';
import { NotFound } from '../../shared/errors';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { consentRecord } from './consent-record';
import { emailSchema, normaliseEmail } from './domain/registration';
import { findMemberIdByEmail } from './member-store';

const notFound = 'No member with that address.';

/**
 * Staff: the consent evidence of the member with this e-mail address (in any letter case), oldest
 * first. The address comes in the body, never the URL (URLs reach CloudFront and access logs), and is
 * never logged.
 */
export const handler = route({ body: z.object({ email: emailSchema }).strict() }, async ({ body }) => {
  const memberId = await findMemberIdByEmail(normaliseEmail(body.email));
  const record = memberId ? await consentRecord(memberId) : undefined;
  if (!record) throw new NotFound(notFound);
  return json(200, record);
});
