import { html } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { renderMessagePage } from '../../shared/pages';
import { rsvpRequestFromToken } from './activity-access';
import { displayTime } from './domain/activity';

/** The link in the RSVP e-mail: a button, so link scanners do not book places. */
export const handler = route({ query: tokenQuery }, async ({ query, event }) => {
  const { activity } = await rsvpRequestFromToken(query.token);
  return html(
    200,
    renderMessagePage({
      title: `Book your place: ${activity.title}`,
      message: `${displayTime(activity.startsAt)}${activity.venue ? `, ${activity.venue}` : ''}${activity.onlineUrl ? ' (online)' : ''}. Press the button to book.`,
      form: { action: `${event.rawPath}?${event.rawQueryString}`, button: 'Book my place' },
    }),
  );
});
