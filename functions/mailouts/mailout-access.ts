/** Finding the mail-out a request names, and what staff see of it. */

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { dynamo } from '../../shared/clients';
import { Conflict, NotFound } from '../../shared/errors';
import { tableName } from '../../shared/tables';
import { progressView } from './domain/mailout';
import { getMailout, getMailoutWithContent, type Mailout, type MailoutWithContent } from './mailout-store';

const mailoutIdSchema = z.uuid();

/** A draft's body may be up to 200 KB of Markdown; the request around it a little more. */
export const maxMailoutRequestBytes = 256 * 1024;

function idFromPath(pathParameters: Record<string, string | undefined>): string {
  const parsed = mailoutIdSchema.safeParse(pathParameters.id);
  if (!parsed.success) throw new NotFound('No mail-out with that id.');
  return parsed.data;
}

/** The header of the mail-out a request names (state and progress, no draft content). */
export async function mailoutFromPath(pathParameters: Record<string, string | undefined>): Promise<Mailout> {
  const found = await getMailout(idFromPath(pathParameters));
  if (!found) throw new NotFound('No mail-out with that id.');
  return found;
}

/** The mail-out a request names, with its draft content (Markdown, and its stored body, gzipped, if it has one). */
export async function mailoutWithContentFromPath(
  pathParameters: Record<string, string | undefined>,
): Promise<MailoutWithContent> {
  const found = await getMailoutWithContent(idFromPath(pathParameters));
  if (!found) throw new NotFound('No mail-out with that id.');
  return found;
}

/** A lost race: the mail-out moved on between reading it and changing it. */
export const movedOn = () =>
  new Conflict('The mail-out changed state while this request was made; read it again and retry.');

/** The mail-out as staff see it: the draft, its state, and its progress and results. */
export function mailoutView(
  { mailout, content }: { mailout: Mailout; content: { markdown: string } },
  unsubscribes: number,
  now = new Date(),
) {
  const { id, subject, ...rest } = mailoutSummary(mailout, unsubscribes, now);
  return { id, subject, markdown: content.markdown, ...rest };
}

/** The mail-out as a list shows it: its view without the Markdown (the header alone answers it). */
export function mailoutSummary(mailout: Mailout, unsubscribes: number, now = new Date()) {
  return {
    id: mailout.mailoutId,
    subject: mailout.subject,
    preheader: mailout.preheader ?? null,
    audience: mailout.audience,
    followUpOf: mailout.source.kind === 'undelivered' ? mailout.source.mailoutId : null,
    createdAt: mailout.createdAt,
    updatedAt: mailout.updatedAt,
    scheduledAt: mailout.scheduledAt ?? null,
    ...progressView(
      {
        state: mailout.state,
        counts: mailout.counts,
        startedAt: mailout.startedAt,
        finishedAt: mailout.finishedAt,
        pausedReason: mailout.pausedReason,
      },
      unsubscribes,
      now,
    ),
  };
}

/** Unsubscribes that came from a mail-out's links or complaints (the counters keep them by mail-out). */
export async function unsubscribesCausedBy(mailoutId: string): Promise<number> {
  let total = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName('counters'),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :year)',
        ExpressionAttributeValues: { ':pk': `members.unsubscribed#mailout=${mailoutId}`, ':year': 'year#' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) total += Number(item.count ?? 0);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return total;
}
