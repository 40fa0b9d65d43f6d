/**
 * The mailouts table: one header item per mail-out (its draft, state and progress), created, read,
 * listed and moved from state to state here; a dispatch run's lease, checkpoint and counts are in
 * mailout-run-store.ts. The draft's body, rendered when it was saved, is kept beside its Markdown as one
 * binary attribute (`renderedBody`, see domain/stored-body.ts); it stays out of `Mailout`, so it never
 * travels further than the senders that need it.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import { tableName } from '../../shared/tables';
import { transactIfFirstHolds } from '../../shared/transactions';
import type { Audience } from './domain/audience';
import type { MailoutCounts, MailoutState } from './domain/mailout';
import type { BodyWrite } from './domain/stored-body';

export type { BodyWrite };

export type DispatchPhase = 'snapshot' | 'send' | 'settle';

/** Where a mail-out's recipients come from: the newsletter audience, or a former mail-out's undelivered. */
export type RecipientSource = { kind: 'audience' } | { kind: 'undelivered'; mailoutId: string };

export interface Mailout {
  mailoutId: string;
  subject: string;
  markdown: string;
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
  /** Whether its rendered body is stored (not for drafts saved before bodies were). Not an attribute. */
  bodyRendered: boolean;
}

/** The stored attribute holding the rendered body. */
const renderedBodyAttribute = 'renderedBody';

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
  content: Pick<Mailout, 'subject' | 'markdown' | 'preheader' | 'audience' | 'source'>,
  now = new Date().toISOString(),
): Mailout {
  return {
    mailoutId: randomUUID(),
    subject: content.subject,
    markdown: content.markdown,
    ...(content.preheader ? { preheader: content.preheader } : {}),
    audience: content.audience,
    source: content.source,
    state: 'draft',
    createdAt: now,
    updatedAt: now,
    counts: zeroCounts(),
    run: 0,
    phase: 'snapshot',
    bodyRendered: false,
  };
}

export const mailoutKey = (mailoutId: string) => ({ pk: `MAILOUT#${mailoutId}`, sk: 'MAILOUT' });

export const mailoutsTable = () => tableName('mailouts');

/** A header item as a `Mailout` (keys, index attributes and the stored body left out). */
export const toMailout = (item: Record<string, unknown>): Mailout => {
  const {
    pk: _pk,
    sk: _sk,
    type: _type,
    listPk: _listPk,
    duePk: _duePk,
    dueAt: _dueAt,
    [renderedBodyAttribute]: renderedBody,
    ...mailout
  } = item;
  const typed = mailout as unknown as Mailout;
  return {
    ...typed,
    counts: { ...zeroCounts(), ...typed.counts },
    bodyRendered: renderedBody instanceof Uint8Array,
  };
};

/**
 * Stores a new mail-out with its rendered body, in one write. Without one (a follow-up of a mail-out
 * saved before bodies were stored) the body is rendered when it is sent.
 */
export async function createMailout(
  mailout: Mailout,
  renderedBody: Uint8Array | undefined,
): Promise<Mailout> {
  const { bodyRendered: _bodyRendered, ...attributes } = mailout;
  await dynamo.send(
    new PutCommand({
      TableName: mailoutsTable(),
      Item: {
        ...mailoutKey(mailout.mailoutId),
        type: 'mailout',
        listPk: 'mailout',
        ...attributes,
        ...(renderedBody ? { [renderedBodyAttribute]: renderedBody } : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { ...mailout, bodyRendered: renderedBody !== undefined };
}

export async function getMailout(mailoutId: string, consistent = true): Promise<Mailout | undefined> {
  return (await getMailoutWithBody(mailoutId, consistent))?.mailout;
}

/** The mail-out and its stored body (gzipped, see domain/stored-body.ts), if it has one, in one read. */
export async function getMailoutWithBody(
  mailoutId: string,
  consistent = true,
): Promise<{ mailout: Mailout; renderedBody?: Uint8Array } | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: mailoutsTable(), Key: mailoutKey(mailoutId), ConsistentRead: consistent }),
  );
  if (!result.Item) return undefined;
  const renderedBody = result.Item[renderedBodyAttribute];
  return {
    mailout: toMailout(result.Item),
    ...(renderedBody instanceof Uint8Array ? { renderedBody } : {}),
  };
}

function addBodyWrite(
  body: BodyWrite | undefined,
  expression: {
    sets: string[];
    conditions: string[];
    names: Record<string, string>;
    values: Record<string, unknown>;
  },
) {
  if (!body) return;
  expression.names['#renderedBody'] = renderedBodyAttribute;
  expression.values[':renderedBody'] = body.renderedBody;
  expression.sets.push('#renderedBody = :renderedBody');
  if (body.backfill) expression.conditions.push('attribute_not_exists(#renderedBody)');
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
 * Changes a draft or scheduled mail-out's content, with the rendered body in the same write (new
 * Markdown comes with its render). False when it is in neither state any more, or a backfilled body
 * found one already stored.
 */
export function updateDraft(
  mailoutId: string,
  changes: Partial<Pick<Mailout, 'subject' | 'markdown' | 'preheader' | 'audience'>>,
  at: string,
  body?: BodyWrite,
): Promise<boolean> {
  const names: Record<string, string> = { '#state': 'state' };
  const values: Record<string, unknown> = { ':draft': 'draft', ':scheduled': 'scheduled', ':at': at };
  const sets = ['updatedAt = :at'];
  const conditions = ['#state IN (:draft, :scheduled)'];
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  if (changes.markdown !== undefined && (!body || body.backfill))
    throw new Error('new Markdown is written with its rendered body');
  addBodyWrite(body, { sets, conditions, names, values });
  return transactIfFirstHolds([
    {
      Update: {
        TableName: mailoutsTable(),
        Key: mailoutKey(mailoutId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ]);
}

/**
 * Moves a mail-out from one state to the next, with any extra changes and the events announcing it,
 * in one transaction. False when it was not in `from` (someone else moved it first).
 */
export function transition(
  mailoutId: string,
  from: MailoutState | MailoutState[],
  to: MailoutState,
  changes: { set?: Record<string, unknown>; remove?: string[]; body?: BodyWrite },
  events: TransactItem[] = [],
): Promise<boolean> {
  const fromStates = Array.isArray(from) ? from : [from];
  const names: Record<string, string> = { '#state': 'state' };
  const values: Record<string, unknown> = { ':to': to };
  fromStates.forEach((state, index) => {
    values[`:from${index}`] = state;
  });
  const sets = ['#state = :to'];
  for (const [field, value] of Object.entries(changes.set ?? {})) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  const removes = (changes.remove ?? []).map((field) => {
    names[`#${field}`] = field;
    return `#${field}`;
  });
  const conditions = [`#state IN (${fromStates.map((_, index) => `:from${index}`).join(', ')})`];
  addBodyWrite(changes.body, { sets, conditions, names, values });
  return transactIfFirstHolds([
    {
      Update: {
        TableName: mailoutsTable(),
        Key: mailoutKey(mailoutId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    ...events,
  ]);
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
