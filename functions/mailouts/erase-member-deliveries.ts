import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { consumer } from '../../shared/consumer';
import { logger } from '../../shared/logger';
import { tableName } from '../../shared/tables';

/**
 * Erasure reaches delivery records: each of the member's records loses the address, name and
 * organisation and is marked erased. Its state and timestamps stay, so every mail-out's figures
 * (sent, delivered, readers) stay right. Doing it again changes nothing.
 */
export const handler = consumer('erase-member-deliveries', ['MemberErased'] as const, async ({ detail }) => {
  let erased = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName('deliveries'),
        IndexName: 'byMember',
        KeyConditionExpression: 'memberId = :memberId',
        ExpressionAttributeValues: { ':memberId': detail.memberId },
        ProjectionExpression: 'pk, sk',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const record of page.Items ?? []) {
      await anonymiseDelivery(String(record.pk), String(record.sk));
      erased++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  logger.info('delivery records erased', { records: erased });
});

async function anonymiseDelivery(pk: string, sk: string): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName('deliveries'),
        Key: { pk, sk },
        UpdateExpression: 'SET erased = :true REMOVE email, #name, organisation',
        // A record removed meanwhile is not brought back as a bare one.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
