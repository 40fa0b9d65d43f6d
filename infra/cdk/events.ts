/**
 * The alliance bus: a custom EventBridge bus with an archive of every alliance event (counters are
 * rebuilt by replay), the catalogue's subscriptions and schedules as rules, and a rule on the
 * default bus that brings SES's own events in.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventPattern, ScheduleEntry, SubscriptionEntry } from '../catalogue';
import type { AllianceFunction } from './function';

/** How long EventBridge keeps retrying a failed delivery before it goes to the dead-letter queue. */
export const deliveryRetry = { retryAttempts: 8, maxEventAge: Duration.hours(24) } as const;

/** The catalogue's pattern (EventBridge's own JSON names) as CDK's EventPattern. */
export const toEventPattern = (pattern: EventPattern): events.EventPattern => ({
  source: pattern.source,
  detailType: pattern['detail-type'],
  detail: pattern.detail,
});

/** A dead-letter queue for one rule: what the bus could not deliver stays 14 days for inspection and redrive. */
export function deadLetterQueue(scope: Construct, id: string, ruleName: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    enforceSSL: true,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue of the EventBridge rule "${ruleName}"; nothing consumes it automatically, so it needs no DLQ of its own.`,
  });
  return queue;
}

export interface AllianceBusProps {
  busName: string;
  allianceName: string;
}

export class AllianceBus extends Construct {
  readonly bus: events.EventBus;
  readonly defaultBus: events.IEventBus;
  readonly archive: events.Archive;
  readonly sesForwarding: events.Rule;

  constructor(scope: Construct, id: string, props: AllianceBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.busName,
      description: `${props.allianceName}: every alliance activity as an event`,
    });
    this.archive = this.bus.archive('Archive', {
      description: `${props.allianceName}: every alliance event, kept so counters can be rebuilt by replay`,
      eventPattern: { source: events.Match.prefix('alliance.') },
      // No retention set (kept indefinitely): counters must come out identical when rebuilt from
      // the very first event.
    });

    this.defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    // SES configuration sets can only publish to the default bus; bring those events to ours.
    this.sesForwarding = new events.Rule(this, 'SesEventsToAllianceBus', {
      description: `${props.allianceName}: SES sending events (bounce, complaint, open, click, ...) to the alliance bus`,
      eventPattern: { source: ['aws.ses'] },
      targets: [
        new targets.EventBus(this.bus, {
          deadLetterQueue: deadLetterQueue(this, 'SesEventsDeadLetters', 'ses-events-to-alliance-bus'),
        }),
      ],
    });
  }
}

export interface AllianceRulesProps {
  bus: events.IEventBus;
  subscriptions: readonly SubscriptionEntry[];
  schedules: readonly ScheduleEntry[];
  functionFor: (entry: SubscriptionEntry | ScheduleEntry) => AllianceFunction;
  allianceName: string;
}

/** One rule per subscription (on the alliance bus) and per schedule (on the default bus, where schedules live). */
export class AllianceRules extends Construct {
  readonly subscriptionRules = new Map<string, events.Rule>();
  readonly scheduleRules = new Map<string, events.Rule>();

  constructor(scope: Construct, id: string, props: AllianceRulesProps) {
    super(scope, id);
    for (const subscription of props.subscriptions) {
      const rule = new events.Rule(this, `Subscription-${subscription.name}`, {
        eventBus: props.bus,
        description: `${props.allianceName}: ${subscription.name}`,
        eventPattern: toEventPattern(subscription.pattern),
        targets: [
          this.target(
            props.functionFor(subscription),
            `Subscription-${subscription.name}`,
            subscription.name,
          ),
        ],
      });
      this.subscriptionRules.set(subscription.name, rule);
    }
    for (const schedule of props.schedules) {
      const rule = new events.Rule(this, `Schedule-${schedule.name}`, {
        description: `${props.allianceName}: ${schedule.name}`,
        schedule: events.Schedule.expression(schedule.expression),
        targets: [this.target(props.functionFor(schedule), `Schedule-${schedule.name}`, schedule.name)],
      });
      this.scheduleRules.set(schedule.name, rule);
    }
  }

  private target(fn: AllianceFunction, id: string, name: string): targets.LambdaFunction {
    return new targets.LambdaFunction(fn.lambda, {
      ...deliveryRetry,
      deadLetterQueue: deadLetterQueue(this, `${id}-DeadLetters`, name),
    });
  }
}
