import * as z from 'zod';
import { NotFound } from '../../shared/errors';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { consentRecord } from './consent-record';

const pathSchema = z.object({ id: z.uuid('The member id must be a UUID') });

/** Staff: the consent evidence for one member, oldest first. */
export const handler = route({}, async ({ pathParameters }) => {
  const parsed = pathSchema.safeParse(pathParameters);
  if (!parsed.success) throw new NotFound('No member with that id.');
  const record = await consentRecord(parsed.data.id);
  if (!record) throw new NotFound('No member with that id.');
  return json(200, record);
});
