import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { mailoutView, mailoutWithContentFromPath } from './mailout-access';
import { cancel } from './mailout-actions';

/** Staff: cancel a mail-out; a 409 says why when its state does not allow it. */
export const handler = route({}, async ({ pathParameters, correlationId }) => {
  const { mailout, content } = await mailoutWithContentFromPath(pathParameters);
  return json(200, mailoutView({ mailout: await cancel(mailout, correlationId), content }, 0));
});
