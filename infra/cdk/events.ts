/**
 * The alliance bus: a custom EventBridge bus with an archive of every alliance event (counters are
 * rebuilt by replay), a rule on the default bus that brings SES's own events in, and the
 * catalogue's schedules. Subscriptions reach their handlers through queues (queues.ts); events reach
 * the bus through the outbox pipes (outbox.ts).
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventPattern, ScheduleEntry } from '../catalogue';
import { deadLetterQueue } from './dead-letters';
import type { AllianceFunction } from './function';

/** How long EventBridge keeps retrying a failed delivery before it goes to the dead-letter queue. */
export const deliveryRetry = { retryAttempts: 8, maxEventAge: Duration.hours(24) } as const;

/** The catalogue's pattern (EventBridge's own JSON names) as CDK's EventPattern. */
export const toEventPattern = (pattern: EventPattern): events.EventPattern => ({
  source: pattern.source,
  detailType: pattern['detail-type'],
  detail: pattern.detail,
});

export interface AllianceBusProps {
  busName: string;
  allianceName: string;
}

export class AllianceBus extends Construct {
  readonly bus: events.EventBus;
  readonly defaultBus: events.IEventBus;
  readonly archive: events.Archive;
  private readonly allianceName: string;
  private forwarding?: events.Rule;

  constructor(scope: Construct, id: string, props: AllianceBusProps) {
    super(scope, id);
    this.allianceName = props.allianceName;
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.busName,
      description: `${props.allianceName}: every alliance activity as an event`,
    });
    this.archive = this.bus.archive('Archive', {
      description: `${props.allianceName}: every alliance event, kept so counters can be rebuilt by replay`,
      // Only the alliance's own events. SES's (`aws.ses`, forwarded below) are not kept: replay never
      // needs them, because track-email-event turns each into alliance.* events
      // (MailoutRecipientUpdated, MemberSuppressed, ...) announced through its outbox, and those are.
      eventPattern: { source: events.Match.prefix('alliance.') },
      // No retention set (kept indefinitely): counters must come out identical when rebuilt from
      // the very first event.
    });

    this.defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
  }

  /** The rule on the default bus that brings this alliance's SES events to its bus. */
  get sesForwarding(): events.Rule {
    if (!this.forwarding) throw new Error('forwardSesEvents has not been called');
    return this.forwarding;
  }

  /**
   * SES configuration sets can only publish to the default bus; bring those events to ours. Only
   * the events of this alliance's configuration set (SES tags each event with it): another alliance
   * in the same account has a configuration set, a bus and a rule of its own.
   */
  forwardSesEvents(configurationSet: ses.IConfigurationSet): events.Rule {
    this.forwarding = new events.Rule(this, 'SesEventsToAllianceBus', {
      description: `${this.allianceName}: SES sending events (bounce, complaint, open, click, ...) of its configuration set to the alliance bus`,
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSet.configurationSetName] } } },
      },
      targets: [
        new targets.EventBus(this.bus, {
          deadLetterQueue: deadLetterQueue(
            this,
            'SesEventsDeadLetters',
            'SES events the default bus could not forward to the alliance bus',
          ),
        }),
      ],
    });
    return this.forwarding;
  }
}

export interface AllianceSchedulesProps {
  schedules: readonly ScheduleEntry[];
  functionFor: (entry: ScheduleEntry) => AllianceFunction;
  allianceName: string;
}

/**
 * One rule per schedule, on the default bus (where schedules live), invoking its function directly:
 * a schedule is a timer, not a subscription, so it needs no queue. The invocation is asynchronous;
 * one dead-letter queue per schedule keeps both what EventBridge could not hand to Lambda and what
 * the function still failed after Lambda's own retries.
 */
export class AllianceSchedules extends Construct {
  readonly rules = new Map<string, events.Rule>();
  readonly deadLetters = new Map<string, sqs.Queue>();

  constructor(scope: Construct, id: string, props: AllianceSchedulesProps) {
    super(scope, id);
    for (const schedule of props.schedules) {
      const fn = props.functionFor(schedule);
      const deadLetters = deadLetterQueue(
        this,
        `Schedule-${schedule.name}-DeadLetters`,
        `runs of the schedule "${schedule.name}" that could not be delivered or kept failing`,
      );
      fn.keepFailedAsyncInvocations(deadLetters);
      const rule = new events.Rule(this, `Schedule-${schedule.name}`, {
        description: `${props.allianceName}: ${schedule.name}`,
        schedule: events.Schedule.expression(schedule.expression),
        targets: [new targets.LambdaFunction(fn.lambda, { ...deliveryRetry, deadLetterQueue: deadLetters })],
      });
      this.rules.set(schedule.name, rule);
      this.deadLetters.set(schedule.name, deadLetters);
    }
  }
}
