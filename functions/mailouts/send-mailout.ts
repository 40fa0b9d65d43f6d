import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { sendMailoutSchema } from './domain/mailout';
import { mailoutFromPath, mailoutView } from './mailout-access';
import { schedule, startDispatch } from './mailout-actions';

/** Staff: send a mail-out now, or at a time (`at`, in the future); a scheduled one can be sent now. */
export const handler = route(
  { body: sendMailoutSchema, optionalBody: true },
  async ({ pathParameters, body, correlationId }) => {
    const mailout = await mailoutFromPath(pathParameters);
    const next = body.at ? await schedule(mailout, body.at) : await startDispatch(mailout, correlationId);
    return json(202, mailoutView(next, 0));
  },
);
