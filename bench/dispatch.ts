/**
 * The mail-out dispatch: M confirmed newsletter members, one mail-out to all of them at a configured
 * rate R, with a share of the sends throttled by the local SES fault mode, and a few transactional
 * e-mails (registration confirmations) sent while it runs.
 *
 * The members are written straight into the runtime's DynamoDB Local as registration and
 * confirmation leave them (the audience index included), as the integration tests seed them. The
 * local SES account's MaxSendRate is set to R / (1 − mail.sendRateHeadroom), so the dispatcher (which
 * paces to MaxSendRate less the headroom) aims at R, and the headroom is what is left for
 * transactional mail. Everything is read back at the end: the e-mails in the emulator (once, it is
 * large) per recipient, the delivery records, the SES endpoint's fault counts.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { type CpuSample, type CpuUse, cpuAccountingAvailable, cpuUsed, sampleCpu } from './cpu';
import { errorCodeOf, type HttpClient, httpClient } from './http';
import type { LocalRuntime } from './local-runtime';
import { table } from './report';

export interface DispatchOptions {
  /** Confirmed newsletter members seeded, all in the mail-out's audience. */
  members: number;
  /** The dispatch rate R the mail-out is paced to (sends per second). */
  rate: number;
  /** Share of SES sends answered 429 by the local fault mode. */
  throttleShare: number;
  /** Registrations (each with its confirmation e-mail) spread over the run. */
  confirmations: number;
  /** Have the local SES endpoint also throttle every send above MaxSendRate, as SES does. */
  enforceRate: boolean;
}

/**
 * The default R. 167/s would send 10,000 in a minute; on the 2-core machine this was written on,
 * DynamoDB Local (one SQLite thread, ~30 ms of its CPU per mail-out e-mail with SES's events
 * tracked beside the sends) tops out near 30 sends/s, so that is the default.
 */
export const defaultDispatchRate = 30;
export const rateTarget = 0.95;
/** Nothing moved for this long (a dispatcher that died is retried only after its visibility timeout). */
const stallLimitMs = 120_000;

interface MailoutView {
  id: string;
  state: string;
  audienceSize: number;
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
  delivered: number;
  percentDone: number;
  startedAt: string | null;
  finishedAt: string | null;
  sendRatePerSecond: number | null;
  pausedReason: string | null;
}

interface FaultsView {
  throttleShare: number;
  rejectShare: number;
  maxSendRate: number;
  enforceRate: boolean;
  accepted: number;
  throttled: number;
  rejected: number;
}

interface StoredEmail {
  subject: string;
  destination: { to: string[] };
  at: number;
}

interface Confirmation {
  email: string;
  /** Seconds after the send request that the registration went out. */
  postedAfterS: number;
  /** The mail-out's sends answered by SES (sent or failed) at that moment. */
  mailoutSentThen: number;
  status?: number;
  /** From the registration POST to the e-mail accepted by SES and stored in the emulator. */
  latencyMs?: number;
  inEmulator?: boolean;
  failure?: string;
}

export interface DispatchResult {
  options: DispatchOptions;
  headroom: number;
  maxSendRate: number;
  /** What the dispatcher paces to: MaxSendRate × (1 − headroom) (or the config's fixed rate). */
  rate: number;
  notes: string[];
  seed: { ms: number };
  mailout: MailoutView | undefined;
  subject: string;
  /** From the send request to the mail-out seen `sent` (polled every half second). */
  wallMs: number;
  timedOut: boolean;
  phases: { snapshotMs: number; sendMs: number; settleMs: number; sendPhaseRate: number } | undefined;
  /** Sends per second in each 5-second window of the send phase. */
  timeline: number[];
  emulator: { total: number; ofMailout: number; lost: number; duplicated: number; strays: number };
  deliveries: { total: number; byState: Record<string, number>; membersWithoutOne: number; extra: number };
  faults: FaultsView | undefined;
  confirmations: Confirmation[];
  busDrainMs: number | undefined;
  cpu: CpuUse | undefined;
  trackerPeakBacklog: number;
  /** Per subscription, from the send request until the bus drained. */
  busWork: ReturnType<typeof busWork>;
}

/* ---------- seeding ---------- */

/**
 * One record at the head of each outbox table's stream, before the bulk seeding. DynamoDB Local
 * describes a table's stream on nearly every call on that table (and the relay polls each stream
 * several times a second) with `SELECT MIN(SequenceNumber) ... WHERE StreamID = ?` over one stream
 * record table shared by all tables, with no index on StreamID: it walks from the oldest record kept
 * to the first of that stream. After 20,000 seeded members' records, a stream with none of its own
 * among the first (the mail-outs', the activities') costs every such call a walk past all of them,
 * and the whole run slows as it goes. A record of each stream first keeps each walk short, as a
 * database with a history of ordinary use has.
 */
async function anchorStreams(db: DynamoDBDocumentClient, physicalNames: string[]) {
  for (const TableName of physicalNames) {
    await db.send(
      new PutCommand({ TableName, Item: { pk: 'BENCH#stream-anchor', sk: 'ANCHOR', type: 'bench-anchor' } }),
    );
  }
}

const memberEmail = (n: number) => `bench-${n}@example.org`;

/** Confirmed newsletter members straight into the members table: 12 (24 items) a call, 8 calls at once. */
async function seedMembers(db: DynamoDBDocumentClient, tableName: string, count: number, segment: Segment) {
  const now = new Date().toISOString();
  const batches: Array<Array<Record<string, unknown>>> = [];
  let batch: Array<Record<string, unknown>> = [];
  for (let n = 1; n <= count; n++) {
    const memberId = randomUUID();
    const email = memberEmail(n);
    batch.push(
      { pk: `EMAIL#${email}`, sk: 'EMAIL', type: 'email', memberId },
      {
        pk: `MEMBER#${memberId}`,
        sk: 'PROFILE',
        type: 'member',
        memberId,
        name: `Bench Member ${n}`,
        email,
        organisation: `Bench Organisation ${1 + (n % 40)}`,
        organisationType: segment.organisationType,
        networks: [segment.network],
        interests: [segment.interest],
        newsletter: true,
        formVersion: '2026-11',
        status: 'confirmed',
        registeredAt: now,
        confirmedAt: now,
        audiencePk: 'newsletter',
      },
    );
    if (batch.length >= 24 || n === count) {
      batches.push(batch);
      batch = [];
    }
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        const items = batches[next++] ?? [];
        let requests: WriteRequests = items.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt > 10) throw new Error('DynamoDB Local kept items unprocessed while seeding');
          const answer = await db.send(
            new BatchWriteCommand({
              RequestItems: { [tableName]: requests },
            }),
          );
          requests = answer.UnprocessedItems?.[tableName] ?? [];
          if (requests.length > 0) await sleep(50 * (attempt + 1));
        }
      }
    }),
  );
}

type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

interface Segment {
  network: string;
  organisationType: string;
  interest: string;
}

/* ---------- the runtime's controls ---------- */

async function getMailout(http: HttpClient, token: string, id: string): Promise<MailoutView> {
  const answer = await http.call('GET', `/api/mailouts/${id}`, { token });
  if (answer.status !== 200) throw new Error(`GET mail-out: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as MailoutView;
}

interface SubscriptionStats {
  invocations: number;
  recordsDelivered: number;
  recordsFailed: number;
  redeliveries: number;
  peakConcurrency: number;
  visible: number;
  inHand: number;
}

async function busStats(http: HttpClient): Promise<Record<string, SubscriptionStats>> {
  try {
    const answer = await http.call('GET', '/_local/bus/stats', { timeoutMs: 5000 });
    return (answer.body as { subscriptions?: Record<string, SubscriptionStats> }).subscriptions ?? {};
  } catch {
    return {};
  }
}

/** What each subscription did between two looks at the bus: invocations, records, redeliveries. */
function busWork(before: Record<string, SubscriptionStats>, after: Record<string, SubscriptionStats>) {
  return Object.entries(after)
    .map(([name, stats]) => ({
      name,
      invocations: stats.invocations - (before[name]?.invocations ?? 0),
      records: stats.recordsDelivered - (before[name]?.recordsDelivered ?? 0),
      failed: stats.recordsFailed - (before[name]?.recordsFailed ?? 0),
      redeliveries: stats.redeliveries - (before[name]?.redeliveries ?? 0),
      peakConcurrency: stats.peakConcurrency,
    }))
    .filter((work) => work.invocations > 0)
    .sort((left, right) => right.records - left.records);
}

async function busIdle(http: HttpClient, timeoutMs: number): Promise<number | undefined> {
  const started = performance.now();
  try {
    const answer = await http.call('GET', '/_local/bus/idle', { timeoutMs });
    return answer.status === 200 ? performance.now() - started : undefined;
  } catch {
    return undefined;
  }
}

/** Every delivery record of the mail-out. */
async function deliveryRecords(db: DynamoDBDocumentClient, tableName: string, mailoutId: string) {
  const records: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `MAILOUT#${mailoutId}` },
        ExclusiveStartKey: startKey,
      }),
    );
    records.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return records;
}

/* ---------- transactional mail during the run ---------- */

/**
 * Registers someone (from a loopback address of their own, as a separate visitor) and waits for
 * their confirmation e-mail: the latency runs to the moment the local SES endpoint had it stored in
 * the emulator (the `time` it remembers the message by, stamped when the emulator answered).
 */
async function confirmationLatency(
  http: HttpClient,
  index: number,
  segment: Segment,
  confirmation: Confirmation,
): Promise<void> {
  const posted = Date.now();
  try {
    const answer = await http.call('POST', '/api/members', {
      fromIp: `127.77.0.${index + 1}`,
      body: {
        name: `Bench Registrant ${index + 1}`,
        email: confirmation.email,
        organisation: 'Bench Registrations Ltd',
        organisationType: segment.organisationType,
        networks: [segment.network],
        interests: [segment.interest],
        consent: { newsletter: true, privacyNotice: true, formVersion: '2026-11' },
      },
    });
    confirmation.status = answer.status;
    if (answer.status !== 202) {
      confirmation.failure = `HTTP ${answer.status} ${errorCodeOf(answer.body) ?? ''}`.trim();
      return;
    }
    const deadline = posted + 120_000;
    while (Date.now() < deadline) {
      const found = await http.call(
        'GET',
        `/_local/ses/messages?to=${encodeURIComponent(confirmation.email)}&limit=1`,
      );
      const message = (found.body as { messages?: Array<{ time: string }> }).messages?.[0];
      if (message) {
        confirmation.latencyMs = Date.parse(message.time) - posted;
        return;
      }
      await sleep(50);
    }
    confirmation.failure = 'no e-mail within 120 s';
  } catch (error) {
    confirmation.failure = error instanceof Error ? error.message : String(error);
  }
}

/* ---------- reading back ---------- */

/**
 * The mail-out's e-mails in the emulator per seeded address (the store is read once: it holds every
 * e-mail with its body), and whether each confirmation e-mail is there.
 */
async function countMailoutEmails(
  sesUrl: string,
  subject: string,
  seeded: Set<string>,
  confirmations: Confirmation[],
) {
  const store = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: StoredEmail[] };
  const perRecipient = new Map<string, number>();
  let strays = 0;
  let ofMailout = 0;
  const confirmationAddresses = new Set(confirmations.map((confirmation) => confirmation.email));
  const confirmationsStored = new Set<string>();
  for (const email of store.emails) {
    for (const to of email.destination.to) {
      const address = to.toLowerCase();
      if (email.subject === subject) {
        ofMailout++;
        if (seeded.has(address)) perRecipient.set(address, (perRecipient.get(address) ?? 0) + 1);
        else strays++;
      } else if (confirmationAddresses.has(address)) confirmationsStored.add(address);
    }
  }
  for (const confirmation of confirmations)
    confirmation.inEmulator = confirmationsStored.has(confirmation.email);
  let lost = 0;
  let duplicated = 0;
  for (const address of seeded) {
    const count = perRecipient.get(address) ?? 0;
    if (count === 0) lost++;
    if (count > 1) duplicated++;
  }
  return { total: store.emails.length, ofMailout, lost, duplicated, strays };
}

/**
 * The delivery records by state (one per member, each sent, or delivered once SES's event is in),
 * and from their times the run's phases: snapshot (start to first claim), send (first claim to last
 * send), settle (last send to finish), with the sends in each 5 seconds of the send phase.
 */
function readDeliveries(records: Array<Record<string, unknown>>, members: number, mailout: MailoutView) {
  const byState: Record<string, number> = {};
  const perMember = new Set<string>();
  for (const record of records) {
    const state = String(record.state);
    byState[state] = (byState[state] ?? 0) + 1;
    perMember.add(String(record.sk));
  }
  const times = (field: string) =>
    records
      .map((record) => Date.parse(String(record[field] ?? '')))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
  const queuedAt = times('queuedAt');
  const sentAt = times('sentAt');
  const startedAt = Date.parse(mailout.startedAt ?? '');
  const finishedAt = Date.parse(mailout.finishedAt ?? '');
  const firstQueued = queuedAt[0];
  const lastSent = sentAt.at(-1);
  const phases =
    firstQueued !== undefined &&
    lastSent !== undefined &&
    Number.isFinite(startedAt) &&
    Number.isFinite(finishedAt)
      ? {
          snapshotMs: firstQueued - startedAt,
          sendMs: lastSent - firstQueued,
          settleMs: finishedAt - lastSent,
          sendPhaseRate: (sentAt.length / Math.max(1, lastSent - firstQueued)) * 1000,
        }
      : undefined;
  const perWindow: number[] = [];
  if (firstQueued !== undefined) {
    for (const at of sentAt) {
      const window = Math.floor((at - firstQueued) / 5000);
      perWindow[window] = (perWindow[window] ?? 0) + 1;
    }
  }
  return {
    deliveries: {
      total: records.length,
      byState,
      membersWithoutOne: Math.max(0, members - perMember.size),
      extra: records.length - perMember.size,
    },
    phases,
    timeline: Array.from(perWindow, (count) => (count ?? 0) / 5),
  };
}

/* ---------- the benchmark ---------- */

const newsletter = (runId: string) => `# News from the alliance

Welcome to this month's update (${runId}). Here is what happened across the networks.

## Coming up

- **Mobility working group**: the second workshop on shared data for bus priority.
- **Energy and net zero**: a site visit to the district heating scheme.
- **Skills and inclusion**: open call for mentors, see [the programme](https://example.org/skills).

## From the members

Three new pilots started this month, from street-lighting sensors to a community energy
co-operative. Read about them on [the alliance site](https://example.org/news) and tell us about
yours: reply to this e-mail.

> "The alliance put us in touch with the two partners we needed." A member, in last year's survey.

Thank you for being part of it.
`;

export async function dispatchBench(
  runtime: LocalRuntime,
  options: DispatchOptions,
): Promise<DispatchResult> {
  // The staff token is signed with the runtime's own local key, in its data folder.
  process.env.DATA_DIR = runtime.dataDir;
  const [{ signLocalToken }, { config, ids }, { localTableName }, { tables }] = await Promise.all([
    import('../infra/local/jwt'),
    import('../shared/config'),
    import('../infra/local/services'),
    import('../infra/catalogue'),
  ]);
  const notes: string[] = [];
  const headroom = config.mail.sendRateHeadroom;
  const fixed = config.mail.maxSendRatePerSecond;
  // The dispatcher paces to MaxSendRate × (1 − headroom); the config's fixed rate wins over SES's.
  const maxSendRate = fixed ?? options.rate / (1 - headroom);
  const rate = maxSendRate * (1 - headroom);
  if (fixed !== undefined) {
    notes.push(
      `alliance.config.json fixes mail.maxSendRatePerSecond = ${fixed}: the dispatcher paces to ` +
        `${rate.toFixed(1)}/s whatever --rate says (the local SES account is set to the same MaxSendRate)`,
    );
  }
  const segment: Segment = {
    network: ids.networks[0] ?? 'smart-city-alliance',
    organisationType: ids.organisationTypes[0] ?? 'university',
    interest: ids.interests[0] ?? 'mobility',
  };
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: runtime.dynamoUrl,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const http = httpClient(runtime.baseUrl, 16);
  const runId = new Date().toISOString().slice(0, 19);
  const subject = `Bench dispatch ${runId}: news from the alliance`;
  try {
    const token = await signLocalToken({ groups: ['staff'], expiresInSeconds: 6 * 3600 });

    // The local SES account: its rate, and the share of sends it throttles.
    const faults = await http.call('POST', '/_local/ses/faults', {
      body: {
        throttleShare: options.throttleShare,
        rejectShare: 0,
        maxSendRate,
        enforceRate: options.enforceRate,
      },
    });
    if (faults.status !== 200)
      throw new Error(`setting the SES faults: ${faults.status} ${JSON.stringify(faults.body)}`);

    if (process.env.BENCH_NO_STREAM_ANCHORS !== '1') {
      const outboxTables = Object.entries(tables)
        .filter(([, declaration]) => 'outbox' in declaration && declaration.outbox)
        .map(([name]) => localTableName(name));
      await anchorStreams(db, outboxTables);
    } else notes.push('BENCH_NO_STREAM_ANCHORS=1: no stream anchors before seeding');
    const seedStarted = performance.now();
    console.log(`Seeding ${options.members.toLocaleString('en-GB')} confirmed newsletter members...`);
    await seedMembers(db, localTableName('members'), options.members, segment);
    const seedMs = performance.now() - seedStarted;
    console.log(
      `  seeded in ${(seedMs / 1000).toFixed(1)} s (${((options.members / seedMs) * 1000).toFixed(0)} members/s).`,
    );

    const created = await http.call('POST', '/api/mailouts', {
      token,
      body: { subject, markdown: newsletter(runId), preheader: 'What happened across the networks' },
    });
    if (created.status !== 201)
      throw new Error(`creating the mail-out: ${created.status} ${JSON.stringify(created.body)}`);
    const mailoutId = (created.body as { id: string }).id;
    const preview = await http.call('GET', `/api/mailouts/${mailoutId}/audience`, { token });
    const previewCount = (preview.body as { count?: number }).count;
    if (previewCount !== options.members)
      notes.push(`the audience preview counts ${previewCount}, not the ${options.members} seeded`);

    console.log(
      `Mail-out ${mailoutId} to everyone: MaxSendRate ${maxSendRate.toFixed(1)}/s, paced to R = ` +
        `${rate.toFixed(1)}/s, ${(options.throttleShare * 100).toFixed(0)}% of sends throttled` +
        `${options.enforceRate ? ', MaxSendRate enforced' : ''}.`,
    );
    const expectedS = options.members / rate;
    const timeoutMs = 120_000 + 5 * expectedS * 1000;
    const pid = runtime.pid;
    const cpuBefore: CpuSample | undefined = cpuAccountingAvailable(pid) ? sampleCpu(pid) : undefined;
    const busBefore = await busStats(http);
    const sendAt = Date.now();
    const sendAnswer = await http.call('POST', `/api/mailouts/${mailoutId}/send`, { token, body: {} });
    if (sendAnswer.status !== 202)
      throw new Error(`sending the mail-out: ${sendAnswer.status} ${JSON.stringify(sendAnswer.body)}`);

    // Transactional mail while it goes: registrations spread over the expected send time.
    let latest: MailoutView | undefined;
    const confirmations: Confirmation[] = Array.from({ length: options.confirmations }, (_, index) => ({
      email: `bench-confirm-${index + 1}@example.org`,
      postedAfterS: 0,
      mailoutSentThen: 0,
    }));
    const confirming = confirmations.map(async (confirmation, index) => {
      await sleep((expectedS * 1000 * (index + 1)) / (options.confirmations + 1));
      confirmation.postedAfterS = (Date.now() - sendAt) / 1000;
      confirmation.mailoutSentThen = (latest?.sent ?? 0) + (latest?.failed ?? 0);
      await confirmationLatency(http, index, segment, confirmation);
    });

    // Progress until the mail-out is sent.
    let timedOut = false;
    let trackerPeakBacklog = 0;
    let lastLine = { at: sendAt, settled: 0 };
    let lastProgress = { at: sendAt, mark: '' };
    for (;;) {
      await sleep(500);
      latest = await getMailout(http, token, mailoutId);
      const now = Date.now();
      if (latest.state === 'sent' || latest.state === 'cancelled' || latest.state === 'paused') break;
      if (now - sendAt > timeoutMs) {
        timedOut = true;
        notes.push(`gave up after ${(timeoutMs / 1000).toFixed(0)} s (120 s + 5 × members / R)`);
        break;
      }
      const mark = `${latest.state} ${latest.audienceSize} ${latest.sent} ${latest.failed} ${latest.skipped}`;
      if (mark !== lastProgress.mark) lastProgress = { at: now, mark };
      else if (now - lastProgress.at > stallLimitMs) {
        // A stopped runtime still answers on the open keep-alive socket, so ask on a new one too.
        const fresh = await fetch(`${runtime.baseUrl}/_local`).then(
          (answer) => `answers (${answer.status})`,
          (error: unknown) => `does not answer (${error instanceof Error ? error.message : String(error)})`,
        );
        timedOut = true;
        notes.push(
          `no progress for ${stallLimitMs / 1000} s (${mark}): stopped waiting; the gateway ${fresh} on a new connection`,
        );
        break;
      }
      if (now - lastLine.at >= 5000) {
        const settled = latest.sent + latest.failed + latest.skipped;
        const current = ((settled - lastLine.settled) / (now - lastLine.at)) * 1000;
        const left = latest.audienceSize - settled;
        const tracker = (await busStats(http))['track-email-event'];
        const backlog = tracker ? tracker.visible + tracker.inHand : undefined;
        trackerPeakBacklog = Math.max(trackerPeakBacklog, backlog ?? 0);
        const eta =
          latest.audienceSize === 0 ? 'snapshot' : current > 0 ? `${(left / current).toFixed(0)} s` : '-';
        console.log(
          `  ${((now - sendAt) / 1000).toFixed(0).padStart(4)} s  ${latest.state.padEnd(8)}` +
            `${latest.sent.toLocaleString('en-GB').padStart(7)} / ${latest.audienceSize.toLocaleString('en-GB')} sent` +
            `   ${current.toFixed(0).padStart(4)}/s now   ETA ${eta}` +
            `${backlog === undefined ? '' : `   SES events waiting for the tracker: ${backlog}`}`,
        );
        lastLine = { at: now, settled };
      }
    }
    const wallMs = Date.now() - sendAt;
    const cpu = cpuBefore && pid !== undefined ? cpuUsed(cpuBefore, sampleCpu(pid)) : undefined;
    if (latest.state !== 'sent')
      notes.push(`the mail-out ended ${timedOut ? 'still sending (timed out)' : latest.state}`);
    console.log(
      `  ${(wallMs / 1000).toFixed(0).padStart(4)} s  ${latest.state}: ${latest.sent.toLocaleString('en-GB')} sent, ` +
        `${latest.failed} failed, ${latest.skipped} skipped.`,
    );

    await Promise.all(confirming);
    console.log('Waiting for the bus to drain (SES events, counters)...');
    const busDrainMs = await busIdle(http, timedOut ? 10_000 : 300_000);
    const work = busWork(busBefore, await busStats(http));
    const final = await getMailout(http, token, mailoutId);

    const seeded = new Set(Array.from({ length: options.members }, (_, index) => memberEmail(index + 1)));
    const emulator = await countMailoutEmails(runtime.sesUrl, subject, seeded, confirmations);
    const records = await deliveryRecords(db, localTableName('deliveries'), mailoutId);
    const { deliveries, phases, timeline } = readDeliveries(records, options.members, final);

    const faultsAfter = await http.call('GET', '/_local/ses/faults');
    return {
      options,
      headroom,
      maxSendRate,
      rate,
      notes,
      seed: { ms: seedMs },
      mailout: final,
      subject,
      wallMs,
      timedOut,
      phases,
      timeline,
      emulator,
      deliveries,
      faults: faultsAfter.status === 200 ? (faultsAfter.body as FaultsView) : undefined,
      confirmations,
      busDrainMs,
      cpu,
      trackerPeakBacklog,
      busWork: work,
    };
  } finally {
    http.close();
    db.destroy();
  }
}

/* ---------- the report ---------- */

const whole = (value: number) => Math.round(value).toLocaleString('en-GB');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function dispatchChecks(result: DispatchResult) {
  const { emulator, deliveries, mailout, options } = result;
  const deliveredOrSent = (deliveries.byState.sent ?? 0) + (deliveries.byState.delivered ?? 0);
  return [
    { what: `the mail-out finished (state sent)`, ok: mailout?.state === 'sent' && !result.timedOut },
    { what: `lost: every member got the mail-out (${emulator.lost} without)`, ok: emulator.lost === 0 },
    {
      what: `duplicated: nobody got it twice (${emulator.duplicated} more than once)`,
      ok: emulator.duplicated === 0,
    },
    {
      what: `no mail-out e-mail to anyone outside the audience (${emulator.strays})`,
      ok: emulator.strays === 0,
    },
    {
      what:
        `delivery records: one per member, each sent or delivered ` +
        `(${deliveredOrSent} of ${options.members}, ${deliveries.extra} extra)`,
      ok: deliveries.membersWithoutOne === 0 && deliveries.extra === 0 && deliveredOrSent === options.members,
    },
    {
      what: `every confirmation e-mail arrived (${result.confirmations.filter((c) => c.inEmulator).length} of ${options.confirmations})`,
      ok: result.confirmations.every((confirmation) => confirmation.inEmulator && !confirmation.failure),
    },
  ];
}

export const dispatchPassed = (result: DispatchResult) => dispatchChecks(result).every((check) => check.ok);

export function formatDispatch(result: DispatchResult): string {
  const { mailout, options, emulator, deliveries, faults, phases } = result;
  const sent = mailout?.sent ?? 0;
  const ownSeconds =
    mailout?.startedAt && mailout.finishedAt
      ? (Date.parse(mailout.finishedAt) - Date.parse(mailout.startedAt)) / 1000
      : Number.NaN;
  const ownRate = ((mailout?.sent ?? 0) + (mailout?.failed ?? 0)) / ownSeconds;
  const wallRate = (sent / result.wallMs) * 1000;
  const percent = (value: number) =>
    Number.isFinite(value) ? `${((value / result.rate) * 100).toFixed(1)}%` : 'n/a';
  const latencies = result.confirmations
    .map((confirmation) => confirmation.latencyMs)
    .filter((value): value is number => value !== undefined);
  const rows: string[][] = [
    ['members (the audience)', whole(options.members)],
    [
      'R: dispatch rate (MaxSendRate × (1 − headroom))',
      `${result.rate.toFixed(1)}/s  (${result.maxSendRate.toFixed(1)} × ${(1 - result.headroom).toFixed(2)})`,
    ],
    [
      'achieved: sent / (finishedAt − startedAt)',
      `${ownRate.toFixed(1)}/s = ${percent(ownRate)} of R  (${sent} in ${ownSeconds.toFixed(1)} s)`,
    ],
    [
      'achieved, wall clock (send request → seen sent)',
      `${wallRate.toFixed(1)}/s = ${percent(wallRate)} of R  (${seconds(result.wallMs)})`,
    ],
  ];
  if (phases) {
    rows.push(
      [
        'achieved in the send phase (first claim → last sent)',
        `${phases.sendPhaseRate.toFixed(1)}/s = ${percent(phases.sendPhaseRate)} of R`,
      ],
      [
        'phases: snapshot / send / settle',
        `${seconds(phases.snapshotMs)} / ${seconds(phases.sendMs)} / ${seconds(phases.settleMs)}`,
      ],
    );
  }
  rows.push(
    [
      'mail-out e-mails in the emulator',
      `${whole(emulator.ofMailout)}  (${whole(emulator.total)} e-mails in all)`,
    ],
    ['lost (members with none)', whole(emulator.lost)],
    ['duplicated (members with more than one)', whole(emulator.duplicated)],
    [
      'throttled sends (SES answered 429)',
      faults
        ? `${whole(faults.throttled)} of ${whole(faults.throttled + faults.accepted + faults.rejected)} calls ` +
          `(${((faults.throttled / Math.max(1, faults.throttled + faults.accepted + faults.rejected)) * 100).toFixed(1)}%)`
        : 'n/a',
    ],
    [
      'delivery records by state',
      Object.entries(deliveries.byState)
        .map(([state, count]) => `${state} ${whole(count)}`)
        .join(', ') || 'none',
    ],
    ['wall time (send request → sent)', seconds(result.wallMs)],
    [
      'left for transactional mail (headroom × MaxSendRate)',
      `${(result.headroom * result.maxSendRate).toFixed(1)}/s  (${(result.headroom * 100).toFixed(0)}% of ${result.maxSendRate.toFixed(1)}/s)`,
    ],
    [
      'confirmation e-mail latency (registration → in the emulator)',
      latencies.length > 0
        ? `${latencies.map((value) => `${value.toFixed(0)}`).join(', ')} ms; max ${Math.max(...latencies).toFixed(0)} ms`
        : 'none measured',
    ],
    [
      'bus drained after the mail-out',
      result.busDrainMs === undefined ? '> 300 s (still busy)' : seconds(result.busDrainMs),
    ],
    ['SES events waiting for the tracker, most seen', whole(result.trackerPeakBacklog)],
  );
  const lines = [
    `Mail-out dispatch: ${whole(options.members)} members, one mail-out to all at R = ${result.rate.toFixed(1)}/s, ` +
      `${(options.throttleShare * 100).toFixed(0)}% of SES sends throttled`,
    '',
    table(['figure', 'value'], rows),
    '',
    `achieved / R: ${percent(ownRate)} (target ≥ ${(rateTarget * 100).toFixed(0)}%: ${
      Number.isFinite(ownRate) && ownRate / result.rate >= rateTarget ? 'met' : 'NOT met'
    })`,
  ];
  if (result.timeline.length > 0) {
    lines.push(
      `sends per second in each 5 s of the send phase: ${result.timeline.map((value) => value.toFixed(0)).join(' ')}`,
    );
  }
  if (result.confirmations.length > 0) {
    lines.push(
      '',
      'confirmations sent during the run:',
      table(
        ['', 'posted after', 'mail-out sends then', 'latency', 'in the emulator'],
        result.confirmations.map((confirmation) => [
          confirmation.email,
          `${confirmation.postedAfterS.toFixed(1)} s`,
          whole(confirmation.mailoutSentThen),
          confirmation.latencyMs === undefined
            ? (confirmation.failure ?? 'n/a')
            : `${confirmation.latencyMs.toFixed(0)} ms`,
          confirmation.inEmulator ? 'yes' : 'NO',
        ]),
      ),
    );
  }
  if (result.cpu && result.cpu.wallSeconds > 0) {
    const cpu = result.cpu;
    const labels = [...cpu.seconds.keys()].sort();
    const total = [...cpu.seconds.values()].reduce((a, b) => a + b, 0);
    lines.push(
      '',
      `CPU from the send request to the mail-out sent (${cpu.wallSeconds.toFixed(1)} s; share of one core):`,
      table(
        ['', 'CPU s', 'share', 'per e-mail'],
        [
          ...labels.map((label) => {
            const used = cpu.seconds.get(label) ?? 0;
            return [
              label,
              used.toFixed(1),
              `${((used / cpu.wallSeconds) * 100).toFixed(0)}%`,
              `${((used * 1000) / Math.max(1, sent)).toFixed(2)} ms`,
            ];
          }),
          [
            'all of the above',
            total.toFixed(1),
            `${((total / cpu.wallSeconds) * 100).toFixed(0)}%`,
            `${((total * 1000) / Math.max(1, sent)).toFixed(2)} ms`,
          ],
        ],
      ),
    );
  }
  if (result.busWork.length > 0) {
    lines.push(
      '',
      'the bus, from the send request until it drained (records per mail-out e-mail):',
      table(
        ['subscription', 'invocations', 'records', 'per e-mail', 'failed', 'redelivered', 'peak concurrency'],
        result.busWork.map((work) => [
          work.name,
          whole(work.invocations),
          whole(work.records),
          (work.records / Math.max(1, sent)).toFixed(2),
          whole(work.failed),
          whole(work.redeliveries),
          String(work.peakConcurrency),
        ]),
      ),
    );
  }
  if (result.notes.length > 0) lines.push('', ...result.notes.map((note) => `note: ${note}`));
  lines.push('', ...dispatchChecks(result).map((check) => `${check.ok ? 'OK  ' : 'FAIL'}  ${check.what}`));
  return lines.join('\n');
}
