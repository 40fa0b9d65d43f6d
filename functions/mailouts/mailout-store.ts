/**
 * The mailouts table: per mail-out, a header item (subject, audience, state and progress) and a content
 * item (the draft's Markdown and its rendered body), created, read, listed and moved from state to state
 * here; a dispatch run's lease, checkpoint and counts are in mailout-run-store.ts.
 *
 * The header is written for every recipient and SES event while a mail-out goes out, and DynamoDB
 * charges each write for the whole item: the content (up to ~350 KB) is kept apart so the header stays
 * a couple of KB. The body is one binary attribute (`renderedBody`, see domain/stored-body.ts); it
 * stays out of `Mailout`, so it never travels further than the senders that need it. Mail-outs saved
 * before the content item keep their content on the header; it moves when it is next written.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import { tableName } from '../../shared/tables';
import { transactIfFirstHolds } from '../../shared/transactions';
import type { Audience } from './domain/audience';
import type { MailoutCounts, MailoutState } from './domain/mailout';
import type { ContentWrite } from './domain/stored-body';
import {
  contentItemWrite,
  type HeaderExpression,
  type MailoutContent,
  mailoutContentKey,
  markdownAttribute,
  renderedBodyAttribute,
  type TransactWriteItem,
  toContent,
} from './mailout-content';

export type { ContentWrite, MailoutContent };
export { mailoutContentKey };

export type DispatchPhase = 'snapshot' | 'send' | 'settle';

/** Where a mail-out's recipients come from: the newsletter audience, or a former mail-out's undelivered. */
export type RecipientSource = { kind: 'audience' } | { kind: 'undelivered'; mailoutId: string };

export interface Mailout {
  mailoutId: string;
  subject: string;
  preheader?: string;
  audience: Audience;
  source: RecipientSource;
  state: MailoutState;
  createdAt: string;
  updatedAt: string;
  createdBy?: string;
  scheduledAt?: string;
  startedAt?: string;
  finishedAt?: string;
  pausedReason?: string;
  counts: MailoutCounts;
  /** Dispatch: each start, resume and hand-over is a new run; a dispatcher of an older run stops. */
  run: number;
  phase: DispatchPhase;
  /** The last recipient dealt with in this phase (the checkpoint a resumed run carries on from). */
  cursor?: string;
  leaseOwner?: string;
  leaseUntil?: number;
  /** The figures when staff last resumed it: a self-pause looks only at what came after. */
  selfPauseBaseline?: { sent: number; bounced: number; complained: number };
}

export interface MailoutWithContent {
  mailout: Mailout;
  content: MailoutContent;
}

export const zeroCounts = (): MailoutCounts => ({
  audienceSize: 0,
  queued: 0,
  sent: 0,
  failed: 0,
  skipped: 0,
  delivered: 0,
  bounced: 0,
  bouncedPermanent: 0,
  bouncedTransient: 0,
  complained: 0,
  opensHuman: 0,
  opensMachine: 0,
  readers: 0,
  clicks: 0,
});

/** A new draft with nothing sent yet. */
export function newDraft(
  content: Pick<Mailout, 'subject' | 'preheader' | 'audience' | 'source'>,
  now = new Date().toISOString(),
): Mailout {
  return {
    mailoutId: randomUUID(),
    subject: content.subject,
    ...(content.preheader ? { preheader: content.preheader } : {}),
    audience: content.audience,
    source: content.source,
    state: 'draft',
    createdAt: now,
    updatedAt: now,
    counts: zeroCounts(),
    run: 0,
    phase: 'snapshot',
  };
}

export const mailoutKey = (mailoutId: string) => ({ pk: `MAILOUT#${mailoutId}`, sk: 'MAILOUT' });

export const mailoutsTable = () => tableName('mailouts');

/** A header item as a `Mailout` (keys, index attributes and any content still on it left out). */
export const toMailout = (item: Record<string, unknown>): Mailout => {
  const {
    pk: _pk,
    sk: _sk,
    type: _type,
    listPk: _listPk,
    duePk: _duePk,
    dueAt: _dueAt,
    [markdownAttribute]: _markdown,
    [renderedBodyAttribute]: _renderedBody,
    ...mailout
  } = item;
  const typed = mailout as unknown as Mailout;
  return { ...typed, counts: { ...zeroCounts(), ...typed.counts } };
};

/**
 * Stores a new mail-out, its header and its content (the rendered body included), in one transaction.
 * Without a body (a follow-up of a mail-out saved before bodies were stored) the body is rendered when
 * it is sent.
 */
export async function createMailout(
  mailout: Mailout,
  content: { markdown: string; renderedBody?: Uint8Array },
): Promise<MailoutWithContent> {
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: mailoutsTable(),
            Item: { ...mailoutKey(mailout.mailoutId), type: 'mailout', listPk: 'mailout', ...mailout },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: mailoutsTable(),
            Item: {
              ...mailoutContentKey(mailout.mailoutId),
              type: 'mailout-content',
              [markdownAttribute]: content.markdown,
              ...(content.renderedBody ? { [renderedBodyAttribute]: content.renderedBody } : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    }),
  );
  return {
    mailout,
    content: {
      markdown: content.markdown,
      ...(content.renderedBody ? { renderedBody: content.renderedBody } : {}),
      onHeader: false,
    },
  };
}

/** The header only: state, counts, lease and checkpoint, without the draft's content. */
export async function getMailout(mailoutId: string, consistent = true): Promise<Mailout | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: mailoutsTable(), Key: mailoutKey(mailoutId), ConsistentRead: consistent }),
  );
  return result.Item ? toMailout(result.Item) : undefined;
}

/**
 * The header and the draft's content (Markdown and stored body, gzipped, see domain/stored-body.ts)
 * in one read of the mail-out's partition.
 */
export async function getMailoutWithContent(
  mailoutId: string,
  consistent = true,
): Promise<MailoutWithContent | undefined> {
  const { pk } = mailoutKey(mailoutId);
  const result = await dynamo.send(
    new QueryCommand({
      TableName: mailoutsTable(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: consistent,
    }),
  );
  const items = result.Items ?? [];
  const header = items.find((item) => item.sk === mailoutKey(mailoutId).sk);
  if (!header) return undefined;
  const contentItem = items.find((item) => item.sk === mailoutContentKey(mailoutId).sk);
  return { mailout: toMailout(header), content: toContent(header, contentItem) };
}

/** The header's update, with the content item's write (if any) right after it. */
function headerAndContent(
  mailoutId: string,
  header: HeaderExpression,
  content: ContentWrite | undefined,
): TransactWriteItem[] {
  const contentItem = content ? [contentItemWrite(mailoutId, content, header)] : [];
  return [
    {
      Update: {
        TableName: mailoutsTable(),
        Key: mailoutKey(mailoutId),
        UpdateExpression: `SET ${header.sets.join(', ')}${header.removes.length ? ` REMOVE ${header.removes.join(', ')}` : ''}`,
        ConditionExpression: header.conditions.join(' AND '),
        ExpressionAttributeNames: header.names,
        ExpressionAttributeValues: header.values,
      },
    },
    ...contentItem,
  ];
}

/** Mail-outs newest first, a page at a time. */
export async function listMailouts(
  limit: number,
  startAfter?: { mailoutId: string; createdAt: string },
): Promise<{ mailouts: Mailout[]; next?: { mailoutId: string; createdAt: string } }> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: mailoutsTable(),
      IndexName: 'byCreated',
      KeyConditionExpression: 'listPk = :list',
      ExpressionAttributeValues: { ':list': 'mailout' },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startAfter
        ? { ...mailoutKey(startAfter.mailoutId), listPk: 'mailout', createdAt: startAfter.createdAt }
        : undefined,
    }),
  );
  const last = result.LastEvaluatedKey;
  return {
    mailouts: (result.Items ?? []).map(toMailout),
    next:
      last && typeof last.createdAt === 'string' && typeof last.pk === 'string'
        ? { mailoutId: last.pk.replace(/^MAILOUT#/, ''), createdAt: last.createdAt }
        : undefined,
  };
}

/**
 * Changes a draft or scheduled mail-out's header and content in one transaction (new Markdown comes
 * with its render). False when it is in neither state any more, or a backfilled body found one already
 * stored.
 */
export function updateDraft(
  mailoutId: string,
  changes: Partial<Pick<Mailout, 'subject' | 'preheader' | 'audience'>>,
  at: string,
  content?: ContentWrite,
): Promise<boolean> {
  const header: HeaderExpression = {
    names: { '#state': 'state' },
    values: { ':draft': 'draft', ':scheduled': 'scheduled', ':at': at },
    sets: ['updatedAt = :at'],
    removes: [],
    conditions: ['#state IN (:draft, :scheduled)'],
  };
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    header.names[`#${field}`] = field;
    header.values[`:${field}`] = value;
    header.sets.push(`#${field} = :${field}`);
  }
  return transactIfFirstHolds(headerAndContent(mailoutId, header, content), 2);
}

/**
 * Moves a mail-out from one state to the next, with any extra changes (a backfilled body among them)
 * and the events announcing it, in one transaction. False when it was not in `from` (someone else
 * moved it first), or a backfilled body found one already stored.
 */
export function transition(
  mailoutId: string,
  from: MailoutState | MailoutState[],
  to: MailoutState,
  changes: { set?: Record<string, unknown>; remove?: string[]; content?: ContentWrite },
  events: TransactItem[] = [],
): Promise<boolean> {
  const fromStates = Array.isArray(from) ? from : [from];
  const header: HeaderExpression = {
    names: { '#state': 'state' },
    values: { ':to': to },
    sets: ['#state = :to'],
    removes: [],
    conditions: [`#state IN (${fromStates.map((_, index) => `:from${index}`).join(', ')})`],
  };
  fromStates.forEach((state, index) => {
    header.values[`:from${index}`] = state;
  });
  for (const [field, value] of Object.entries(changes.set ?? {})) {
    header.names[`#${field}`] = field;
    header.values[`:${field}`] = value;
    header.sets.push(`#${field} = :${field}`);
  }
  for (const field of changes.remove ?? []) {
    header.names[`#${field}`] = field;
    header.removes.push(`#${field}`);
  }
  const items = headerAndContent(mailoutId, header, changes.content);
  return transactIfFirstHolds([...items, ...events], items.length);
}

/** Scheduled mail-outs whose time has come (a sparse index holds only scheduled ones). */
export async function listDue(
  now: string,
  limit: number,
): Promise<Array<{ mailoutId: string; dueAt: string }>> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: mailoutsTable(),
      IndexName: 'due',
      KeyConditionExpression: 'duePk = :due AND dueAt <= :now',
      ExpressionAttributeValues: { ':due': 'due', ':now': now },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => ({
    mailoutId: String(item.mailoutId),
    dueAt: String(item.dueAt),
  }));
}
