import { noContent } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { assertAllowance, limitKey } from '../../shared/limits';
import { logger } from '../../shared/logger';
import { putOutbox } from '../../shared/outbox-put';
import { pageViewedIn, pageViewsPerIpPerHour, skipReason } from './domain/pageview';

/**
 * The hosted pages' view beacon. A view is only an event (`PageViewed {page}`) whose counters keep
 * the figures: no cookie is read or set, and neither the address (the rate limit keeps a one-way
 * label of it) nor the user agent is stored. Bots, prefetches and other sites' pages are answered
 * like a view, without writing anything.
 */
export const handler = route(
  { acceptAnyBody: true, maxBodyBytes: 1024 },
  async ({ rawBody, event, clientIp, correlationId }) => {
    const page = pageViewedIn(rawBody);
    const skipped = skipReason(event.headers ?? {});
    if (skipped) {
      logger.debug('page view not counted', { page, reason: skipped });
      return noContent();
    }
    await assertAllowance(limitKey('pageview-ip', clientIp), pageViewsPerIpPerHour, 3600);
    await putOutbox('metrics', { detailType: 'PageViewed', detail: { page } }, correlationId);
    return noContent();
  },
);
