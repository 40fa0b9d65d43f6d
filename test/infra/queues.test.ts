import { describe, expect, it } from 'vitest';
import {
  defaultMaxReceiveCount,
  defaultTimeoutSeconds,
  handlerId,
  routes,
  type SubscriptionEntry,
  schedules,
  subscriptions,
  visibilityTimeoutSeconds,
} from '../../infra/catalogue';
import { config } from '../../shared/config';
import { type CfnResourceJson, listOf, logicalId, referencedIds, synthesise } from './synth';

const { stack, resources } = synthesise();

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

const functionIdOf = (entry: SubscriptionEntry): string => {
  const fn = stack.functions.get(handlerId(entry));
  if (!fn) throw new Error(`no function for ${entry.handler}`);
  return logicalId(fn.lambda);
};

/** The queue, its dead-letter queue and the mapping found in the template for one subscription. */
function wiringOf(entry: SubscriptionEntry) {
  const wiring = stack.subscriptions.byName.get(entry.name);
  if (!wiring) throw new Error(`subscription ${entry.name} was not wired`);
  const queueId = logicalId(wiring.queue);
  const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, mapping]) =>
    referencedIds(mapping.Properties?.EventSourceArn).has(queueId),
  );
  return { wiring, queueId, queue: resources[queueId] as CfnResourceJson, mappings };
}

/** The catalogue pattern as CloudFormation renders it (keys without a value left out). */
const cfnPattern = (entry: SubscriptionEntry) =>
  JSON.parse(
    JSON.stringify({
      source: entry.pattern.source,
      'detail-type': entry.pattern['detail-type'],
      detail: entry.pattern.detail,
    }),
  ) as unknown;

const named = subscriptions.map((entry) => [entry.name, entry] as const);

describe('every subscription reads its own queue', () => {
  it.each(named)(
    '%s: a rule on the alliance bus puts the events it matches on its queue, with retries and a dead-letter queue',
    (_name, entry) => {
      const { wiring, queueId } = wiringOf(entry);
      const rule = resources[logicalId(wiring.rule)];
      expect(referencedIds(rule?.Properties?.EventBusName)).toEqual(new Set([logicalId(stack.events.bus)]));
      expect(rule?.Properties?.EventPattern).toEqual(cfnPattern(entry));
      const targets = listOf<Record<string, unknown>>(rule?.Properties?.Targets);
      expect(targets).toHaveLength(1);
      const [target] = targets;
      expect(referencedIds(target?.Arn)).toEqual(new Set([queueId]));
      expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 });
      expect(referencedIds(target?.DeadLetterConfig)).toEqual(new Set([logicalId(wiring.deadLetters)]));
    },
  );

  it.each(named)(
    '%s: the queue moves a record that keeps failing to its dead-letter queue after the declared receives',
    (_name, entry) => {
      const { wiring, queue } = wiringOf(entry);
      expect(queue.Properties?.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(wiring.deadLetters), 'Arn'] },
        maxReceiveCount: entry.queue.maxReceiveCount ?? defaultMaxReceiveCount,
      });
      const deadLetters = resources[logicalId(wiring.deadLetters)];
      expect(deadLetters?.Type).toBe('AWS::SQS::Queue');
      // A dead letter keeps its first enqueue time: the dead-letter queue must outlast the queue.
      expect(deadLetters?.Properties?.MessageRetentionPeriod as number).toBeGreaterThan(
        queue.Properties?.MessageRetentionPeriod as number,
      );
    },
  );

  it.each(named)(
    '%s: a record is hidden while in hand for six function timeouts plus the batching window',
    (_name, entry) => {
      const { queue } = wiringOf(entry);
      const functionTimeout = resources[functionIdOf(entry)]?.Properties?.Timeout;
      expect(functionTimeout).toBe(entry.timeoutSeconds ?? defaultTimeoutSeconds);
      expect(queue.Properties?.VisibilityTimeout).toBe(visibilityTimeoutSeconds(entry));
      expect(queue.Properties?.VisibilityTimeout).toBe(
        6 * (functionTimeout as number) + entry.queue.batchingWindowSeconds,
      );
    },
  );

  it.each(named)(
    '%s: one event source mapping hands the queue to its handler in the declared batches, concurrency and partial failures',
    (_name, entry) => {
      const { mappings } = wiringOf(entry);
      expect(mappings).toHaveLength(1);
      const properties = mappings[0]?.[1].Properties;
      expect(referencedIds(properties?.FunctionName)).toEqual(new Set([functionIdOf(entry)]));
      expect(properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(properties?.BatchSize).toBe(entry.queue.batchSize);
      expect(properties?.ScalingConfig).toEqual({ MaximumConcurrency: entry.queue.maxConcurrency });
      expect(properties?.MaximumBatchingWindowInSeconds).toBe(
        entry.queue.batchingWindowSeconds > 0 ? entry.queue.batchingWindowSeconds : undefined,
      );
      expect(properties?.Enabled ?? true).toBe(true);
    },
  );

  it.each(named)('%s: its handler keeps the timeout the catalogue declares', (_name, entry) => {
    expect(resources[functionIdOf(entry)]?.Properties?.Timeout).toBe(
      entry.timeoutSeconds ?? defaultTimeoutSeconds,
    );
  });

  it('every event source mapping in the stack belongs to a subscription', () => {
    expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(subscriptions.length);
  });
});

describe('no subscription is invoked by the bus directly', () => {
  const subscriptionFunctionIds = new Set(subscriptions.map(functionIdOf));

  it('no rule targets the function of a subscription handler', () => {
    for (const [ruleId, rule] of ofType('AWS::Events::Rule')) {
      for (const target of listOf<Record<string, unknown>>(rule.Properties?.Targets)) {
        const targeted = [...referencedIds(target.Arn)];
        expect(
          targeted.filter((id) => subscriptionFunctionIds.has(id)),
          ruleId,
        ).toEqual([]);
      }
    }
  });

  it('every rule on the alliance bus targets an SQS queue (but the raw history, which feeds Firehose)', () => {
    const busId = logicalId(stack.events.bus);
    const historyRuleId = logicalId(stack.history.rule);
    const busRules = ofType('AWS::Events::Rule').filter(
      ([ruleId, rule]) => ruleId !== historyRuleId && referencedIds(rule.Properties?.EventBusName).has(busId),
    );
    expect(busRules).toHaveLength(subscriptions.length);
    for (const [ruleId, rule] of busRules) {
      for (const target of listOf<Record<string, unknown>>(rule.Properties?.Targets)) {
        const types = [...referencedIds(target.Arn)].map((id) => resources[id]?.Type);
        expect(types, ruleId).toEqual(['AWS::SQS::Queue']);
      }
    }
  });

  it('no subscription function may be invoked by EventBridge', () => {
    const eventsPermissions = ofType('AWS::Lambda::Permission').filter(
      ([, permission]) => permission.Properties?.Principal === 'events.amazonaws.com',
    );
    for (const [permissionId, permission] of eventsPermissions) {
      const invoked = [...referencedIds(permission.Properties?.FunctionName)];
      expect(
        invoked.filter((id) => subscriptionFunctionIds.has(id)),
        permissionId,
      ).toEqual([]);
    }
  });
});

/**
 * The SES send rate the tests budget against: the config's override when set, else SES's usual
 * starting quota once an account leaves the sandbox (14 a second). A larger quota read at run time
 * only loosens what is checked here.
 */
const sesStartingSendRatePerSecond = 14;
const sendRate = config.mail.maxSendRatePerSecond ?? sesStartingSendRatePerSecond;

describe('e-mail senders stay inside the SES send rate', () => {
  // The mail-out dispatcher paces itself: it reads the quota (readsSendQuota) and sends at
  // rate × (1 − headroom), one instance at a time. Every other sender is transactional.
  const dispatchers = subscriptions.filter((entry) => entry.uses.sendsEmail && entry.uses.readsSendQuota);
  const transactional = subscriptions.filter((entry) => entry.uses.sendsEmail && !entry.uses.readsSendQuota);
  const transactionalSchedules = schedules.filter((entry) => entry.uses.sendsEmail);
  /** A schedule runs one instance at a time when a run ends before the next begins. */
  const intervalSeconds = (expression: string): number => {
    const rate = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(expression);
    if (!rate?.[1] || !rate[2]) return 0;
    return Number(rate[1]) * (rate[2].startsWith('hour') ? 3600 : 60);
  };

  it('the mail-out dispatcher is the one sender paced to the quota, and runs as a single instance (reserved concurrency 1)', () => {
    expect(dispatchers.map((entry) => entry.name)).toEqual(['dispatch-mailout']);
    const [dispatcher] = dispatchers as [SubscriptionEntry];
    expect(dispatcher.reservedConcurrency).toBe(1);
    expect(resources[functionIdOf(dispatcher)]?.Properties?.ReservedConcurrentExecutions).toBe(1);
    // Long enough to pace a stretch and hand over; its queue hides a hand-over for six of them.
    expect(resources[functionIdOf(dispatcher)]?.Properties?.Timeout).toBe(dispatcher.timeoutSeconds);
    expect(dispatcher.timeoutSeconds).toBeGreaterThan(defaultTimeoutSeconds);
    expect(wiringOf(dispatcher).queue.Properties?.VisibilityTimeout).toBe(
      6 * (dispatcher.timeoutSeconds ?? 0),
    );
    // Its queue's mapping cannot go below 2; the reserved concurrency is what holds it to one.
    const [mapping] = wiringOf(dispatcher).mappings;
    expect(mapping?.[1].Properties?.ScalingConfig).toEqual({ MaximumConcurrency: 2 });
    // What it paces to is at least one e-mail a second.
    expect(Math.floor(sendRate * (1 - config.mail.sendRateHeadroom))).toBeGreaterThanOrEqual(1);
  });

  it('the headroom the dispatcher leaves free is at least one transactional e-mail a second', () => {
    expect(sendRate * config.mail.sendRateHeadroom).toBeGreaterThanOrEqual(1);
  });

  it('the transactional senders, each holding one send at a time, together hold no more sends at once than one second of the send rate', () => {
    // Concurrency bounds sends in hand, not sends a second, so this bounds the burst: every
    // transactional sender sending at the same instant is at most one second of the account's rate,
    // and transactional mail alone never trips SES's limit. Over time it is demand-driven and has the
    // headroom the dispatcher leaves; when a burst meets the dispatcher's paced share and SES
    // throttles, the dispatcher backs off and retries the same recipient, and a transactional send is
    // retried by the SDK, then by its queue.
    expect(transactional.length).toBeGreaterThan(0);
    const fromQueues = transactional.reduce((sum, entry) => sum + entry.queue.maxConcurrency, 0);
    for (const schedule of transactionalSchedules) {
      // A scheduled sender counts once: each run ends before the next starts.
      expect(schedule.timeoutSeconds ?? defaultTimeoutSeconds, schedule.name).toBeLessThan(
        intervalSeconds(schedule.expression),
      );
    }
    expect(fromQueues + transactionalSchedules.length).toBeLessThanOrEqual(Math.floor(sendRate));
  });

  it('the deployed mappings of the transactional senders hold them to that same concurrency', () => {
    const deployed = transactional.reduce((sum, entry) => {
      const [mapping] = wiringOf(entry).mappings;
      const scaling = mapping?.[1].Properties?.ScalingConfig as { MaximumConcurrency?: number } | undefined;
      return sum + (scaling?.MaximumConcurrency ?? Number.POSITIVE_INFINITY);
    }, 0);
    expect(deployed + transactionalSchedules.length).toBeLessThanOrEqual(Math.floor(sendRate));
  });

  it('e-mail sent straight from a route is a staff test send, so the public cannot drive sends past these caps', () => {
    const routeSenders = routes.filter((route) => route.uses.sendsEmail);
    expect(routeSenders.map((route) => `${route.method} ${route.path} (${route.access})`)).toEqual([
      'POST /api/mailouts/{id}/test (staff)',
    ]);
  });
});

describe('reserved concurrency', () => {
  it('every function has the reserved concurrency its catalogue entry declares, and no other has any', () => {
    for (const entry of [...subscriptions, ...schedules, ...routes]) {
      const fn = stack.functions.get(handlerId(entry));
      if (!fn) throw new Error(`no function for ${entry.handler}`);
      expect(resources[logicalId(fn.lambda)]?.Properties?.ReservedConcurrentExecutions, entry.handler).toBe(
        entry.reservedConcurrency,
      );
    }
  });

  it('a subscription held below its queue concurrency keeps records through throttles: more receives before dead letters', () => {
    for (const entry of subscriptions.filter(
      (candidate) =>
        candidate.reservedConcurrency !== undefined &&
        candidate.reservedConcurrency < candidate.queue.maxConcurrency,
    )) {
      // A throttled receive still counts; the default five would dead-letter a hand-over that only
      // waited for the one instance to finish.
      expect(entry.queue.maxReceiveCount ?? defaultMaxReceiveCount, entry.name).toBeGreaterThan(
        defaultMaxReceiveCount,
      );
      expect(wiringOf(entry).queue.Properties?.RedrivePolicy).toMatchObject({
        maxReceiveCount: entry.queue.maxReceiveCount,
      });
    }
  });
});

describe('SES events reach track-email-event through its own queue', () => {
  const tracker = subscriptions.find((entry) => entry.name === 'track-email-event');

  it('a rule on the alliance bus (where the default bus forwards them) matches aws.ses events and puts them on its queue, with a dead-letter queue', () => {
    if (!tracker) throw new Error('track-email-event is not in the catalogue');
    const { wiring, queueId, queue, mappings } = wiringOf(tracker);
    const rule = resources[logicalId(wiring.rule)];
    expect(referencedIds(rule?.Properties?.EventBusName)).toEqual(new Set([logicalId(stack.events.bus)]));
    expect((rule?.Properties?.EventPattern as { source?: string[] } | undefined)?.source).toEqual([
      'aws.ses',
    ]);
    const [target] = listOf<Record<string, unknown>>(rule?.Properties?.Targets);
    expect(referencedIds(target?.Arn)).toEqual(new Set([queueId]));
    expect(referencedIds(target?.DeadLetterConfig)).toEqual(new Set([logicalId(wiring.deadLetters)]));
    expect(referencedIds(queue.Properties?.RedrivePolicy)).toEqual(new Set([logicalId(wiring.deadLetters)]));
    expect(referencedIds(mappings[0]?.[1].Properties?.FunctionName)).toEqual(
      new Set([functionIdOf(tracker)]),
    );
  });
});

describe('queues', () => {
  it('every queue is encrypted and reachable over TLS only', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThan(0);
    for (const [queueId, queue] of queues) {
      expect(queue.Properties?.SqsManagedSseEnabled, queueId).toBe(true);
      const policies = ofType('AWS::SQS::QueuePolicy').filter(([, candidate]) =>
        referencedIds(candidate.Properties?.Queues).has(queueId),
      );
      expect(
        policies.some(([, policy]) =>
          JSON.stringify(policy.Properties?.PolicyDocument).includes('"aws:SecureTransport":"false"'),
        ),
        queueId,
      ).toBe(true);
    }
  });
});
