import * as z from 'zod';
import { toCsv } from '../../shared/csv';
import { asksForCsv, csvDownload, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { activityFromPath } from '../activities/activity-access';
import { summariseFeedback } from './domain/feedback';
import { listFeedback } from './feedback-store';

/**
 * Staff: an activity's ratings and comments, with the count, average and spread. Answers carry no
 * names or addresses. JSON, or CSV (one row per answer) for a spreadsheet.
 */
export const handler = route(
  {
    query: z.object({ format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).optional() }),
  },
  async ({ pathParameters, query, event }) => {
    const activity = await activityFromPath(pathParameters);
    const summary = summariseFeedback(await listFeedback(activity.activityId));
    if (asksForCsv(query.format, event.headers)) {
      return csvDownload(
        `feedback-${activity.activityId}.csv`,
        toCsv(
          ['rating', 'comment', 'answeredAt'],
          summary.answers.map((answer) => [answer.rating, answer.comment, answer.answeredAt]),
        ),
      );
    }
    return json(200, { activityId: activity.activityId, title: activity.title, ...summary });
  },
);
