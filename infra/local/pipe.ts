/**
 * What an EventBridge Pipe does with one DynamoDB stream record, evaluated locally: the record as
 * Pipes sees it, the filter pattern (the bus's own pattern compiler), and the target's JSON paths
 * and input template turned into a PutEvents entry. The declaration is `outboxPipe` in
 * shared/outbox.ts, the one CDK renders too.
 */
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { compilePattern } from './pattern';

export interface PipeTarget {
  detailType: string;
  source: string;
  time?: string;
  inputTemplate: string;
}

export interface PipeEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Time?: string;
  EventBusName: string;
}

/** A stream record in the JSON form a pipe filters and maps (DynamoDB-JSON images, epoch seconds). */
export function asPipesRecord(
  record: StreamRecord,
  streamArn: string,
  region: string,
): Record<string, unknown> {
  const dynamodb = record.dynamodb ?? {};
  const created = dynamodb.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: dynamodb.Keys,
      ...(dynamodb.NewImage ? { NewImage: dynamodb.NewImage } : {}),
      ...(dynamodb.OldImage ? { OldImage: dynamodb.OldImage } : {}),
      SequenceNumber: dynamodb.SequenceNumber,
      SizeBytes: dynamodb.SizeBytes,
      StreamViewType: dynamodb.StreamViewType,
    },
  };
}

const simplePath = /^\$(\.[A-Za-z_][\w-]*)+$/;

/** Checks a target path once, at start-up: only plain `$.a.b.c` paths are evaluated locally. */
function requireSimplePath(path: string, where: string): string[] {
  if (!simplePath.test(path)) {
    throw new Error(`${where}: the local relay evaluates only plain paths like $.a.b.c, not ${path}`);
  }
  return path.split('.').slice(1);
}

function read(value: unknown, steps: string[]): unknown {
  let current = value;
  for (const step of steps) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/**
 * Compiles a pipe's filter and target once (an unsupported pattern or path is a start-up error) into
 * a function from stream record to PutEvents entry, or undefined when the filter drops the record.
 */
export function compilePipe(
  filterPattern: unknown,
  target: PipeTarget,
  busName: string,
): (pipesRecord: Record<string, unknown>) => PipeEntry | undefined {
  const matches = compilePattern(filterPattern, 'outbox pipe filter');
  const field = (path: string | undefined, name: string) =>
    path === undefined ? undefined : requireSimplePath(path, `outbox pipe target ${name}`);
  const detailType = field(target.detailType, 'detailType');
  const source = field(target.source, 'source');
  const time = field(target.time, 'time');
  // `<$.path>` placeholders: a string value goes in as it is (the outbox's detail is JSON text), any
  // other value as JSON.
  const placeholder = /<(\$[^>]*)>/g;
  const templatePaths = new Map(
    [...target.inputTemplate.matchAll(placeholder)].map((match) => [
      match[1] ?? '',
      requireSimplePath(match[1] ?? '', 'outbox pipe inputTemplate'),
    ]),
  );
  const text = (value: unknown) =>
    value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
  return (record) => {
    if (!matches(record)) return undefined;
    const detail = target.inputTemplate.replace(
      placeholder,
      (_match, path: string) => text(read(record, templatePaths.get(path) ?? [])) ?? '',
    );
    return {
      EventBusName: busName,
      DetailType: detailType && text(read(record, detailType)),
      Source: source && text(read(record, source)),
      ...(time ? { Time: text(read(record, time)) } : {}),
      Detail: detail,
    };
  };
}
