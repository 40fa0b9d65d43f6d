/**
 * A mail-out's dispatch runs on its header item: the lease one dispatcher holds while it works, the
 * checkpoint it records as it goes, the counts each recipient's changes add, and the owned update that
 * ends a run. Every write is conditional on the run still owning the mail-out.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import type { MailoutCounts } from './domain/mailout';
import {
  type DispatchPhase,
  getMailout,
  type Mailout,
  mailoutKey,
  mailoutsTable,
  toMailout,
} from './mailout-store';

/** The counters a change to one recipient moves on the header (ADD, so concurrent changes never clash). */
export function addCounts(
  mailoutId: string,
  deltas: Partial<Record<keyof MailoutCounts, number>>,
): TransactItem | undefined {
  const entries = Object.entries(deltas).filter(([, by]) => by !== 0 && by !== undefined);
  if (entries.length === 0) return undefined;
  const names: Record<string, string> = { '#counts': 'counts' };
  const values: Record<string, unknown> = {};
  const adds = entries.map(([field, by], index) => {
    names[`#c${index}`] = field;
    values[`:c${index}`] = by;
    return `#counts.#c${index} :c${index}`;
  });
  return {
    Update: {
      TableName: mailoutsTable(),
      Key: mailoutKey(mailoutId),
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Takes (or renews) the dispatch lease of a run: only one dispatcher works a mail-out at a time.
 * False when the mail-out is not sending in this run, or another live dispatcher holds it.
 */
export async function takeLease(
  mailoutId: string,
  run: number,
  owner: string,
  leaseSeconds: number,
): Promise<'taken' | 'held' | 'stale'> {
  const now = Math.floor(Date.now() / 1000);
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: mailoutsTable(),
        Key: mailoutKey(mailoutId),
        UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
        ConditionExpression:
          '#state = :sending AND #run = :run AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :owner)',
        ExpressionAttributeNames: { '#state': 'state', '#run': 'run' },
        ExpressionAttributeValues: {
          ':owner': owner,
          ':until': now + leaseSeconds,
          ':now': now,
          ':sending': 'sending',
          ':run': run,
        },
      }),
    );
    return 'taken';
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    const current = await getMailout(mailoutId);
    if (current?.state === 'sending' && current.run === run) return 'held';
    return 'stale';
  }
}

/**
 * Records how far a run has got and renews its lease, as long as it still owns the mail-out. The
 * header as it stands after the write (its counts decide a self-pause), or undefined when the run
 * lost it (paused, cancelled, resumed as a newer run).
 */
export async function checkpoint(
  mailoutId: string,
  run: number,
  owner: string,
  progress: { phase: DispatchPhase; cursor?: string },
  leaseSeconds: number,
): Promise<Mailout | undefined> {
  try {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: mailoutsTable(),
        Key: mailoutKey(mailoutId),
        UpdateExpression: `SET phase = :phase, leaseUntil = :until, checkpointAt = :at${progress.cursor === undefined ? ' REMOVE #cursor' : ', #cursor = :cursor'}`,
        ConditionExpression: '#state = :sending AND #run = :run AND leaseOwner = :owner',
        ExpressionAttributeNames: { '#state': 'state', '#run': 'run', '#cursor': 'cursor' },
        ExpressionAttributeValues: {
          ':phase': progress.phase,
          ':until': Math.floor(Date.now() / 1000) + leaseSeconds,
          ':at': new Date().toISOString(),
          ':sending': 'sending',
          ':run': run,
          ':owner': owner,
          ...(progress.cursor === undefined ? {} : { ':cursor': progress.cursor }),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes ? toMailout(result.Attributes) : undefined;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

/** The condition-checked header update that ends a run: hand-over, pause or finish, with its events. */
export function ownedRunUpdate(
  mailoutId: string,
  run: number,
  owner: string,
  update: { set: Record<string, unknown>; remove?: string[] },
): TransactItem {
  const names: Record<string, string> = { '#state': 'state', '#run': 'run' };
  const values: Record<string, unknown> = { ':sending': 'sending', ':currentRun': run, ':owner': owner };
  const sets = Object.entries(update.set).map(([field, value], index) => {
    names[`#s${index}`] = field;
    values[`:s${index}`] = value;
    return `#s${index} = :s${index}`;
  });
  const removes = ['leaseOwner', 'leaseUntil', ...(update.remove ?? [])];
  return {
    Update: {
      TableName: mailoutsTable(),
      Key: mailoutKey(mailoutId),
      UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
      ConditionExpression: '#state = :sending AND #run = :currentRun AND leaseOwner = :owner',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
