/** What a mail-out is, which state changes it allows, and the figures staff see. Pure: no AWS. */
import * as z from 'zod';
import { ids } from '../../../shared/config';
import { Conflict, Invalid } from '../../../shared/errors';
import { instant } from '../../../shared/instant';
import { controlCharacters, singleLine } from '../../../shared/text-fields';

import type { MailoutProgress, MailoutState } from './progress';

export type { MailoutProgress, MailoutState };

export const maxMarkdownBytes = 200 * 1024;
export const maxTestAddresses = 5;
export const maxSegmentIds = 50;

/** A list of config ids (networks, organisation types, interests); an unknown id is named in its message. */
const idList = (singular: string, plural: string, known: string[]) =>
  z
    .array(
      z
        .string({ error: `Each ${singular} must be an id such as "${known[0]}"` })
        .refine((id) => known.includes(id), {
          error: (issue) => `Unknown ${singular} "${String(issue.input)}" (choose from ${known.join(', ')})`,
        }),
      { error: `${plural} must be a list of ids` },
    )
    .max(maxSegmentIds, `Choose at most ${maxSegmentIds} ${plural}`)
    .refine((list) => new Set(list).size === list.length, `Name each ${singular} only once`);

export const audienceSchema = z
  .object({
    networks: idList('network', 'networks', ids.networks).optional(),
    organisationTypes: idList('organisation type', 'organisation types', ids.organisationTypes).optional(),
    interests: idList('interest', 'interests', ids.interests).optional(),
  })
  .strict();

const subject = singleLine('the subject', 200);

const markdown = z
  .string({ error: 'Write the body in Markdown' })
  .refine((value) => value.trim().length > 0, 'Write the body in Markdown')
  .refine((value) => Buffer.byteLength(value, 'utf8') <= maxMarkdownBytes, 'the body is over 200 KB');

/** Optional preview text shown after the subject in most inboxes; '' clears it. */
const preheader = z
  .string({ error: 'The preheader must be text' })
  .transform((value) => value.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .max(200, 'Shorten the preheader to 200 characters or fewer')
      .refine((value) => !controlCharacters.test(value), 'Write the preheader on one line'),
  );

const mailoutFields = {
  subject,
  markdown,
  preheader: preheader.optional(),
  audience: audienceSchema.optional(),
};

export const createMailoutSchema = z.object(mailoutFields).strict();

export const updateMailoutSchema = z
  .object({
    subject: subject.optional(),
    markdown: markdown.optional(),
    preheader: preheader.optional(),
    audience: audienceSchema.optional(),
  })
  .strict()
  .refine(
    (change) => Object.values(change).some((value) => value !== undefined),
    'Send at least one field to change',
  );

export const sendMailoutSchema = z
  .object({
    at: instant('at', '2027-01-14T09:00:00Z').optional(),
  })
  .strict();

export const testSendSchema = z
  .object({
    to: z
      .array(
        z
          .string({ error: 'Each test address must be an e-mail address' })
          .trim()
          .max(254, 'A test address is too long')
          .pipe(z.email('Each test address must be an e-mail address')),
        { error: 'Give the test addresses as a list' },
      )
      .min(1, 'Give at least one test address')
      .max(maxTestAddresses, 'at most 5 test addresses')
      .refine(
        (list) => new Set(list.map((address) => address.toLowerCase())).size === list.length,
        'Give each test address only once',
      ),
  })
  .strict();

export type AudienceInput = z.infer<typeof audienceSchema>;
export type NewMailout = z.infer<typeof createMailoutSchema>;
export type MailoutChange = z.infer<typeof updateMailoutSchema>;
export type SendRequest = z.infer<typeof sendMailoutSchema>;
export type TestSendRequest = z.infer<typeof testSendSchema>;

/** A send time must lie ahead: a 400 naming the field `at` otherwise. */
export function assertFuture(at: string, now: Date): void {
  const when = Date.parse(at);
  if (Number.isNaN(when)) {
    throw new Invalid('The request is not valid.', [
      { field: 'at', message: 'at must be an ISO 8601 date-time with a time zone' },
    ]);
  }
  if (when <= now.getTime()) {
    throw new Invalid('The request is not valid.', [
      { field: 'at', message: 'at must be in the future (leave it out to send now)' },
    ]);
  }
}

export type MailoutAction =
  | 'schedule'
  | 'send'
  | 'pause'
  | 'resume'
  | 'cancel'
  | 'finish'
  | 'self-pause'
  | 'edit';

/** Every allowed state change: action → (from → to). Anything not listed is a 409. */
export const mailoutTransitions: Record<MailoutAction, Partial<Record<MailoutState, MailoutState>>> = {
  edit: { draft: 'draft', scheduled: 'scheduled' },
  schedule: { draft: 'scheduled', scheduled: 'scheduled' },
  send: { draft: 'sending', scheduled: 'sending' },
  pause: { sending: 'paused' },
  'self-pause': { sending: 'paused' },
  resume: { paused: 'sending' },
  cancel: { draft: 'cancelled', scheduled: 'cancelled', sending: 'cancelled', paused: 'cancelled' },
  finish: { sending: 'sent' },
};

const stateWords: Record<MailoutState, string> = {
  draft: 'A draft mail-out',
  scheduled: 'A scheduled mail-out',
  sending: 'A mail-out that is sending',
  paused: 'A paused mail-out',
  sent: 'A sent mail-out',
  cancelled: 'A cancelled mail-out',
};

const actionWords: Record<MailoutAction, string> = {
  edit: 'changed',
  schedule: 'scheduled',
  send: 'sent',
  pause: 'paused',
  'self-pause': 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
  finish: 'finished',
};

export const canTransition = (current: MailoutState, action: MailoutAction): boolean =>
  mailoutTransitions[action][current] !== undefined;

/** The state after `action`, or a Conflict (409) such as "A sent mail-out cannot be paused." */
export function nextState(current: MailoutState, action: MailoutAction): MailoutState {
  const next = mailoutTransitions[action][current];
  if (next === undefined) throw new Conflict(`${stateWords[current]} cannot be ${actionWords[action]}.`);
  return next;
}

export interface MailoutCounts {
  audienceSize: number;
  queued: number;
  sent: number;
  failed: number;
  /** Recipients dropped at send time (suppressed or unsubscribed since the audience was fixed). */
  skipped: number;
  delivered: number;
  bounced: number;
  bouncedPermanent: number;
  bouncedTransient: number;
  complained: number;
  opensHuman: number;
  opensMachine: number;
  /** Unique recipients with a human open or a human click. */
  readers: number;
  clicks: number;
}

export interface MailoutProgressHeader {
  state: MailoutState;
  counts: Partial<MailoutCounts>;
  startedAt?: string;
  finishedAt?: string;
  pausedReason?: string;
}

const roundTo = (value: number, decimals: number) => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

/** The public figures of a mail-out, from its header's counters. */
export function progressView(
  header: MailoutProgressHeader,
  unsubscribes: number,
  now: Date,
): MailoutProgress {
  const count = (name: keyof MailoutCounts) => header.counts[name] ?? 0;
  const audienceSize = count('audienceSize');
  const settled = count('sent') + count('failed') + count('skipped');
  const percentDone =
    audienceSize === 0
      ? header.state === 'sent'
        ? 100
        : 0
      : Math.min(100, roundTo((settled / audienceSize) * 100, 1));
  return {
    state: header.state,
    audienceSize,
    queued: count('queued'),
    sent: count('sent'),
    failed: count('failed'),
    skipped: count('skipped'),
    delivered: count('delivered'),
    bounced: count('bounced'),
    bouncedPermanent: count('bouncedPermanent'),
    bouncedTransient: count('bouncedTransient'),
    complained: count('complained'),
    opens: { human: count('opensHuman'), machine: count('opensMachine') },
    uniqueReaders: count('readers'),
    clicks: count('clicks'),
    unsubscribes,
    percentDone,
    startedAt: header.startedAt ?? null,
    finishedAt: header.finishedAt ?? null,
    sendRatePerSecond: sendRate(count('sent') + count('failed'), header.startedAt, header.finishedAt, now),
    pausedReason: header.pausedReason ?? null,
  };
}

/** Achieved rate over the whole run so far (a pause counts as time: it is what staff waited). */
function sendRate(
  answered: number,
  startedAt: string | undefined,
  finishedAt: string | undefined,
  now: Date,
) {
  if (!startedAt) return null;
  const start = Date.parse(startedAt);
  const end = finishedAt ? Date.parse(finishedAt) : now.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  const seconds = (end - start) / 1000;
  return seconds > 0 ? roundTo(answered / seconds, 2) : 0;
}
