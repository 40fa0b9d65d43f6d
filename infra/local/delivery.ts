/**
 * The delivery path on one machine, built from the catalogue: the bus with one queue per
 * subscription (rule → SQS → Lambda in the cloud) and the outbox relay that reads each outbox
 * table's stream onto it (an EventBridge Pipe in the cloud).
 */
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { outboxPipe } from '../../shared/outbox';
import {
  defaultMaxReceiveCount,
  type HandlerEntry,
  handlerId,
  type SubscriptionEntry,
  subscriptions,
  tables,
  visibilityTimeoutSeconds,
} from '../catalogue';
import { type BusEnvelope, type BusMode, type BusSubscription, LocalBus } from './bus';
import { lambdaContext } from './lambda';
import { compilePipe, type PipeEntry } from './pipe';
import { OutboxRelay } from './relay';
import { localTableName } from './services';

export const region = 'eu-west-2';
export const account = '000000000000';
export const busName = 'alliance';

export type Invocable = (event: unknown, context: unknown) => Promise<unknown>;

export interface DeliveryOptions {
  dataDir: string;
  dynamoEndpoint: string;
  busMode: BusMode;
  /** Multiplies the queues' visibility timeouts (BUS_TIME_SCALE). */
  timeScale: number;
  /** Imports a handler; each `environment` number gets its own instance of the handler's module. */
  loadHandler: (entry: HandlerEntry, environment?: number) => Promise<Invocable>;
}

/** The bus and the relay, started; the relay begins reading at once (the tables must exist). */
export async function startDelivery(
  options: DeliveryOptions,
): Promise<{ bus: LocalBus; relay: OutboxRelay }> {
  const bus = new LocalBus(
    await Promise.all(
      subscriptions.map(async (entry) =>
        asBusSubscription(entry, options.loadHandler, await options.loadHandler(entry)),
      ),
    ),
    {
      busName,
      account,
      region,
      archiveFile: path.join(options.dataDir, 'archive.jsonl'),
      archiveSourcePrefix: 'alliance.',
      timeScale: options.timeScale,
      onDeliveryError: (rule, event, error, receiveCount) => {
        const eventId = (event.detail as { eventId?: unknown } | null)?.eventId ?? event.id;
        console.error(
          `bus: ${rule} failed on ${event['detail-type']} ${eventId} (receive ${receiveCount}): ${error}`,
        );
      },
    },
  );
  bus.mode = options.busMode;

  const tableClient = new DynamoDBClient({ region, endpoint: options.dynamoEndpoint });
  const relay = new OutboxRelay({
    tables: Object.entries(tables)
      .filter(([, declaration]) => 'outbox' in declaration && declaration.outbox)
      .map(([name]) => ({ name, physicalName: localTableName(name) })),
    describeTable: (TableName) => tableClient.send(new DescribeTableCommand({ TableName })),
    streams: new DynamoDBStreamsClient({ region, endpoint: options.dynamoEndpoint }),
    toEntry: compilePipe(outboxPipe.filterPattern, outboxPipe.target, busName),
    publish: (entries) => bus.putEvents(entries),
    checkpointFile: path.join(options.dataDir, 'relay-checkpoints.json'),
    region,
    log: (line) => console.error(line),
    onGiveUp: (table, entry, error, attempts) =>
      bus.deadLetters.push({
        rule: `outbox-relay:${table}`,
        event: unpublished(entry),
        error,
        attempts,
        at: new Date().toISOString(),
      }),
  });
  relay.start();
  bus.addIdleCheck(() => relay.caughtUp());
  return { bus, relay };
}

/**
 * Lambda runs concurrent invocations in separate execution environments, so module state (a
 * Powertools batch processor, say) is never shared by two batches in hand. In-process, each
 * environment gets its own instance of the handler's module, imported on first use.
 */
function asBusSubscription(
  entry: SubscriptionEntry,
  load: DeliveryOptions['loadHandler'],
  first: Invocable,
): BusSubscription {
  const functionName = handlerId(entry);
  const environments = new Map<number, Promise<Invocable>>([[0, Promise.resolve(first)]]);
  return {
    name: entry.name,
    pattern: entry.pattern,
    queue: { ...entry.queue, maxReceiveCount: entry.queue.maxReceiveCount ?? defaultMaxReceiveCount },
    reservedConcurrency: entry.reservedConcurrency,
    visibilityTimeoutSeconds: visibilityTimeoutSeconds(entry),
    invoke: async (event, environment) => {
      let handler = environments.get(environment);
      if (!handler) {
        handler = load(entry, environment);
        environments.set(environment, handler);
      }
      return (await handler)(event, lambdaContext(functionName, entry.timeoutSeconds));
    },
  };
}

/** An entry the relay could not put on the bus, shaped like an event for the dead-letter list. */
function unpublished(entry: PipeEntry): BusEnvelope {
  let detail: unknown = entry.Detail;
  try {
    detail = JSON.parse(entry.Detail ?? '');
  } catch {
    // Kept as the text it was.
  }
  return {
    version: '0',
    id: 'not-published',
    'detail-type': entry.DetailType ?? '',
    source: entry.Source ?? '',
    account,
    time: entry.Time ?? '',
    region,
    resources: [],
    detail,
  };
}
