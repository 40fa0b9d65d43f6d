import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { putOutbox } from '../../shared/outbox-put';
import { assertImportedMetric, checkRows, readSentRows } from './domain/import-rows';

/** 1,200 rows of JSON, pretty-printed, with room to spare. */
const maxImportBytes = 256 * 1024;

/**
 * Analysts: monthly figures kept outside the system. The import is one event (so an archive replay
 * rebuilds it); the counters consumer sets each month, the latest import winning.
 */
export const handler = route(
  { acceptAnyBody: true, maxBodyBytes: maxImportBytes },
  async ({ pathParameters, rawBody, event, correlationId }) => {
    const metric = assertImportedMetric(pathParameters.id);
    const rows = checkRows(readSentRows(event.headers?.['content-type'], rawBody));
    await putOutbox(
      'metrics',
      { detailType: 'MetricValuesImported', detail: { metric, rows } },
      correlationId,
    );
    return json(202, {
      metric,
      rows: rows.length,
      from: rows[0]?.period,
      to: rows[rows.length - 1]?.period,
    });
  },
);
