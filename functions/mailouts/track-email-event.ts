/**
 * SES's own events (Send, Delivery, Bounce, Complaint, Reject, DeliveryDelay, Open, Click) into the
 * delivery records, the mail-out's figures, suppression and the counters. Every change to a record
 * is conditioned on the state it moves from, in one transaction with the header's count and the
 * event for the counters, so a repeated or late event never counts twice.
 */
import { type ConsumedSesEvent, sesEventConsumer } from '../../shared/consumer';
import type { TransactItem } from '../../shared/outbox';
import { announce } from '../../shared/outbox';
import { emailTags, type SesEventDetail, tagOf } from '../../shared/ses-events';
import { transactIfFirstHolds } from '../../shared/transactions';
import { suppressAddress } from '../members/suppression-store';
import { type Delivery, type DeliveryState, getDelivery, moveRecord, recipientKey } from './delivery-store';
import { classifyOpen, clickBurstSeconds, clickMachineReason } from './domain/engagement';
import type { MailoutCounts } from './domain/mailout';
import { addCounts } from './mailout-run-store';
import { getMailout } from './mailout-store';

type Change =
  | 'sent'
  | 'failed'
  | 'delivered'
  | 'bounced'
  | 'complained'
  | 'read'
  | 'clicked'
  | 'machine-opened';

interface Target {
  mailoutId: string;
  memberId: string;
  startedAt: string;
  record: Delivery;
  correlationId?: string;
}

export const handler = sesEventConsumer('track-email-event', async (event) => track(event));

async function track({ detail }: ConsumedSesEvent): Promise<void> {
  await suppressIfHard(detail);
  const target = await targetOf(detail);
  if (!target) return;
  switch (detail.eventType) {
    case 'Send':
      return move(
        target,
        ['queued'],
        'sent',
        { sentAt: detail.mail.timestamp, messageId: detail.mail.messageId },
        { sent: 1 },
        ['sent'],
      );
    case 'Delivery': {
      const deliveredAt = detail.delivery?.timestamp ?? detail.mail.timestamp;
      if (target.record.state === 'queued') {
        // SES's Delivery overtook the Send (or the dispatcher died before recording it): both at once.
        return move(
          target,
          ['queued'],
          'delivered',
          { deliveredAt, sentAt: detail.mail.timestamp, messageId: detail.mail.messageId },
          { sent: 1, delivered: 1 },
          ['sent', 'delivered'],
        );
      }
      return move(target, ['sent'], 'delivered', { deliveredAt }, { delivered: 1 }, ['delivered']);
    }
    case 'Bounce':
      return bounce(target, detail);
    case 'Complaint':
      return move(
        target,
        ['sent', 'delivered', 'queued'],
        'complained',
        { complainedAt: detail.complaint?.timestamp ?? detail.mail.timestamp },
        { complained: 1, ...(target.record.state === 'queued' ? { sent: 1 } : {}) },
        target.record.state === 'queued' ? ['sent', 'complained'] : ['complained'],
      );
    case 'Reject':
      return fail(target, `rejected by SES: ${(detail.reject?.reason ?? 'no reason given').slice(0, 200)}`);
    case 'DeliveryDelay':
      await transactIfFirstHolds([
        moveRecord(target.mailoutId, target.memberId, 'any', {
          set: { delayedAt: detail.deliveryDelay?.timestamp ?? detail.mail.timestamp },
        }),
      ]);
      return;
    case 'Open':
      return open(target, detail);
    case 'Click':
      return click(target, detail);
    default:
      return;
  }
}

/** A hard bounce or a complaint about any alliance e-mail suppresses the address. */
async function suppressIfHard(detail: SesEventDetail): Promise<void> {
  const hardBounce = detail.eventType === 'Bounce' && detail.bounce?.bounceType === 'Permanent';
  if (!hardBounce && detail.eventType !== 'Complaint') return;
  const category = tagOf(detail, emailTags.category);
  const isMailout = category === 'mailout';
  for (const email of detail.mail.destination) {
    await suppressAddress({
      email,
      reason: hardBounce ? 'bounce' : 'complaint',
      at: new Date(
        (hardBounce ? detail.bounce?.timestamp : detail.complaint?.timestamp) ?? detail.mail.timestamp,
      ).toISOString(),
      ...(isMailout
        ? { memberId: tagOf(detail, emailTags.memberId), mailoutId: tagOf(detail, emailTags.mailoutId) }
        : {}),
    });
  }
}

/** The delivery record an event is about: only mail-out e-mails have one (tests and transactional mail do not). */
async function targetOf(detail: SesEventDetail): Promise<Target | undefined> {
  if (tagOf(detail, emailTags.category) !== 'mailout') return undefined;
  const mailoutId = tagOf(detail, emailTags.mailoutId);
  const memberId = tagOf(detail, emailTags.memberId);
  if (!mailoutId || !memberId) return undefined;
  const [mailout, record] = await Promise.all([
    getMailout(mailoutId, false),
    getDelivery(mailoutId, memberId),
  ]);
  if (!mailout || !record) return undefined;
  return { mailoutId, memberId, startedAt: mailout.startedAt ?? detail.mail.timestamp, record };
}

async function bounce(target: Target, detail: SesEventDetail): Promise<void> {
  const info = detail.bounce;
  if (!info) return;
  if (info.bounceType === 'Permanent' && info.bounceSubType === 'OnAccountSuppressionList') {
    return fail(target, 'the address is on the account suppression list');
  }
  const bounceType = info.bounceType === 'Permanent' ? 'permanent' : 'transient';
  const fromQueued = target.record.state === 'queued';
  return move(
    target,
    ['queued', 'sent', 'delivered'],
    'bounced',
    { bouncedAt: info.timestamp, bounceType, bounceSubType: info.bounceSubType },
    {
      bounced: 1,
      ...(bounceType === 'permanent' ? { bouncedPermanent: 1 } : { bouncedTransient: 1 }),
      ...(fromQueued ? { sent: 1 } : {}),
    },
    fromQueued ? ['sent', 'bounced'] : ['bounced'],
    bounceType,
  );
}

/** SES did not deliver and will not: the record is failed (a send it had counted is taken back). */
function fail(target: Target, reason: string): Promise<void> {
  const wasSent = target.record.state === 'sent' || target.record.state === 'delivered';
  return move(
    target,
    ['queued', 'sent', 'delivered'],
    'failed',
    { reason, failedAt: new Date().toISOString() },
    { failed: 1, ...(wasSent ? { sent: -1 } : {}) },
    ['failed'],
  );
}

async function open(target: Target, detail: SesEventDetail): Promise<void> {
  const info = detail.open;
  if (!info) return;
  const kind = classifyOpen(info, target.record.deliveredAt);
  if (kind === 'machine') {
    await change(target, moveRecord(target.mailoutId, target.memberId, 'any', { add: { machineOpens: 1 } }), {
      opensMachine: 1,
    });
    await firstTime(target, 'machineOpenAt', info.timestamp, {}, ['machine-opened']);
    return;
  }
  await change(target, moveRecord(target.mailoutId, target.memberId, 'any', { add: { humanOpens: 1 } }), {
    opensHuman: 1,
  });
  await firstTime(target, 'humanOpenAt', info.timestamp, {}, []);
  await firstTime(target, 'readAt', info.timestamp, { readers: 1 }, ['read']);
}

async function click(target: Target, detail: SesEventDetail): Promise<void> {
  const info = detail.click;
  if (!info) return;
  const at = new Date(info.timestamp).getTime();
  const recent = target.record.recentClicks ?? [];
  const otherClicksWithinSeconds = recent.filter(
    (time) => Math.abs(new Date(time).getTime() - at) <= clickBurstSeconds * 1000,
  ).length;
  const recentClicks = [...recent, info.timestamp].slice(-10);
  const machine = clickMachineReason(info, {
    deliveredAt: target.record.deliveredAt,
    otherClicksWithinSeconds,
  });
  if (machine) {
    await change(
      target,
      moveRecord(target.mailoutId, target.memberId, 'any', {
        add: { machineClicks: 1 },
        set: { recentClicks },
      }),
      {},
    );
    return;
  }
  await change(
    target,
    moveRecord(target.mailoutId, target.memberId, 'any', { add: { clicks: 1 }, set: { recentClicks } }),
    { clicks: 1 },
    ['clicked'],
  );
  await firstTime(target, 'firstClickAt', info.timestamp, {}, []);
  // A click implies a read.
  await firstTime(target, 'readAt', info.timestamp, { readers: 1 }, ['read']);
}

/** Sets `field` the first time only, with its counts and events in the same transaction. */
function firstTime(
  target: Target,
  field: keyof Delivery,
  at: string,
  deltas: Partial<Record<keyof MailoutCounts, number>>,
  events: Change[],
): Promise<void> {
  return change(
    target,
    moveRecord(target.mailoutId, target.memberId, 'any', { set: { [field]: at }, unlessSet: field }),
    deltas,
    events,
  );
}

function move(
  target: Target,
  from: DeliveryState[],
  to: DeliveryState,
  set: Record<string, unknown>,
  deltas: Partial<Record<keyof MailoutCounts, number>>,
  events: Change[],
  bounceType?: 'permanent' | 'transient',
): Promise<void> {
  return change(
    target,
    moveRecord(target.mailoutId, target.memberId, from, { state: to, set }),
    deltas,
    events,
    bounceType,
  );
}

async function change(
  target: Target,
  recordChange: TransactItem,
  deltas: Partial<Record<keyof MailoutCounts, number>>,
  events: Change[] = [],
  bounceType?: 'permanent' | 'transient',
): Promise<void> {
  const header = addCounts(target.mailoutId, deltas);
  await transactIfFirstHolds([
    recordChange,
    ...(header ? [header] : []),
    ...announce(
      'mailouts',
      events.map((eventChange) => ({
        detailType: 'MailoutRecipientUpdated' as const,
        detail: {
          mailoutId: target.mailoutId,
          recipientKey: recipientKey(target.mailoutId, target.memberId),
          change: eventChange,
          ...(eventChange === 'bounced' && bounceType ? { bounceType } : {}),
          mailoutStartedAt: target.startedAt,
        },
      })),
      target.correlationId,
    ),
  ]);
}
