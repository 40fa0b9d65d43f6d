/**
 * How the outbox relay hands events to the bus: ten at a time (PutEvents' limit), retrying only the
 * entries the bus refused, with backoff, and giving an entry up (to the dead-letter list) only
 * after `maxAttempts`, like a pipe's maximumRetryAttempts. Nothing is skipped silently.
 */
import type { PipeEntry } from './pipe';

/** Stops publishing when the relay is paused or stopped mid-way; nothing is checkpointed. */
export class Interrupted extends Error {}

export interface PublishCounts {
  published: number;
  retries: number;
  gaveUp: number;
}

export interface Publisher {
  publish: (entries: PipeEntry[]) => { Entries: Array<Record<string, string>> };
  maxAttempts: number;
  retryDelayMs: number;
  /** True when the relay must stop where it is (paused or stopped). */
  interrupted: () => boolean;
  sleep: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  giveUp: (entry: PipeEntry, error: string, attempts: number) => void;
}

export async function publishAll(
  what: string,
  entries: PipeEntry[],
  publisher: Publisher,
  counts: PublishCounts,
): Promise<void> {
  for (let start = 0; start < entries.length; start += 10) {
    let pending = entries.slice(start, start + 10);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (publisher.interrupted()) throw new Interrupted();
      let results: Array<Record<string, string> | undefined>;
      let failure = '';
      try {
        results = publisher.publish(pending).Entries;
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
        results = [];
      }
      const failed = pending.filter((_entry, index) => {
        const result = results[index];
        return !result || result.ErrorCode !== undefined;
      });
      counts.published += pending.length - failed.length;
      if (failed.length === 0) break;
      const reason =
        failure || results.find((result) => result?.ErrorCode)?.ErrorMessage || 'no result for the entry';
      if (attempt >= publisher.maxAttempts) {
        for (const entry of failed) publisher.giveUp(entry, reason, attempt);
        counts.gaveUp += failed.length;
        break;
      }
      counts.retries++;
      publisher.log?.(
        `relay: the bus refused ${failed.length} ${what} event(s) (attempt ${attempt}): ${reason}`,
      );
      pending = failed;
      await publisher.sleep(Math.min(publisher.retryDelayMs * 2 ** (attempt - 1), 2000));
    }
  }
}
