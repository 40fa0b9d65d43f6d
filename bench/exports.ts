/**
 * Reports read counters, not events: a year of activity recorded as N raw events, then as 10N, and
 * the evidence report and a monthly export timed after each. Their cost should grow with periods ×
 * metrics (the same after 10N), not with the events behind them.
 *
 * The events go straight onto the runtime's local bus (PutEvents, ten at a time, as EventBridge
 * takes them), built and validated against the event catalogue: activities of every kind and
 * network, attendance, page views, mail-out readers and feedback, spread over the year. Each phase
 * waits until the bus is idle (everything counted), then times each report several times (after
 * a few untimed calls) and keeps the median. The report's own figures are checked against what was sent (events held, attendees).
 */
import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { type HttpClient, httpClient } from './http';
import type { LocalRuntime } from './local-runtime';
import { ms, table } from './report';

export interface ExportsOptions {
  /** Raw events in the first phase; the second brings the total to ten times this. */
  events: number;
  /** Timed calls per report and phase (the median is reported). */
  repeats: number;
}

export const exportsRatioTarget = 1.2;
const year = 2025;
const monthlyExportMetrics = ['activities.held', 'attendees.total', 'website.views', 'mailouts.readers'];

interface PhaseResult {
  events: number;
  countedInMs: number;
  evidenceMs: number;
  exportMs: number;
  counters: number;
  evidenceEvents: number;
  expectedEvents: number;
  evidenceAttendees: number;
  expectedAttendees: number;
}

export interface ExportsResult {
  phases: PhaseResult[];
  evidenceRatio: number;
  exportRatio: number;
  failures: string[];
}

type Generated = { entries: PutEventsRequestEntry[]; eventsHeld: number; attendees: number };

/** A random instant of `year`, in UTC, away from the year's edges (time-zone bucketing). */
const instantIn = () => {
  const start = Date.UTC(year, 0, 2);
  const end = Date.UTC(year, 11, 30);
  return new Date(start + Math.random() * (end - start)).toISOString();
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

async function generate(count: number): Promise<Generated> {
  const [{ buildEvent }, { eventCatalogue }, { ids }, { sitePages }] = await Promise.all([
    import('../shared/outbox'),
    import('../shared/events'),
    import('../shared/config'),
    import('../shared/site-pages'),
  ]);
  const entries: PutEventsRequestEntry[] = [];
  const activities: Array<{ activityId: string; kind: string; network: string; startsAt: string }> = [];
  let eventsHeld = 0;
  let attendees = 0;
  const put = (detailType: keyof typeof eventCatalogue, detail: { occurredAt: string }) =>
    entries.push({
      EventBusName: 'alliance',
      Source: eventCatalogue[detailType].source,
      DetailType: detailType,
      Time: new Date(detail.occurredAt),
      Detail: JSON.stringify(detail),
    });
  const pages = Object.keys(sitePages);
  while (entries.length < count) {
    const roll = Math.random();
    if (roll < 0.03 || activities.length === 0) {
      const startsAt = instantIn();
      const activity = {
        activityId: randomUUID(),
        kind: pick(ids.activityKinds),
        network: pick(ids.networks),
        startsAt,
      };
      activities.push(activity);
      if (activity.kind !== 'working-group') eventsHeld += 1;
      put(
        'ActivityScheduled',
        buildEvent('ActivityScheduled', { ...activity, capacity: null, occurredAt: startsAt }),
      );
    } else if (roll < 0.45) {
      const activity = pick(activities);
      if (activity.kind !== 'working-group') attendees += 1;
      put(
        'AttendanceRecorded',
        buildEvent('AttendanceRecorded', {
          ...activity,
          attendeeKey: randomUUID().replaceAll('-', ''),
          member: Math.random() < 0.5,
          occurredAt: activity.startsAt,
        }),
      );
    } else if (roll < 0.85) {
      put('PageViewed', buildEvent('PageViewed', { page: pick(pages), occurredAt: instantIn() }));
    } else if (roll < 0.97) {
      put(
        'MailoutRecipientUpdated',
        buildEvent('MailoutRecipientUpdated', {
          mailoutId: randomUUID(),
          recipientKey: randomUUID().replaceAll('-', ''),
          change: 'read',
          mailoutStartedAt: instantIn(),
          occurredAt: instantIn(),
        }),
      );
    } else {
      const activity = pick(activities);
      put(
        'FeedbackGiven',
        buildEvent('FeedbackGiven', {
          ...activity,
          attendeeKey: randomUUID().replaceAll('-', ''),
          rating: 1 + Math.floor(Math.random() * 5),
          previousRating: null,
          hasComment: false,
          occurredAt: activity.startsAt,
        }),
      );
    }
  }
  return { entries, eventsHeld, attendees };
}

async function putAll(bus: EventBridgeClient, entries: PutEventsRequestEntry[]): Promise<void> {
  const batches: PutEventsRequestEntry[][] = [];
  for (let index = 0; index < entries.length; index += 10) batches.push(entries.slice(index, index + 10));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as PutEventsRequestEntry[];
      const answer = await bus.send(new PutEventsCommand({ Entries: batch }));
      if (answer.FailedEntryCount) throw new Error(`${answer.FailedEntryCount} events refused by the bus`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function waitUntilCounted(http: HttpClient): Promise<void> {
  // The bus answers when every queue is empty and nothing is in hand.
  for (let attempt = 0; attempt < 200; attempt++) {
    const idle = await http.call('GET', '/_local/bus/idle', { timeoutMs: 120_000 });
    if (idle.status === 200) return;
  }
  throw new Error('the bus never went idle');
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Calls before timing, so the first phase does not pay for cold modules and caches. */
const warmupCalls = 3;

async function timed(http: HttpClient, path: string, token: string, repeats: number) {
  for (let call = 0; call < warmupCalls; call++) await http.call('GET', path, { token, timeoutMs: 60_000 });
  const durations: number[] = [];
  let body: unknown;
  for (let run = 0; run < repeats; run++) {
    const started = performance.now();
    const answer = await http.call('GET', path, { token, timeoutMs: 60_000 });
    durations.push(performance.now() - started);
    if (answer.status !== 200)
      throw new Error(`GET ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    body = answer.body;
  }
  return { ms: median(durations), body };
}

interface EvidenceBody {
  lines: Array<{ id: string; value: number | null }>;
}

export async function exportsBench(runtime: LocalRuntime, options: ExportsOptions): Promise<ExportsResult> {
  process.env.DATA_DIR = runtime.dataDir;
  const { signLocalToken } = await import('../infra/local/jwt');
  const token = await signLocalToken({ groups: ['analyst'], expiresInSeconds: 6 * 3600 });
  const http = httpClient(runtime.baseUrl, 4);
  const bus = new EventBridgeClient({
    endpoint: `http://127.0.0.1:${runtime.portBase + 3}`,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const phases: PhaseResult[] = [];
  const failures: string[] = [];
  let expectedEvents = 0;
  let expectedAttendees = 0;
  try {
    for (const target of [options.events, options.events * 10]) {
      const sentSoFar = phases.at(-1)?.events ?? 0;
      const generated = await generate(target - sentSoFar);
      expectedEvents += generated.eventsHeld;
      expectedAttendees += generated.attendees;
      console.log(`Putting ${generated.entries.length} events on the bus (total ${target})...`);
      const started = performance.now();
      await putAll(bus, generated.entries);
      await waitUntilCounted(http);
      const countedInMs = performance.now() - started;
      const counters = await http.call('GET', '/_local/counters', { timeoutMs: 120_000 });
      const evidence = await timed(
        http,
        `/api/exports/evidence?year=${year}&format=json`,
        token,
        options.repeats,
      );
      const monthly = await timed(
        http,
        `/api/exports/engagement?metrics=${monthlyExportMetrics.join(',')}&granularity=month&from=${year}-01&to=${year}-12&format=json`,
        token,
        options.repeats,
      );
      const lines = (evidence.body as EvidenceBody).lines;
      const phase: PhaseResult = {
        events: target,
        countedInMs,
        evidenceMs: evidence.ms,
        exportMs: monthly.ms,
        counters: countLeaves(counters.body),
        evidenceEvents: lines.find((line) => line.id === 'events')?.value ?? Number.NaN,
        expectedEvents,
        evidenceAttendees: lines.find((line) => line.id === 'attendees')?.value ?? Number.NaN,
        expectedAttendees,
      };
      if (phase.evidenceEvents !== expectedEvents)
        failures.push(
          `after ${target} events the report says ${phase.evidenceEvents} events, ${expectedEvents} were sent`,
        );
      if (phase.evidenceAttendees !== expectedAttendees)
        failures.push(
          `after ${target} events the report says ${phase.evidenceAttendees} attendees, ${expectedAttendees} were sent`,
        );
      phases.push(phase);
    }
  } finally {
    http.close();
    bus.destroy();
  }
  const [small, large] = phases as [PhaseResult, PhaseResult];
  return {
    phases,
    evidenceRatio: large.evidenceMs / small.evidenceMs,
    exportRatio: large.exportMs / small.exportMs,
    failures,
  };
}

/** How many counter items the runtime holds (the leaves of metric → dimension → period → count). */
function countLeaves(value: unknown): number {
  if (typeof value === 'number') return 1;
  if (value && typeof value === 'object')
    return Object.values(value).reduce((sum: number, v) => sum + countLeaves(v), 0);
  return 0;
}

export function formatExports(result: ExportsResult): string {
  const rows = result.phases.map((phase) => [
    String(phase.events),
    `${(phase.countedInMs / 1000).toFixed(1)} s`,
    String(phase.counters),
    ms(phase.evidenceMs),
    ms(phase.exportMs),
    `${phase.evidenceEvents} / ${phase.expectedEvents}`,
    `${phase.evidenceAttendees} / ${phase.expectedAttendees}`,
  ]);
  const verdict = (ratio: number) =>
    `${ratio.toFixed(2)} (${ratio <= exportsRatioTarget ? 'within' : 'ABOVE'} the ${exportsRatioTarget} target)`;
  return [
    table(
      [
        'raw events',
        'counted in',
        'counter items',
        'evidence report',
        'monthly export',
        'events (report / sent)',
        'attendees (report / sent)',
      ],
      rows,
    ),
    '',
    `time at 10N / time at N: evidence report ${verdict(result.evidenceRatio)}, monthly export ${verdict(result.exportRatio)}`,
    ...result.failures.map((failure) => `✖ ${failure}`),
  ].join('\n');
}

export const exportsPassed = (result: ExportsResult) => result.failures.length === 0;
