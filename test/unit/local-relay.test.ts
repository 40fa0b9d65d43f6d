/**
 * The local outbox relay reads a table's stream like an EventBridge Pipe: only inserted outbox items
 * reach the bus, as the pipe's target declares them; per shard it checkpoints after publishing, so a
 * restart resumes where it left off and a refused event is retried, never skipped. The stream is a
 * fake behind the real SDK client (aws-sdk-client-mock), so no Java and no ports.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compilePipe, type PipeEntry } from '../../infra/local/pipe';
import { OutboxRelay } from '../../infra/local/relay';
import { outboxItem, outboxPipe } from '../../shared/outbox';

const streamArn =
  'arn:aws:dynamodb:ddblocal:000000000000:table/alliance-members/stream/2026-11-27T10:00:00.000';
const memberId = '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10';

interface FakeShard {
  id: string;
  parent?: string;
  records: StreamRecord[];
  closed: boolean;
}

const streams = mockClient(DynamoDBStreamsClient);

/** A DynamoDB stream in memory (its shards may change later), answering the relay's three calls. */
function fakeStream(shards: FakeShard[]) {
  streams.reset();
  let sequence = 0;
  const record = (eventName: 'INSERT' | 'MODIFY', item: Record<string, unknown>): StreamRecord => ({
    eventID: `e${++sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }),
      NewImage: marshall(item) as never,
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 100,
      StreamViewType: 'NEW_IMAGE',
    },
  });
  const shard = (id: string) => shards.find((candidate) => candidate.id === id) as FakeShard;
  streams.on(DescribeStreamCommand).callsFake(() => ({
    StreamDescription: {
      StreamArn: streamArn,
      Shards: shards.map((s) => ({ ShardId: s.id, ParentShardId: s.parent })),
    },
  }));
  streams.on(GetShardIteratorCommand).callsFake((input) => {
    const { records } = shard(input.ShardId);
    const after = records.findIndex((r) => r.dynamodb?.SequenceNumber === input.SequenceNumber);
    const index = input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' ? after + 1 : 0;
    // As DynamoDB Local does: a TRIM_HORIZON iterator taken on an empty shard goes "trimmed" once
    // records arrive (their sequence numbers start above the shard's, being shared by all tables).
    const staleHorizon = input.ShardIteratorType === 'TRIM_HORIZON' && records.length === 0;
    return { ShardIterator: `${input.ShardId}|${index}|${staleHorizon ? 'stale' : ''}` };
  });
  streams.on(GetRecordsCommand).callsFake((input) => {
    const [id, at, stale] = String(input.ShardIterator).split('|');
    const { records, closed } = shard(id ?? '');
    if (stale && records.length > 0) {
      throw Object.assign(
        new Error('The operation attempted to read past the oldest stream record in a shard.'),
        {
          name: 'TrimmedDataAccessException',
        },
      );
    }
    const page = records.slice(Number(at), Number(at) + (input.Limit ?? 1000));
    const next = Number(at) + page.length;
    const ended = closed && next >= records.length;
    return { Records: page, NextShardIterator: ended ? undefined : `${id}|${next}|${stale}` };
  });
  const announcement = (memberStatus: 'pending' | 'confirmed') =>
    outboxItem({
      detailType: 'MemberLinkRequested',
      detail: { memberId, memberStatus },
    }) as unknown as Record<string, unknown>;
  return { record, announcement };
}

let dataDir: string;
const relays: OutboxRelay[] = [];
let logged: string[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'local-relay-'));
  logged = [];
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
});

function startRelay(publish: (entries: PipeEntry[]) => { Entries: Array<Record<string, string>> }) {
  const relay = new OutboxRelay({
    tables: [{ name: 'members', physicalName: 'alliance-members' }],
    describeTable: async () => ({
      Table: { LatestStreamArn: streamArn, StreamSpecification: { StreamEnabled: true } },
      $metadata: {},
    }),
    streams: streams as unknown as DynamoDBStreamsClient,
    toEntry: compilePipe(outboxPipe.filterPattern, outboxPipe.target, 'alliance'),
    publish,
    checkpointFile: path.join(dataDir, 'relay-checkpoints.json'),
    region: 'eu-west-2',
    pollMs: 5,
    refreshMs: 20,
    retryDelayMs: 5,
    log: (line) => logged.push(line),
  });
  relays.push(relay);
  relay.start();
  return relay;
}

const accepting = (published: PipeEntry[]) => (entries: PipeEntry[]) => {
  published.push(...entries);
  return { Entries: entries.map((_, index) => ({ EventId: `id-${published.length + index}` })) };
};

describe('the outbox relay', () => {
  it('puts each inserted outbox item on the bus as the pipe declares it, and nothing else', async () => {
    const shard: FakeShard = { id: 'shard-1', closed: false, records: [] };
    const { record, announcement } = fakeStream([shard]);
    const first = announcement('pending');
    const second = announcement('confirmed');
    shard.records.push(
      record('INSERT', { pk: 'MEMBER#1', sk: 'PROFILE', type: 'member' }),
      record('INSERT', first),
      record('MODIFY', first),
      record('INSERT', second),
    );
    const published: PipeEntry[] = [];
    const relay = startRelay(accepting(published));

    await relay.caughtUp();

    expect(published).toEqual([
      {
        EventBusName: 'alliance',
        DetailType: 'MemberLinkRequested',
        Source: 'alliance.members',
        Time: first.time,
        Detail: first.detail,
      },
      expect.objectContaining({ Detail: second.detail }),
    ]);
    const checkpoints = JSON.parse(readFileSync(path.join(dataDir, 'relay-checkpoints.json'), 'utf8'));
    expect(checkpoints.streams[streamArn]).toEqual({ 'shard-1': shard.records[3]?.dynamodb?.SequenceNumber });
  });

  it('resumes after its checkpoint when started again, sending nothing twice', async () => {
    const shard: FakeShard = { id: 'shard-1', closed: false, records: [] };
    const { record, announcement } = fakeStream([shard]);
    const published: PipeEntry[] = [];
    shard.records.push(record('INSERT', announcement('pending')));
    await startRelay(accepting(published)).caughtUp();
    await relays.pop()?.stop();

    const later = announcement('confirmed');
    shard.records.push(record('INSERT', later));
    await startRelay(accepting(published)).caughtUp();

    expect(published).toHaveLength(2);
    expect(published[1]?.Detail).toBe(later.detail);
  });

  it('retries an event the bus refuses instead of skipping it, and checkpoints only once it is taken', async () => {
    const shard: FakeShard = { id: 'shard-1', closed: false, records: [] };
    const { record, announcement } = fakeStream([shard]);
    shard.records.push(record('INSERT', announcement('pending')));
    const published: PipeEntry[] = [];
    let refusals = 2;
    const relay = startRelay((entries) => {
      if (refusals-- > 0)
        return { Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'busy' })) };
      return accepting(published)(entries);
    });

    await relay.caughtUp();

    expect(published).toHaveLength(1);
    expect(relay.state()).toMatchObject({ published: 1, retries: 2, gaveUp: 0 });
    expect(relay.state().tables[0]?.shards[0]?.position).toBe(shard.records[0]?.dynamodb?.SequenceNumber);
  });

  it('reads and publishes nothing while paused, and catches up when resumed', async () => {
    const shard: FakeShard = { id: 'shard-1', closed: false, records: [] };
    const { record, announcement } = fakeStream([shard]);
    const published: PipeEntry[] = [];
    const relay = startRelay(accepting(published));
    await relay.caughtUp();

    relay.setPaused(true);
    shard.records.push(record('INSERT', announcement('pending')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(published).toHaveLength(0);

    relay.setPaused(false);
    await relay.caughtUp();
    expect(published).toHaveLength(1);
  });

  it('reads a child shard only after its parent is read to its end', async () => {
    // DescribeStream may list the child first; its records are still the newer ones.
    const child: FakeShard = { id: 'child', parent: 'parent', closed: false, records: [] };
    const parent: FakeShard = { id: 'parent', closed: true, records: [] };
    const { record, announcement } = fakeStream([child, parent]);
    const older = announcement('pending');
    const newer = announcement('confirmed');
    parent.records.push(record('INSERT', older));
    child.records.push(record('INSERT', newer));
    const published: PipeEntry[] = [];

    await startRelay(accepting(published)).caughtUp();

    expect(published.map((entry) => entry.Detail)).toEqual([older.detail, newer.detail]);
  });

  it('takes a fresh iterator when DynamoDB Local calls an empty shard trimmed once records arrive', async () => {
    const shard: FakeShard = { id: 'shard-1', closed: false, records: [] };
    const { record, announcement } = fakeStream([shard]);
    const published: PipeEntry[] = [];
    const relay = startRelay(accepting(published));
    await relay.caughtUp();

    shard.records.push(record('INSERT', announcement('pending')));
    await relay.caughtUp();

    expect(published).toHaveLength(1);
    // Expected of DynamoDB Local, so not reported as a failure.
    expect(logged).toEqual([]);
  });
});

describe('the pipe as the relay evaluates it', () => {
  it('refuses, at start-up, a target path it cannot evaluate', () => {
    expect(() =>
      compilePipe(
        outboxPipe.filterPattern,
        { ...outboxPipe.target, source: '$.dynamodb.NewImage[0]' },
        'alliance',
      ),
    ).toThrow(/plain paths/);
  });

  it('puts a template value that is not text in as JSON', () => {
    const toEntry = compilePipe(
      { eventName: ['INSERT'] },
      { detailType: '$.a', source: '$.b', inputTemplate: '{"keys": <$.dynamodb.Keys>}' },
      'alliance',
    );
    expect(toEntry({ eventName: 'INSERT', a: 'A', b: 'B', dynamodb: { Keys: { pk: { S: 'x' } } } })).toEqual({
      EventBusName: 'alliance',
      DetailType: 'A',
      Source: 'B',
      Detail: '{"keys": {"pk":{"S":"x"}}}',
    });
  });
});
