import { logger } from '../../shared/logger';
import { scheduled } from '../../shared/schedule';
import { startDispatch } from './mailout-actions';
import { getMailout, listDue } from './mailout-store';

/**
 * Starts the scheduled mail-outs whose time has come (as of the schedule's time, so a late run
 * catches up). Starting is a conditional state change, so an overlapping run starts nothing twice.
 */
export const handler = scheduled(async (now): Promise<{ started: number }> => {
  let started = 0;
  for (const due of await listDue(now.toISOString(), 50)) {
    const mailout = await getMailout(due.mailoutId);
    if (mailout?.state !== 'scheduled') continue;
    try {
      await startDispatch(mailout);
      started++;
    } catch (error) {
      // Cancelled or started by staff meanwhile: nothing to do.
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
    }
  }
  if (started > 0) logger.info('scheduled mail-outs started', { started });
  return { started };
});
