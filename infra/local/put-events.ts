/** PutEvents as the local bus speaks it: entry types, per-entry validation, the HTTP face. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: number | string;
  Resources?: string[];
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: Array<Record<string, string>>;
}

const maxEntryBytes = 256 * 1024;

/** The HTTP face: what `@aws-sdk/client-eventbridge` sends to AWS_ENDPOINT_URL_EVENTBRIDGE. */
export async function servePutEvents(
  request: IncomingMessage,
  response: ServerResponse,
  putEvents: (entries: PutEventsEntry[]) => PutEventsResult,
): Promise<void> {
  const target = String(request.headers['x-amz-target'] ?? '');
  const reply = (status: number, payload: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(payload));
  };
  let body = '';
  for await (const chunk of request) body += chunk;
  if (target !== 'AWSEvents.PutEvents') {
    reply(400, {
      __type: 'UnknownOperationException',
      message: `The local bus only implements PutEvents, not ${target}`,
    });
    return;
  }
  let parsed: { Entries?: PutEventsEntry[] };
  try {
    parsed = JSON.parse(body) as { Entries?: PutEventsEntry[] };
  } catch {
    reply(400, { __type: 'SerializationException', message: 'body is not JSON' });
    return;
  }
  const entries = parsed.Entries ?? [];
  if (entries.length < 1 || entries.length > 10) {
    reply(400, { __type: 'ValidationException', message: 'Entries must hold between 1 and 10 events' });
    return;
  }
  reply(200, putEvents(entries));
}

/** PutEvents' per-entry checks: the message of the first problem, or undefined. */
export function validateEntry(entry: PutEventsEntry, busName: string): string | undefined {
  if (!entry.Source || !entry.DetailType || entry.Detail === undefined)
    return 'Source, DetailType and Detail are required';
  const target = entry.EventBusName ?? 'default';
  if (target !== busName && !target.endsWith(`:event-bus/${busName}`)) {
    return `Event bus ${target} does not exist.`;
  }
  if (Buffer.byteLength(entry.Detail) > maxEntryBytes) return 'Detail is larger than 256 KB';
  try {
    const detail = JSON.parse(entry.Detail) as unknown;
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      return 'Detail must be a JSON object';
  } catch {
    return 'Detail is not valid JSON';
  }
  return undefined;
}

/** An entry's Time (epoch seconds or ISO text, now if absent or unreadable) as EventBridge writes it. */
export function toIsoSeconds(time: number | string | undefined): string {
  const date =
    time === undefined ? new Date() : typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return `${valid.toISOString().slice(0, 19)}Z`;
}
