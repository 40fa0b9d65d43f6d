/** The feedback page's words and form. Every piece of user text is escaped here. */
import { escapeHtml } from '../../shared/escape';
import { renderMessagePage } from '../../shared/pages';
import { type Activity, displayTime } from '../activities/domain/activity';
import { maxCommentLength, type Rating, ratingLabels, ratings } from './domain/feedback';

/**
 * A fieldset of five radio buttons (the link's rating chosen), an optional comment and a button.
 * Nothing is recorded until the button is pressed: link scanners follow GETs, only people press.
 */
export function feedbackPage(input: {
  activity: Pick<Activity, 'title' | 'startsAt'>;
  action: string;
  chosen?: Rating;
  comment?: string;
  answeredBefore: boolean;
}): string {
  const choices = ratings
    .map(
      (rating) =>
        `<div class="choice"><input type="radio" id="rating-${rating}" name="rating" value="${rating}" required${
          rating === input.chosen ? ' checked' : ''
        }><label for="rating-${rating}">${rating} – ${escapeHtml(ratingLabels[rating])}</label></div>`,
    )
    .join('\n');
  const form = `<form method="post" action="${escapeHtml(input.action)}">
<fieldset>
<legend>Your rating, from 1 (very poor) to 5 (excellent)</legend>
${choices}
</fieldset>
<p><label for="comment">Anything you would like to tell us? (optional)</label><br>
<textarea id="comment" name="comment" rows="5" maxlength="${maxCommentLength}" aria-describedby="comment-hint">${escapeHtml(input.comment ?? '')}</textarea></p>
<p class="hint" id="comment-hint">Up to ${maxCommentLength.toLocaleString('en-GB')} characters. Please do not include personal details.</p>
<button type="submit">Send my feedback</button>
</form>`;
  return renderMessagePage({
    title: `How was ${input.activity.title}?`,
    message: `${input.activity.title}, ${displayTime(input.activity.startsAt)}. ${
      input.answeredBefore
        ? 'You have answered before: sending this replaces your earlier answer.'
        : 'Check the rating, add a comment if you like, and press the button to send it.'
    }`,
    html: form,
  });
}

export const thanksPage = (title: string, rating: number, replaced: boolean) =>
  renderMessagePage({
    title: 'Thank you for your feedback',
    message: `Your rating of ${rating} out of 5 for ${title} is ${replaced ? 'updated' : 'recorded'}. If you change your mind, follow any rating link in the e-mail again: a new answer replaces this one.`,
  });
