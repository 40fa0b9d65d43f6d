/**
 * A mail-out's content item: the draft's Markdown and its rendered body, apart from the header (see
 * mailout-store.ts for why), and how a change writes it beside the header's update.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../../shared/tables';
import type { ContentWrite } from './domain/stored-body';

/** A mail-out's draft content: its Markdown and its rendered body (gzipped; none if saved before bodies were stored). */
export interface MailoutContent {
  markdown: string;
  renderedBody?: Uint8Array;
  /** Still on the header, as mail-outs saved before the content item kept it. */
  onHeader: boolean;
}

/** The stored attributes holding the Markdown and the rendered body. */
export const markdownAttribute = 'markdown';
export const renderedBodyAttribute = 'renderedBody';

/** The draft's content item: no index attributes (`listPk`, `duePk`), so the indexes hold headers only. */
export const mailoutContentKey = (mailoutId: string) => ({ pk: `MAILOUT#${mailoutId}`, sk: 'CONTENT' });

/** The content of a content item, or (none yet: saved before it) of the header. */
export function toContent(
  header: Record<string, unknown>,
  item: Record<string, unknown> | undefined,
): MailoutContent {
  const source = item ?? header;
  const renderedBody = source[renderedBodyAttribute];
  return {
    markdown: String(source[markdownAttribute] ?? ''),
    ...(renderedBody instanceof Uint8Array ? { renderedBody } : {}),
    onHeader: item === undefined,
  };
}

/** The header's update expression as a change builds it. */
export type HeaderExpression = {
  sets: string[];
  removes: string[];
  conditions: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
};
export type TransactWriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * The content item's write for `write`, and what it adds to the header's update: content still on the
 * header is removed from it. A backfill holds only while no body is stored, on either item.
 */
export function contentItemWrite(
  mailoutId: string,
  write: ContentWrite,
  header: HeaderExpression,
): TransactWriteItem {
  if (write.fromHeader) {
    header.names['#markdown'] = markdownAttribute;
    header.names['#renderedBody'] = renderedBodyAttribute;
    header.removes.push('#markdown', '#renderedBody');
    // Still on the header, so no content item (the condition below) has a body yet.
    if (write.backfill) header.conditions.push('attribute_exists(#markdown)');
  }
  const item = {
    ...mailoutContentKey(mailoutId),
    type: 'mailout-content',
    [markdownAttribute]: write.markdown,
    [renderedBodyAttribute]: write.renderedBody,
  };
  if (!write.backfill) return { Put: { TableName: tableName('mailouts'), Item: item } };
  if (write.fromHeader) {
    return {
      Put: { TableName: tableName('mailouts'), Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
    };
  }
  return {
    Update: {
      TableName: tableName('mailouts'),
      Key: mailoutContentKey(mailoutId),
      UpdateExpression: 'SET #renderedBody = :renderedBody',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#renderedBody)',
      ExpressionAttributeNames: { '#renderedBody': renderedBodyAttribute },
      ExpressionAttributeValues: { ':renderedBody': write.renderedBody },
    },
  };
}
