import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { nextState, updateMailoutSchema } from './domain/mailout';
import { bodyToBackfill, renderBodyToStore } from './domain/render-markdown';
import { mailoutFromPath, mailoutView, maxMailoutRequestBytes, movedOn } from './mailout-access';
import { getMailout, updateDraft } from './mailout-store';

/**
 * Staff: change a draft or a scheduled mail-out; anything further along is a 409. New Markdown is
 * rendered and stored with it in one write; any change to a draft saved before bodies were stored
 * renders its body too.
 */
export const handler = route(
  { body: updateMailoutSchema, maxBodyBytes: maxMailoutRequestBytes },
  async ({ pathParameters, body }) => {
    const mailout = await mailoutFromPath(pathParameters);
    nextState(mailout.state, 'edit');
    const bodyWrite =
      body.markdown === undefined
        ? bodyToBackfill(mailout)
        : { renderedBody: renderBodyToStore(body.markdown), backfill: false };
    if (!(await updateDraft(mailout.mailoutId, body, new Date().toISOString(), bodyWrite))) throw movedOn();
    const updated = await getMailout(mailout.mailoutId);
    return json(200, mailoutView(updated ?? mailout, 0));
  },
);
