/** The feedback request: one link per rating. User text goes in as data; the renderer escapes it. */
import { publicBaseUrl } from '../../shared/config';
import { type RenderedEmail, renderEmail } from '../../shared/email/render';
import { footerLinksFor, type MemberLinks } from '../../shared/member-links';
import { type Activity, displayTime } from '../activities/domain/activity';
import { ratingLabels, ratings } from './domain/feedback';

/** The page a rating link opens: the rating chosen, a comment box, and a button that records it. */
export const feedbackUrl = (token: string, rating: number) =>
  `${publicBaseUrl()}/api/feedback?token=${encodeURIComponent(token)}&rating=${rating}`;

export function feedbackRequestEmail(
  activity: Pick<Activity, 'title' | 'startsAt'>,
  name: string,
  token: string,
  links?: MemberLinks,
): RenderedEmail {
  return renderEmail({
    subject: `How was ${activity.title}?`,
    paragraphs: [
      name ? `Dear ${name},` : 'Hello,',
      `Thank you for coming to ${activity.title} on ${displayTime(activity.startsAt)}.`,
      'How was it? Choose a rating from 1 (very poor) to 5 (excellent). The link opens a page where you can add a comment before you send it. It takes a minute, and it helps us plan the next ones.',
    ],
    choices: ratings.map((rating) => ({
      label: `${rating} – ${ratingLabels[rating]}`,
      url: feedbackUrl(token, rating),
    })),
    footerLinks: links ? footerLinksFor(links) : undefined,
  });
}
