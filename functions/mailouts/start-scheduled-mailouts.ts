import { logger } from '../../shared/logger';
import { scheduled } from '../../shared/schedule';
import { bodyToBackfill } from './domain/render-markdown';
import { startDispatch } from './mailout-actions';
import { getMailoutWithContent, listDue, type MailoutWithContent } from './mailout-store';

/**
 * One scheduled before bodies were stored gets its body rendered as it starts. One too large to store
 * (nothing saved since can be) starts without: the dispatcher pauses it, saying why, for staff to see,
 * instead of this schedule failing on it every minute and holding the others back.
 */
function backfillIfPossible({ mailout, content }: MailoutWithContent) {
  try {
    return bodyToBackfill(content);
  } catch (error) {
    logger.warn('a scheduled mail-out’s body could not be rendered', {
      mailoutId: mailout.mailoutId,
      error: (error as Error).message,
    });
    return undefined;
  }
}

/**
 * Starts the scheduled mail-outs whose time has come (as of the schedule's time, so a late run
 * catches up). Starting is a conditional state change, so an overlapping run starts nothing twice.
 */
export const handler = scheduled(async (now): Promise<{ started: number }> => {
  let started = 0;
  for (const due of await listDue(now.toISOString(), 50)) {
    const found = await getMailoutWithContent(due.mailoutId);
    if (found?.mailout.state !== 'scheduled') continue;
    try {
      await startDispatch(found.mailout, undefined, backfillIfPossible(found));
      started++;
    } catch (error) {
      // Cancelled or started by staff meanwhile: nothing to do.
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
    }
  }
  if (started > 0) logger.info('scheduled mail-outs started', { started });
  return { started };
});
