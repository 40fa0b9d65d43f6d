import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './clients';
import { outboxItem, type Publishable } from './outbox';
import { type TableName, tableName } from './tables';

/**
 * Announces an event that is not the result of a change in `table` (for example "send this member a
 * fresh link", where only a rate allowance moved): the outbox item is the whole write.
 */
export async function putOutbox(table: TableName, event: Publishable, correlationId?: string): Promise<void> {
  await dynamo.send(new PutCommand({ TableName: tableName(table), Item: outboxItem(event, correlationId) }));
}
