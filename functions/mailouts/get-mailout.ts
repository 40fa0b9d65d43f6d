import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { mailoutView, mailoutWithContentFromPath, unsubscribesCausedBy } from './mailout-access';

/** Staff: a mail-out with its state, progress and results. */
export const handler = route({}, async ({ pathParameters }) => {
  const found = await mailoutWithContentFromPath(pathParameters);
  const { mailout } = found;
  const unsubscribes = mailout.startedAt ? await unsubscribesCausedBy(mailout.mailoutId) : 0;
  return json(200, mailoutView(found, unsubscribes));
});
