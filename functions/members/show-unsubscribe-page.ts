import { html } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { unsubscribeQuery } from '../../shared/http/token-query';
import { renderMessagePage } from '../../shared/pages';
import { memberFromToken } from './member-access';

/** The footer link's page. Opening it changes nothing (scanners follow links); the button does. */
export const handler = route({ query: unsubscribeQuery }, async ({ query, event }) => {
  const member = await memberFromToken('unsubscribe', query.token);
  // The button posts the link's own token, and the mail-out it came from, so that is counted.
  const carried = new URLSearchParams({ token: query.token ?? '' });
  if (query.mailout) carried.set('mailout', query.mailout);
  return html(
    200,
    renderMessagePage({
      title: 'Unsubscribe from e-mail updates',
      message: member.newsletter
        ? 'Press the button to stop receiving our e-mail updates and invitations. You stay a member, and we will still send messages about events you book.'
        : 'You are not subscribed to our e-mail updates. There is nothing more to do.',
      form: member.newsletter ? { action: `${event.rawPath}?${carried}`, button: 'Unsubscribe' } : undefined,
    }),
  );
});
