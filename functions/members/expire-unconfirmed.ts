import { config } from '../../shared/config';
import { logger } from '../../shared/logger';
import { announce } from '../../shared/outbox';
import { scheduled } from '../../shared/schedule';
import { deletePendingMember, listPendingBefore } from './retention-store';

const batch = 50;

/** Data minimisation: a registration never confirmed is deleted after the configured number of days. */
export const handler = scheduled(async (now): Promise<{ expired: number }> => {
  const before = new Date(
    now.getTime() - config.limits.unconfirmedRetentionDays * 24 * 3600 * 1000,
  ).toISOString();
  let expired = 0;
  for (;;) {
    const memberIds = await listPendingBefore(before, batch);
    const deleted: string[] = [];
    for (const memberId of memberIds) {
      const announcement = () =>
        announce('members', [{ detailType: 'MemberRegistrationExpired', detail: { memberId } }]);
      if (await deletePendingMember(memberId, announcement)) deleted.push(memberId);
    }
    expired += deleted.length;
    if (memberIds.length < batch || deleted.length === 0) break;
  }
  logger.info('unconfirmed registrations expired', { expired, before });
  return { expired };
});
