/**
 * The mail-out dispatcher: one run at a time per mail-out (a lease on its header; reserved
 * concurrency 1 across mail-outs), paced to the SES send rate less the headroom kept for
 * transactional mail.
 *
 * A run goes through three phases, checkpointing as it goes, so a crash or timeout anywhere resumes
 * from the last checkpoint with nobody lost and nobody mailed twice:
 * - snapshot: the audience is fixed as one `pending` delivery record per recipient;
 * - send: each pending record is claimed (`queued`, a conditional write that also checks the
 *   mail-out is still sending in this run) before the SES call, then settled `sent` or `failed`;
 * - settle: a record left `queued` by a run that died mid-send is settled by SES's Send event; one
 *   that stays queued past the grace period was never accepted by SES and is sent again.
 * Well before its Lambda timeout a run hands over to a fresh invocation (a new run, announced in the
 * same transaction as its checkpoint).
 *
 * The body was rendered when the draft was saved: each e-mail is that body in the layout with the
 * recipient's links, so no Markdown is parsed here (and no parser is bundled).
 */
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetAccountCommand } from '@aws-sdk/client-sesv2';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { dynamo, ses } from '../../shared/clients';
import { config } from '../../shared/config';
import { consumer } from '../../shared/consumer';
import { sendEmail } from '../../shared/email/send';
import type { EventDetail } from '../../shared/events';
import { logger } from '../../shared/logger';
import { listUnsubscribeHeaders, memberLinks } from '../../shared/member-links';
import { announce, type TransactItem } from '../../shared/outbox';
import { emailTags } from '../../shared/ses-events';
import { tableName } from '../../shared/tables';
import { transactIfFirstHolds } from '../../shared/transactions';
import { getProfiles } from '../members/audience-store';
import { normaliseEmail } from '../members/domain/registration';
import { suppressedAddresses } from '../members/suppression-store';
import {
  addPending,
  allDeliveries,
  type Delivery,
  deliveriesAfter,
  moveRecord,
  recipientKey,
  unclaim,
} from './delivery-store';
import { mayReceiveMailouts } from './domain/audience';
import { backoffMs, dispatchRate, Pacer } from './domain/pacing';
import { selfPauseReason } from './domain/self-pause';
import { classifySendError } from './domain/ses-errors';
import { type RenderedBody, UnreadableBody, unpackBodyOnce } from './domain/stored-body';
import { mailoutEmail } from './mailout-email';
import { addCounts, checkpoint, ownedRunUpdate, takeLease } from './mailout-run-store';
import {
  type DispatchPhase,
  getMailout,
  getMailoutWithContent,
  type Mailout,
  mailoutKey,
} from './mailout-store';
import { recipientPages } from './recipients';

/** A run's hold on its mail-out; renewed at every checkpoint, so a dead run's lapses soon. */
const leaseSeconds = 20;
/** Hand over this long before the Lambda timeout. */
const handoverMarginMs = 20_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The send rate this run paces to: the SES account's (read once per run), unless the config fixes it. */
async function sendRate(): Promise<number> {
  if (config.mail.maxSendRatePerSecond !== undefined) return dispatchRate(undefined, config.mail);
  const account = await ses.send(new GetAccountCommand({}));
  return dispatchRate(account.SendQuota?.MaxSendRate, config.mail);
}

/** Why a run stops early: it lost the mail-out (paused, cancelled, resumed as a newer run). */
class RunLost extends Error {}
/** Time to hand over to a fresh invocation. */
class HandoverDue extends Error {}

/** Who holds a mail-out: enough to end the run (pause, hand over, finish). */
interface RunHold {
  mailout: Mailout;
  run: number;
  owner: string;
  correlationId?: string;
}

interface Run extends RunHold {
  /** The stored body, decoded once: every recipient's e-mail is this in the layout with their links. */
  body: RenderedBody;
  handoverAt: number;
  pacer: Pacer;
  rate: number;
}

/** The run's body; undefined when the mail-out has none (saved before bodies were stored) or it is damaged. */
function bodyOf(mailout: Mailout, renderedBody: Uint8Array | undefined): RenderedBody | undefined {
  if (!renderedBody) return undefined;
  try {
    return unpackBodyOnce(`${mailout.mailoutId}@${mailout.updatedAt}`, renderedBody);
  } catch (error) {
    if (!(error instanceof UnreadableBody)) throw error;
    logger.error('a mail-out’s stored body cannot be read', {
      mailoutId: mailout.mailoutId,
      error: error.message,
    });
    return undefined;
  }
}

export const handler = consumer(
  'dispatch-mailout',
  ['MailoutDispatchRequested'],
  async ({ detail }, context) => dispatch(detail, context),
  // The lease, the run number and the conditional claims guard every effect; a redelivery after a
  // crash must be able to carry on as soon as the dead run's lease lapses.
  { idempotent: false },
);

async function dispatch(detail: EventDetail<'MailoutDispatchRequested'>, context: Context): Promise<void> {
  const owner = `${context.awsRequestId}/${randomUUID().slice(0, 8)}`;
  const lease = await takeLease(detail.mailoutId, detail.run, owner, leaseSeconds);
  if (lease === 'stale') return; // An older run, or the mail-out was paused, cancelled or finished.
  if (lease === 'held') {
    // A live run of this mail-out holds it (a duplicate delivery): try again after the visibility timeout.
    throw new Error('another dispatcher is working this mail-out');
  }
  // The one read of the content in a run: every other read of the mail-out is of its header alone.
  const found = await getMailoutWithContent(detail.mailoutId);
  if (!found) return;
  const { mailout } = found;
  const hold: RunHold = { mailout, run: detail.run, owner, correlationId: detail.correlationId };
  const body = bodyOf(mailout, found.content.renderedBody);
  if (!body) {
    // Started before bodies were stored (or the body is damaged): failing would only be retried.
    // Paused, it says why; resuming renders a missing body.
    return pauseItself(hold, found.content.renderedBody ? 'body-unreadable' : 'body-not-rendered').catch(
      (error: unknown) => {
        if (!(error instanceof RunLost)) throw error;
      },
    );
  }
  const rate = await sendRate();
  const state: Run = {
    ...hold,
    body,
    handoverAt: Date.now() + context.getRemainingTimeInMillis() - handoverMarginMs,
    pacer: new Pacer(rate),
    rate,
  };
  try {
    for (;;) {
      const phase = state.mailout.phase;
      if (phase === 'snapshot') await snapshot(state);
      else if (phase === 'send') await sendPages(state);
      else if (await settle(state)) return;
    }
  } catch (error) {
    if (error instanceof RunLost) return;
    if (error instanceof HandoverDue) return handOver(state);
    throw error;
  }
}

async function save(state: Run, phase: DispatchPhase, cursor?: string): Promise<void> {
  const saved = await checkpoint(
    state.mailout.mailoutId,
    state.run,
    state.owner,
    { phase, cursor },
    leaseSeconds,
  );
  if (!saved) throw new RunLost();
  state.mailout = saved;
  // Counted from the last resume: staff who resume a self-paused mail-out have seen those figures.
  const baseline = saved.selfPauseBaseline ?? { sent: 0, bounced: 0, complained: 0 };
  const reason = selfPauseReason(
    {
      sent: saved.counts.sent - baseline.sent,
      bounced: saved.counts.bouncedPermanent - baseline.bounced,
      complained: saved.counts.complained - baseline.complained,
    },
    config.mail.selfPause,
  );
  if (reason) await pauseItself(state, reason);
  if (Date.now() > state.handoverAt) throw new HandoverDue();
}

/** Fixes the audience: one pending record per recipient, page by page from the checkpoint. */
async function snapshot(state: Run): Promise<void> {
  const { mailout } = state;
  for await (const page of recipientPages(mailout, mailout.cursor)) {
    await inParallel(page.recipients, 25, (recipient) => addPending(mailout.mailoutId, recipient.memberId));
    if (page.lastMemberId) await save(state, 'snapshot', page.lastMemberId);
  }
  let audienceSize = 0;
  for await (const records of allDeliveries(mailout.mailoutId, 1000)) audienceSize += records.length;
  await dynamo.send(
    new UpdateCommand({
      TableName: tableName('mailouts'),
      Key: mailoutKey(mailout.mailoutId),
      UpdateExpression: 'SET #counts.audienceSize = :size',
      ExpressionAttributeNames: { '#counts': 'counts' },
      ExpressionAttributeValues: { ':size': audienceSize },
    }),
  );
  await save(state, 'send');
}

/** Sends to the pending records after the checkpoint, a page at a time (about two seconds' worth). */
async function sendPages(state: Run): Promise<void> {
  const pageSize = Math.min(100, Math.max(10, Math.round(state.rate * 2)));
  for (;;) {
    const page = await deliveriesAfter(state.mailout.mailoutId, state.mailout.cursor, pageSize);
    const pending = page.deliveries.filter((delivery) => delivery.state === 'pending');
    if (pending.length > 0) {
      const profiles = await recipientsNow(pending);
      await paced(state, pending, (delivery) => sendOne(state, delivery, profiles.get(delivery.memberId)));
    }
    if (page.deliveries.length < pageSize || !page.lastKey) return save(state, 'settle');
    await save(state, 'send', page.lastKey);
  }
}

/**
 * Records a run left queued (it died between claiming and settling). SES's Send event settles those
 * it accepted; after the grace period the rest were never sent, and are sent now. True when done.
 */
async function settle(state: Run): Promise<boolean> {
  const graceMs = config.mail.unsettledSendGraceSeconds * 1000;
  const queued: Delivery[] = [];
  for await (const records of allDeliveries(state.mailout.mailoutId)) {
    queued.push(...records.filter((record) => record.state === 'queued'));
  }
  if (queued.length === 0) {
    await finish(state);
    return true;
  }
  const now = Date.now();
  const lapsed = queued.filter((record) => now - new Date(record.queuedAt ?? 0).getTime() > graceMs);
  if (lapsed.length > 0) {
    const profiles = await recipientsNow(lapsed);
    await paced(state, lapsed, (record) => sendOne(state, record, profiles.get(record.memberId)));
  } else {
    const oldest = Math.min(...queued.map((record) => new Date(record.queuedAt ?? 0).getTime()));
    await sleep(Math.max(1000, Math.min(oldest + graceMs - now + 100, 10_000)));
  }
  await save(state, 'settle');
  return false;
}

/**
 * The recipients' profiles as they are now; anyone erased is missing, and anyone whose address was
 * suppressed (even as a guest, before they registered) is marked so.
 */
async function recipientsNow(records: Delivery[]) {
  const profiles = await getProfiles(records.map((record) => record.memberId));
  const suppressed = await suppressedAddresses([...profiles.values()].map((profile) => profile.email));
  for (const profile of profiles.values()) {
    if (!profile.suppressedAt && suppressed.has(normaliseEmail(profile.email)))
      profile.suppressedAt = 'suppressed';
  }
  return profiles;
}

/** Starts one send per pacer slot, with a bounded number in hand at once. */
async function paced(
  state: Run,
  records: Delivery[],
  send: (record: Delivery) => Promise<void>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const limit = Math.min(32, Math.max(2, Math.ceil(state.rate / 2)));
  let failure: unknown;
  for (const record of records) {
    if (failure) break;
    if (inFlight.size >= limit) await Promise.race(inFlight);
    await state.pacer.wait();
    const job = send(record)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(job));
    inFlight.add(job);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
}

async function sendOne(
  state: Run,
  record: Delivery,
  profile:
    | (Parameters<typeof mayReceiveMailouts>[0] & {
        name?: string;
        email?: string;
        organisation?: string;
      })
    | undefined,
): Promise<void> {
  const { mailoutId } = state.mailout;
  const { memberId } = record;
  const at = new Date().toISOString();
  if (!profile || !mayReceiveMailouts(profile) || !profile.email) {
    // Unsubscribed, suppressed or erased since the audience was fixed.
    await transactIfFirstHolds(
      compact([
        moveRecord(mailoutId, memberId, [record.state], {
          state: 'skipped',
          set: { reason: profile ? 'no longer receives mail-outs' : 'no longer a member', skippedAt: at },
        }),
        addCounts(mailoutId, { skipped: 1 }),
      ]),
    );
    return;
  }
  const recipient = {
    email: profile.email,
    name: profile.name ?? '',
    organisation: profile.organisation ?? '',
  };
  if (!(await claim(state, record, recipient, at))) return;
  const links = await memberLinks(memberId);
  const unsubscribeUrl = `${links.unsubscribeUrl}&mailout=${mailoutId}`;
  const { subject, preheader } = state.mailout;
  const email = mailoutEmail({ subject, preheader, body: state.body }, { ...links, unsubscribeUrl });
  let messageId: string | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      messageId = await sendEmail({
        to: recipient.email,
        email,
        headers: listUnsubscribeHeaders({ ...links, unsubscribeUrl }),
        tags: {
          [emailTags.category]: 'mailout',
          [emailTags.mailoutId]: mailoutId,
          [emailTags.memberId]: memberId,
        },
      });
      state.pacer.recover();
      break;
    } catch (error) {
      const failure = classifySendError(error);
      if (failure.kind === 'throttled') {
        // Over the rate: slow down and try the same recipient again; never counted as failed.
        state.pacer.slowDown();
        if (Date.now() > state.handoverAt) {
          await unclaim(mailoutId, memberId);
          throw new HandoverDue();
        }
        await sleep(backoffMs(attempt));
        continue;
      }
      if (failure.accountWide) {
        // Nobody will get it until the account is sorted out: pause rather than fail everyone left.
        await unclaim(mailoutId, memberId);
        await pauseItself(state, 'ses-account');
      }
      if (failure.kind === 'rejected') {
        await settleRecord(state, memberId, 'failed', {
          reason: failure.reason,
          failedAt: new Date().toISOString(),
        });
        return;
      }
      // SES did not take it (a 5xx, the network): the claim goes back and the run is retried.
      await unclaim(mailoutId, memberId);
      throw error;
    }
  }
  await settleRecord(state, memberId, 'sent', {
    sentAt: new Date().toISOString(),
    ...(messageId ? { messageId } : {}),
  });
}

/** The claim before the SES call: pending (or lapsed queued) → queued, only while this run still owns the mail-out. */
async function claim(
  state: Run,
  record: Delivery,
  recipient: { email: string; name: string; organisation: string },
  at: string,
): Promise<boolean> {
  const { mailoutId } = state.mailout;
  const from = record.state === 'queued' ? (['queued'] as const) : (['pending'] as const);
  const claimItem = moveRecord(mailoutId, record.memberId, [...from], {
    state: 'queued',
    set: { queuedAt: at, ...recipient },
  });
  if (record.state === 'queued' && claimItem.Update) {
    // A lapsed claim is retaken only as it was found, so two runs never both retake it.
    claimItem.Update.ConditionExpression += ' AND queuedAt = :previousQueuedAt';
    claimItem.Update.ExpressionAttributeValues = {
      ...claimItem.Update.ExpressionAttributeValues,
      ':previousQueuedAt': record.queuedAt,
    };
  }
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          claimItem,
          {
            ConditionCheck: {
              TableName: tableName('mailouts'),
              Key: mailoutKey(mailoutId),
              ConditionExpression: '#state = :sending AND #run = :run',
              ExpressionAttributeNames: { '#state': 'state', '#run': 'run' },
              ExpressionAttributeValues: { ':sending': 'sending', ':run': state.run },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [recordReason, headerReason] = error.CancellationReasons ?? [];
    if (headerReason?.Code === 'ConditionalCheckFailed') throw new RunLost();
    if (recordReason?.Code === 'ConditionalCheckFailed') return false;
    throw error;
  }
}

/** queued → sent or failed, with the header's count and the event for the counters, atomically. */
async function settleRecord(
  state: Run,
  memberId: string,
  outcome: 'sent' | 'failed',
  set: Record<string, unknown>,
): Promise<void> {
  const { mailoutId, startedAt } = state.mailout;
  await transactIfFirstHolds(
    compact([
      moveRecord(mailoutId, memberId, ['queued'], { state: outcome, set }),
      addCounts(mailoutId, { [outcome]: 1 }),
      ...announce(
        'mailouts',
        [
          {
            detailType: 'MailoutRecipientUpdated',
            detail: {
              mailoutId,
              recipientKey: recipientKey(mailoutId, memberId),
              change: outcome,
              mailoutStartedAt: startedAt ?? new Date().toISOString(),
            },
          },
        ],
        state.correlationId,
      ),
    ]),
  );
}

/** Why a run pauses its mail-out; MailoutPaused announces it, and staff are told (notify-mailout-paused). */
type SelfPause = 'bounce-rate' | 'complaint-rate' | 'ses-account' | 'body-not-rendered' | 'body-unreadable';

async function pauseItself(state: RunHold, reason: SelfPause): Promise<never> {
  const { mailout } = state;
  await runEnd(state, { state: 'paused', pausedReason: reason, pausedAt: new Date().toISOString() }, [
    {
      detailType: 'MailoutPaused',
      detail: {
        mailoutId: mailout.mailoutId,
        reason,
        sent: mailout.counts.sent,
        bounced: mailout.counts.bouncedPermanent,
        complained: mailout.counts.complained,
      },
    },
  ]);
  logger.warn('mail-out paused itself', { mailoutId: mailout.mailoutId, reason });
  throw new RunLost();
}

async function finish(state: Run): Promise<void> {
  const latest = (await getMailout(state.mailout.mailoutId)) ?? state.mailout;
  const finishedAt = new Date().toISOString();
  await runEnd(state, { state: 'sent', finishedAt, phase: 'done' }, [
    {
      detailType: 'MailoutCompleted',
      detail: {
        mailoutId: latest.mailoutId,
        outcome: 'sent',
        audienceSize: latest.counts.audienceSize,
        sent: latest.counts.sent,
        failed: latest.counts.failed,
        startedAt: latest.startedAt ?? finishedAt,
      },
    },
  ]);
  logger.info('mail-out sent', { mailoutId: latest.mailoutId, sent: latest.counts.sent });
}

/** Hands the mail-out to a fresh invocation: a new run from this checkpoint, announced with it. */
async function handOver(state: Run): Promise<void> {
  const next = state.run + 1;
  await runEnd(state, { run: next }, [
    {
      detailType: 'MailoutDispatchRequested',
      detail: { mailoutId: state.mailout.mailoutId, run: next, reason: 'handover' },
    },
  ]);
}

async function runEnd(
  state: RunHold,
  set: Record<string, unknown>,
  events: Parameters<typeof announce>[1],
): Promise<void> {
  const ended = await transactIfFirstHolds([
    ownedRunUpdate(state.mailout.mailoutId, state.run, state.owner, { set }),
    ...announce('mailouts', events, state.correlationId),
  ]);
  if (!ended) throw new RunLost();
}

const compact = (items: Array<TransactItem | undefined>): TransactItem[] =>
  items.filter((item): item is TransactItem => item !== undefined);

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += width) {
    await Promise.all(items.slice(start, start + width).map(work));
  }
}
