import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { nextState, updateMailoutSchema } from './domain/mailout';
import { bodyToBackfill, renderBodyToStore } from './domain/render-markdown';
import { mailoutView, mailoutWithContentFromPath, maxMailoutRequestBytes, movedOn } from './mailout-access';
import { getMailoutWithContent, updateDraft } from './mailout-store';

/**
 * Staff: change a draft or a scheduled mail-out; anything further along is a 409. New Markdown is
 * rendered and stored with it in one write; any change to a draft saved before bodies were stored
 * renders its body too.
 */
export const handler = route(
  { body: updateMailoutSchema, maxBodyBytes: maxMailoutRequestBytes },
  async ({ pathParameters, body }) => {
    const found = await mailoutWithContentFromPath(pathParameters);
    const { mailout, content } = found;
    nextState(mailout.state, 'edit');
    const { markdown, ...headerChanges } = body;
    const contentWrite =
      markdown === undefined
        ? bodyToBackfill(content)
        : {
            markdown,
            renderedBody: renderBodyToStore(markdown),
            backfill: false,
            fromHeader: content.onHeader,
          };
    if (!(await updateDraft(mailout.mailoutId, headerChanges, new Date().toISOString(), contentWrite)))
      throw movedOn();
    return json(200, mailoutView((await getMailoutWithContent(mailout.mailoutId)) ?? found, 0));
  },
);
