/**
 * Where the outbox relay has got to: per stream and shard, the sequence number of the last record it
 * handled. Kept in one JSON file under the data folder, written whole and renamed into place, so a
 * crash leaves the previous checkpoint intact (and the records after it are read again).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

type Positions = Record<string, Record<string, string>>;

export class RelayCheckpoints {
  private readonly positions: Positions;

  constructor(
    private readonly file: string,
    log?: (line: string) => void,
  ) {
    this.positions = {};
    if (!existsSync(file)) return;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { streams?: Positions };
      this.positions = saved.streams ?? {};
    } catch {
      log?.('relay: the checkpoint file is unreadable; reading every stream from its start');
    }
  }

  /** The last sequence number handled in a shard, if any. */
  get(streamArn: string, shardId: string): string | undefined {
    return this.positions[streamArn]?.[shardId];
  }

  /** Records a shard's position; call only once the records up to it are on the bus. */
  set(streamArn: string, shardId: string, sequenceNumber: string): void {
    this.positions[streamArn] = { ...this.positions[streamArn], [shardId]: sequenceNumber };
    this.save();
  }

  /** Forgets the shards of a stream that are gone (trimmed) and the table's earlier streams. */
  keepOnly(streamArn: string, shardIds: Set<string>): void {
    const tableStreams = `${streamArn.split('/stream/')[0]}/stream/`;
    const stale = Object.keys(this.positions).filter(
      (arn) => arn !== streamArn && arn.startsWith(tableStreams),
    );
    const current = this.positions[streamArn] ?? {};
    const gone = Object.keys(current).filter((id) => !shardIds.has(id));
    if (stale.length === 0 && gone.length === 0) return;
    for (const arn of stale) delete this.positions[arn];
    for (const id of gone) delete current[id];
    this.save();
  }

  private save(): void {
    writeFileSync(`${this.file}.tmp`, JSON.stringify({ streams: this.positions }, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
