/**
 * The messages the local SES endpoint has accepted, newest kept, oldest forgotten past a bound:
 * what an injected Open or Click is matched to (as SES knows its own messages), and what tests list
 * to find the message id of an e-mail. Kept in a JSON-lines file so it survives a restart.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { bareAddress, type SentMessage } from './ses-mail';

export class MessageMemory {
  private readonly messages = new Map<string, SentMessage>();
  private linesInFile = 0;

  constructor(
    private readonly file: string | undefined,
    private readonly limit = 50_000,
  ) {
    if (!file || !existsSync(file)) return;
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    for (const line of lines) {
      try {
        this.keep(JSON.parse(line) as SentMessage);
      } catch {
        // A line cut short by a crash is skipped.
      }
    }
    this.linesInFile = lines.length;
    if (this.linesInFile > this.limit * 2) this.compact();
  }

  remember(message: SentMessage): void {
    this.keep(message);
    if (!this.file) return;
    appendFileSync(this.file, `${JSON.stringify(message)}\n`);
    if (++this.linesInFile > this.limit * 2) this.compact();
  }

  get(messageId: string): SentMessage | undefined {
    return this.messages.get(messageId);
  }

  get size(): number {
    return this.messages.size;
  }

  /** Newest first; only those sent to `to` (any destination, case-insensitive) when given. */
  list(to?: string, limit = 1000): SentMessage[] {
    const wanted = to ? bareAddress(to).toLowerCase() : undefined;
    const found: SentMessage[] = [];
    for (const message of [...this.messages.values()].reverse()) {
      if (wanted && !message.destination.some((address) => bareAddress(address).toLowerCase() === wanted))
        continue;
      found.push(message);
      if (found.length >= limit) break;
    }
    return found;
  }

  private keep(message: SentMessage): void {
    this.messages.delete(message.messageId);
    this.messages.set(message.messageId, message);
    while (this.messages.size > this.limit) {
      const oldest = this.messages.keys().next().value;
      if (oldest === undefined) break;
      this.messages.delete(oldest);
    }
  }

  /** Rewrites the file with only what is remembered. */
  private compact(): void {
    if (!this.file) return;
    const kept = [...this.messages.values()];
    writeFileSync(this.file, kept.map((message) => `${JSON.stringify(message)}\n`).join(''));
    this.linesInFile = kept.length;
  }
}
