/**
 * Business metrics as CloudWatch embedded metric format (EMF) lines, with Powertools Metrics: a
 * handler counts what happened in one call (`countBusinessEvent('RegistrationRequested')`), the shared
 * wrappers (shared/http/route.ts, shared/consumer.ts) flush once per invocation, and CloudWatch turns
 * the log line into metrics without an API call. A count made outside a wrapper (a scheduled
 * handler) is flushed at once, so it is never held past its invocation.
 *
 * Namespace: POWERTOOLS_METRICS_NAMESPACE, which the CDK app sets to the stack name (so two
 * alliances in one account never mix figures); the service dimension is the function's handler id
 * (POWERTOOLS_SERVICE_NAME).
 *
 * Emitted only where CloudWatch reads them, in Lambda (AWS_LAMBDA_FUNCTION_NAME), unless
 * POWERTOOLS_METRICS_DISABLED says otherwise: locally and in tests they would only be noise on stdout.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** Every business metric the handlers emit, so the dashboard (infra/cdk/monitoring.ts) can graph them all. */
export const businessMetrics = [
  /** A registration passed validation and the limits and was stored (new or known address alike). */
  'RegistrationRequested',
  /** A place at an activity was booked (accepted, not waitlisted). */
  'RsvpAccepted',
  /** An RSVP was put on the waiting list. */
  'RsvpWaitlisted',
  /** An e-mail was handed to SES (transactional or mail-out). */
  'EmailSent',
] as const;
export type BusinessMetric = (typeof businessMetrics)[number];

export const defaultMetricsNamespace = 'alliance';

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? defaultMetricsNamespace,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'alliance',
});

const disabledSetting = process.env.POWERTOOLS_METRICS_DISABLED?.trim().toLowerCase();
const emitting =
  disabledSetting !== undefined && disabledSetting !== ''
    ? !['true', '1'].includes(disabledSetting)
    : Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);

/** Set while a wrapper runs an invocation: counts wait for its flush. */
const invocation = new AsyncLocalStorage<true>();

/** Counts one (or `count`) business event(s). */
export function countBusinessEvent(name: BusinessMetric, count = 1): void {
  if (!emitting) return;
  metrics.addMetric(name, MetricUnit.Count, count);
  if (!invocation.getStore()) flushMetrics();
}

/** Writes the counts held so far as one EMF line (nothing when there are none). */
export function flushMetrics(): void {
  if (emitting && metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/** Runs one invocation, flushing its counts when it ends, whether it succeeded or failed. */
export async function withMetrics<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await invocation.run(true, run);
  } finally {
    flushMetrics();
  }
}

/** Counts a booking the first time it is made (a repeated request gets its answer back, uncounted). */
export function countedBooking<T extends { status: 'accepted' | 'waitlisted'; isNew: boolean }>(
  outcome: T,
): T {
  if (outcome.isNew) countBusinessEvent(outcome.status === 'accepted' ? 'RsvpAccepted' : 'RsvpWaitlisted');
  return outcome;
}
