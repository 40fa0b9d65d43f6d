import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { bodyToBackfill } from './domain/render-markdown';
import { mailoutView, mailoutWithContentFromPath } from './mailout-access';
import { resume } from './mailout-actions';

/**
 * Staff: resume a mail-out; a 409 says why when its state does not allow it. One started before bodies
 * were stored (the dispatcher paused it for that) gets its body rendered in the same write.
 */
export const handler = route({}, async ({ pathParameters, correlationId }) => {
  const { mailout, content } = await mailoutWithContentFromPath(pathParameters);
  const resumed = await resume(mailout, correlationId, bodyToBackfill(content));
  return json(200, mailoutView({ mailout: resumed, content }, 0));
});
