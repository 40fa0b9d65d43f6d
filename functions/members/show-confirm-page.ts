import { html } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { renderMessagePage } from '../../shared/pages';
import { verifyToken } from '../../shared/tokens';

/** The link in the e-mail lands here. It only shows a button: mail scanners that prefetch links
 * must not confirm anyone; the button's POST does. */
export const handler = route({ query: tokenQuery }, async ({ query, event }) => {
  await verifyToken('confirm', query.token);
  return html(
    200,
    renderMessagePage({
      title: 'Confirm your registration',
      message: 'Press the button to confirm your e-mail address and complete your registration.',
      form: { action: `${event.rawPath}?${event.rawQueryString}`, button: 'Confirm my registration' },
    }),
  );
});
