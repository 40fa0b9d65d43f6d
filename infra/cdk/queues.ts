/**
 * Subscriptions through SQS: each catalogue subscription is a rule on the alliance bus that puts the
 * events it matches on the subscription's own queue, and an event source mapping that hands them to
 * the handler in batches, redelivering only the records the handler reports as failed, never more
 * invocations at once than the catalogue declares. A record that keeps failing moves to the
 * subscription's dead-letter queue, so a failing handler never loses an event and no consumer
 * outruns its downstream.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { defaultMaxReceiveCount, type SubscriptionEntry, visibilityTimeoutSeconds } from '../catalogue';
import { deadLetterQueue } from './dead-letters';
import { deliveryRetry, toEventPattern } from './events';
import type { AllianceFunction } from './function';

/**
 * How long a subscription queue keeps a record. Shorter than the dead-letter retention on purpose:
 * a record moved to a dead-letter queue keeps its first enqueue time, so the dead-letter queue must
 * keep records longer than the queue they come from.
 */
export const subscriptionQueueRetention = Duration.days(4);

/** Everything one subscription became. */
export interface SubscriptionWiring {
  entry: SubscriptionEntry;
  fn: AllianceFunction;
  rule: events.Rule;
  queue: sqs.Queue;
  deadLetters: sqs.Queue;
  eventSourceMapping: lambda.EventSourceMapping;
}

export interface AllianceSubscriptionsProps {
  bus: events.IEventBus;
  subscriptions: readonly SubscriptionEntry[];
  functionFor: (entry: SubscriptionEntry) => AllianceFunction;
  allianceName: string;
}

export class AllianceSubscriptions extends Construct {
  readonly byName = new Map<string, SubscriptionWiring>();

  constructor(scope: Construct, id: string, props: AllianceSubscriptionsProps) {
    super(scope, id);
    for (const entry of props.subscriptions) {
      if (this.byName.has(entry.name)) throw new Error(`subscription "${entry.name}" is declared twice`);
      this.byName.set(entry.name, this.subscribe(entry, props));
    }
  }

  private subscribe(entry: SubscriptionEntry, props: AllianceSubscriptionsProps): SubscriptionWiring {
    const fn = props.functionFor(entry);
    const { queue: settings } = entry;

    // One dead-letter queue per subscription, for both ways an event can fail to be handled: the
    // bus could not put it on the queue (the rule target's dead-letter queue), or the handler kept
    // failing it (the queue's redrive). Either way the message body is the event as the queue would
    // have carried it, so a redrive from the console puts it back where it belongs.
    const deadLetters = deadLetterQueue(
      this,
      `${entry.name}-DeadLetters`,
      `events for "${entry.name}" that the bus could not queue or its handler kept failing`,
    );
    const queue = new sqs.Queue(this, `${entry.name}-Queue`, {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: subscriptionQueueRetention,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(entry)),
      deadLetterQueue: {
        queue: deadLetters,
        maxReceiveCount: settings.maxReceiveCount ?? defaultMaxReceiveCount,
      },
    });

    const rule = new events.Rule(this, `${entry.name}-Rule`, {
      eventBus: props.bus,
      description: `${props.allianceName}: ${entry.name}`,
      eventPattern: toEventPattern(entry.pattern),
      targets: [new targets.SqsQueue(queue, { ...deliveryRetry, deadLetterQueue: deadLetters })],
    });

    // The source grants the function what it needs to consume the queue (receive, delete, change
    // visibility, read attributes) on this queue only.
    fn.lambda.addEventSource(
      new SqsEventSource(queue, {
        batchSize: settings.batchSize,
        maxBatchingWindow:
          settings.batchingWindowSeconds > 0 ? Duration.seconds(settings.batchingWindowSeconds) : undefined,
        reportBatchItemFailures: true,
        maxConcurrency: settings.maxConcurrency,
      }),
    );
    const eventSourceMapping = mappingFrom(fn, queue);
    Validations.of(eventSourceMapping).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: `SQS event source mappings take no on-failure destination; a record the handler of "${entry.name}" keeps failing moves to the queue's dead-letter queue by its redrive policy instead.`,
    });
    fn.invokedSynchronously(
      `the event source mapping of its SQS queue (subscription "${entry.name}")`,
      "returns its records to the queue, which moves them to the subscription's dead-letter queue after the declared number of receives",
    );
    return { entry, fn, rule, queue, deadLetters, eventSourceMapping };
  }
}

/** The event source mapping that reads `queue` into `fn` (SqsEventSource does not hand it back). */
function mappingFrom(fn: AllianceFunction, queue: sqs.IQueue): lambda.EventSourceMapping {
  const mapping = fn.lambda.node.children.find(
    (child): child is lambda.EventSourceMapping =>
      child instanceof lambda.EventSourceMapping &&
      (child.node.defaultChild as lambda.CfnEventSourceMapping).eventSourceArn === queue.queueArn,
  );
  if (!mapping) throw new Error(`no event source mapping reads ${queue.node.path} into ${fn.handlerId}`);
  return mapping;
}
