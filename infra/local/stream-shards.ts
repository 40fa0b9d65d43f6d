/** The three DynamoDB Streams calls the outbox relay makes, as it needs them. */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';

export type StreamsClient = Pick<DynamoDBStreamsClient, 'send'>;

/** Every shard of a stream, open and closed (DescribeStream pages through them). */
export async function listShards(streams: StreamsClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let startAfter: string | undefined;
  do {
    const page = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: startAfter }),
    );
    shards.push(...(page.StreamDescription?.Shards ?? []));
    startAfter = page.StreamDescription?.LastEvaluatedShardId;
  } while (startAfter);
  return shards;
}

/**
 * An iterator just after `position`, or at the oldest record kept (TRIM_HORIZON) for a shard never
 * read. A checkpoint older than the stream keeps (24 hours) reads what is left: that is all there is.
 */
export async function shardIterator(
  streams: StreamsClient,
  streamArn: string,
  shardId: string,
  position: string | undefined,
  log?: (line: string) => void,
): Promise<string> {
  const at = async (after: string | undefined) => {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
        SequenceNumber: after,
      }),
    );
    if (!ShardIterator) throw new Error(`no iterator for ${shardId}`);
    return ShardIterator;
  };
  try {
    return await at(position);
  } catch (error) {
    if (!position || (error as { name?: string }).name !== 'TrimmedDataAccessException') throw error;
    log?.(`relay: ${shardId} was trimmed past its checkpoint; reading what is left`);
    return at(undefined);
  }
}

/** One page of records: GetRecords' own limit is 1,000 records or 1 MB a call. */
export function readPage(streams: StreamsClient, iterator: string): Promise<GetRecordsCommandOutput> {
  return streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
}
