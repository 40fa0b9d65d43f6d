import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { mailoutFromPath } from './mailout-access';
import { countRecipients } from './recipients';

/** Staff: how many people a mail-out would reach now, and up to ten of them (name, organisation). */
export const handler = route({}, async ({ pathParameters }) => {
  const mailout = await mailoutFromPath(pathParameters);
  const { count, sample } = await countRecipients(mailout, 10);
  return json(200, {
    count,
    sample: sample.map((member) => ({ name: member.name, organisation: member.organisation })),
    ...(mailout.startedAt ? { fixedAtStart: mailout.counts.audienceSize } : {}),
  });
});
