/**
 * The outbox relay on one machine: what the EventBridge Pipe on each outbox table's stream does in
 * the cloud. It reads DynamoDB Local's streams (every shard; a child only after its parent is read
 * to its end), keeps the inserted outbox items (the pipe's filter), turns each into a PutEvents
 * entry (the pipe's target) and puts it on the local bus. Per shard it checkpoints the last sequence
 * number handled, in a file under the data folder, only AFTER the bus took the events: a crash in
 * between sends them again (at-least-once, like Pipes; consumers ignore a repeated eventId) and a
 * restart resumes after the checkpoint, so a committed change is never left unannounced.
 */
import type { DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import type { GetRecordsCommandOutput } from '@aws-sdk/client-dynamodb-streams';
import { asPipesRecord, type PipeEntry } from './pipe';
import { RelayCheckpoints } from './relay-checkpoints';
import { Interrupted, type PublishCounts, type Publisher, publishAll } from './relay-publish';
import { listShards, readPage, type StreamsClient, shardIterator } from './stream-shards';

export interface RelayOptions {
  /** The outbox tables: catalogue name and physical name. */
  tables: Array<{ name: string; physicalName: string }>;
  describeTable: (physicalName: string) => Promise<DescribeTableCommandOutput>;
  streams: StreamsClient;
  /** The pipe: a stream record (as Pipes sees it) to a PutEvents entry, or undefined if filtered out. */
  toEntry: (pipesRecord: Record<string, unknown>) => PipeEntry | undefined;
  /** The bus's PutEvents. */
  publish: (entries: PipeEntry[]) => { Entries: Array<Record<string, string>> };
  checkpointFile: string;
  region: string;
  /** Pause between reads of a stream that had nothing new (default 100 ms). */
  pollMs?: number;
  /** How often the shard list is read again, for new shards (default 1 s). */
  refreshMs?: number;
  /** Attempts to put an entry on the bus before giving it up (Pipes' maximumRetryAttempts). */
  maxAttempts?: number;
  retryDelayMs?: number;
  log?: (line: string) => void;
  onGiveUp?: (table: string, entry: PipeEntry, error: string, attempts: number) => void;
}

interface ShardState {
  shardId: string;
  parentShardId?: string;
  iterator?: string;
  /** Read to its end (a closed shard); its children may be read. */
  finished: boolean;
  /** Sequence number of the last record handled (and checkpointed). */
  position?: string;
  /** The last GetRecords said TrimmedDataAccessException. */
  trimmedBefore?: boolean;
}

interface StreamState {
  table: string;
  physicalName: string;
  streamArn?: string;
  shards: Map<string, ShardState>;
  refreshedAt: number;
  refreshNeeded: boolean;
  rounds: number;
  quietRound: number;
  lastQuietAt?: number;
  lastError?: string;
}

interface Waiter {
  /** Per stream, the round that must read nothing before this waiter is answered. */
  need: Map<StreamState, number>;
  resolve: () => void;
}

export class OutboxRelay {
  paused = false;
  private stopped = false;
  private readonly counts: PublishCounts = { published: 0, retries: 0, gaveUp: 0 };
  private readonly streams: StreamState[];
  private readonly checkpoints: RelayCheckpoints;
  private waiters: Waiter[] = [];
  private readonly sleepers = new Set<() => void>();
  private loops: Array<Promise<void>> = [];

  constructor(private readonly options: RelayOptions) {
    this.streams = options.tables.map((table) => ({
      table: table.name,
      physicalName: table.physicalName,
      shards: new Map(),
      refreshedAt: 0,
      refreshNeeded: true,
      rounds: 0,
      quietRound: 0,
    }));
    this.checkpoints = new RelayCheckpoints(options.checkpointFile, options.log);
  }

  start(): void {
    this.loops = this.streams.map((stream) => this.loop(stream));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    this.resolveWaiters(() => true);
    await Promise.all(this.loops);
  }

  /** Paused: reads and publishes nothing (what a relay that is down does). */
  setPaused(paused: boolean): void {
    this.paused = paused;
    // Nobody waits for a paused relay to catch up: what it holds back is not coming until resumed.
    if (paused) this.resolveWaiters(() => true);
  }

  /** Resolves after every stream has been read to its end, by a round that began after this call. */
  caughtUp(): Promise<void> {
    if (this.paused || this.stopped || this.streams.length === 0) return Promise.resolve();
    const need = new Map(this.streams.map((stream) => [stream, stream.rounds + 1]));
    return new Promise((resolve) => this.waiters.push({ need, resolve }));
  }

  state() {
    const now = Date.now();
    return {
      paused: this.paused,
      ...this.counts,
      tables: this.streams.map((stream) => ({
        table: stream.table,
        streamArn: stream.streamArn ?? null,
        caughtUp: stream.rounds > 0 && stream.quietRound === stream.rounds,
        // How long since this stream was last read to its end (0 while it is at its end).
        lagMs: stream.quietRound === stream.rounds ? 0 : now - (stream.lastQuietAt ?? now),
        lastError: stream.lastError ?? null,
        shards: [...stream.shards.values()].map((shard) => ({
          shardId: shard.shardId,
          parentShardId: shard.parentShardId ?? null,
          finished: shard.finished,
          position: shard.position ?? null,
        })),
      })),
    };
  }

  private async loop(stream: StreamState): Promise<void> {
    const pollMs = this.options.pollMs ?? 100;
    while (!this.stopped) {
      if (this.paused) {
        await this.sleep(pollMs);
        continue;
      }
      const round = ++stream.rounds;
      let moved = 0;
      let failed = false;
      try {
        const refreshDue = Date.now() - stream.refreshedAt >= (this.options.refreshMs ?? 1000);
        if (stream.refreshNeeded || refreshDue || this.waiters.length > 0) await this.refresh(stream);
        for (const shard of this.readable(stream)) moved += await this.poll(stream, shard);
        stream.lastError = undefined;
      } catch (error) {
        failed = true;
        if (!(error instanceof Interrupted)) this.report(stream, error);
      }
      if (!failed && moved === 0) this.quiet(stream, round);
      // A round that read something goes again at once: a backlog is drained without pauses.
      if (failed || moved === 0) await this.sleep(failed ? pollMs * 4 : pollMs);
    }
  }

  /**
   * The stream's shards (new ones appear, old ones are trimmed away); the table's stream itself is
   * looked up at first and again only when the one in hand has gone.
   */
  private async refresh(stream: StreamState): Promise<void> {
    if (!stream.streamArn) {
      const table = (await this.options.describeTable(stream.physicalName)).Table;
      const latest = table?.StreamSpecification?.StreamEnabled ? table.LatestStreamArn : undefined;
      if (!latest) throw new Error(`the ${stream.table} table has no stream enabled`);
      stream.streamArn = latest;
      stream.shards = new Map();
    }
    const streamArn = stream.streamArn;
    const listed = await listShards(this.options.streams, streamArn);
    const ids = new Set(listed.map((shard) => shard.ShardId ?? ''));
    for (const shard of listed) {
      if (!shard.ShardId || stream.shards.has(shard.ShardId)) continue;
      stream.shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        finished: false,
        position: this.checkpoints.get(streamArn, shard.ShardId),
      });
    }
    for (const id of stream.shards.keys()) if (!ids.has(id)) stream.shards.delete(id);
    this.checkpoints.keepOnly(streamArn, ids);
    stream.refreshedAt = Date.now();
    stream.refreshNeeded = false;
  }

  /** Open shards, and closed ones not yet read to their end, each only once its parent is done. */
  private readable(stream: StreamState): ShardState[] {
    return [...stream.shards.values()].filter((shard) => {
      if (shard.finished) return false;
      const parent = shard.parentShardId ? stream.shards.get(shard.parentShardId) : undefined;
      return !parent || parent.finished;
    });
  }

  /** One GetRecords on one shard; publishes what passes the filter, then checkpoints. */
  private async poll(stream: StreamState, shard: ShardState): Promise<number> {
    const streamArn = stream.streamArn as string;
    if (this.paused || this.stopped) throw new Interrupted();
    shard.iterator ??= await shardIterator(
      this.options.streams,
      streamArn,
      shard.shardId,
      shard.position,
      this.options.log,
    );
    let page: GetRecordsCommandOutput;
    try {
      page = await readPage(this.options.streams, shard.iterator);
    } catch (error) {
      // Whatever went wrong, the next round starts again from the checkpoint with a fresh iterator.
      shard.iterator = undefined;
      const name = (error as { name?: string }).name;
      // Iterators lapse (after 15 minutes in the cloud).
      if (name === 'ExpiredIteratorException') return 1;
      if (name === 'TrimmedDataAccessException') {
        // DynamoDB Local says this of a TRIM_HORIZON iterator taken while the shard was still empty,
        // once records arrive (its sequence numbers are shared by every table): a fresh one reads
        // them. Said twice after a checkpoint, the records were really trimmed: read what is left.
        if (shard.trimmedBefore && shard.position) {
          this.options.log?.(`relay: ${shard.shardId} was trimmed past its checkpoint; reading what is left`);
          shard.position = undefined;
        }
        shard.trimmedBefore = true;
        return 1;
      }
      throw error;
    }
    shard.trimmedBefore = false;
    const records = page.Records ?? [];
    if (records.length > 0) {
      try {
        const entries = records
          .map((record) => this.options.toEntry(asPipesRecord(record, streamArn, this.options.region)))
          .filter((entry): entry is PipeEntry => entry !== undefined);
        await publishAll(stream.table, entries, this.publisherFor(stream), this.counts);
      } catch (error) {
        // Not checkpointed: these records are read again from the last checkpoint.
        shard.iterator = undefined;
        throw error;
      }
      shard.position = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.position;
      if (shard.position) this.checkpoints.set(streamArn, shard.shardId, shard.position);
    }
    shard.iterator = page.NextShardIterator;
    if (!page.NextShardIterator) {
      // A closed shard read to its end: its children are next, so look for them now.
      shard.finished = true;
      stream.refreshNeeded = true;
    }
    return records.length;
  }

  private publisherFor(stream: StreamState): Publisher {
    return {
      publish: this.options.publish,
      maxAttempts: this.options.maxAttempts ?? 10,
      retryDelayMs: this.options.retryDelayMs ?? 100,
      interrupted: () => this.paused || this.stopped,
      sleep: (ms) => this.sleep(ms),
      log: this.options.log,
      giveUp: (entry, error, attempts) => this.options.onGiveUp?.(stream.table, entry, error, attempts),
    };
  }

  private quiet(stream: StreamState, round: number): void {
    stream.quietRound = round;
    stream.lastQuietAt = Date.now();
    this.resolveWaiters((waiter) => {
      const needed = waiter.need.get(stream);
      if (needed !== undefined && round >= needed) waiter.need.delete(stream);
      return waiter.need.size === 0;
    });
  }

  private resolveWaiters(done: (waiter: Waiter) => boolean): void {
    const finished = this.waiters.filter(done);
    this.waiters = this.waiters.filter((waiter) => !finished.includes(waiter));
    for (const waiter of finished) waiter.resolve();
  }

  private report(stream: StreamState, error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      // The stream (or its table) is gone: look up the table's current one.
      stream.streamArn = undefined;
      stream.refreshNeeded = true;
    }
    if (message !== stream.lastError)
      this.options.log?.(`relay: reading the ${stream.table} stream failed: ${message}`);
    stream.lastError = message;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
