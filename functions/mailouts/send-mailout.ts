import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { sendMailoutSchema } from './domain/mailout';
import { bodyToBackfill } from './domain/render-markdown';
import { mailoutView, mailoutWithContentFromPath } from './mailout-access';
import { schedule, startDispatch } from './mailout-actions';

/**
 * Staff: send a mail-out now, or at a time (`at`, in the future); a scheduled one can be sent now. A
 * draft saved before bodies were stored gets its body rendered in the same write.
 */
export const handler = route(
  { body: sendMailoutSchema, optionalBody: true },
  async ({ pathParameters, body, correlationId }) => {
    const { mailout, content } = await mailoutWithContentFromPath(pathParameters);
    const backfill = bodyToBackfill(content);
    const next = body.at
      ? await schedule(mailout, body.at, backfill)
      : await startDispatch(mailout, correlationId, backfill);
    return json(202, mailoutView({ mailout: next, content }, 0));
  },
);
