import { describe, expect, it } from 'vitest';
import {
  defaultMaxReceiveCount,
  defaultTimeoutSeconds,
  handlerId,
  type SubscriptionEntry,
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

  it('every rule on the alliance bus targets an SQS queue', () => {
    const busId = logicalId(stack.events.bus);
    const busRules = ofType('AWS::Events::Rule').filter(([, rule]) =>
      referencedIds(rule.Properties?.EventBusName).has(busId),
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

describe('e-mail senders stay inside the SES send rate', () => {
  const senders = subscriptions.filter((entry) => entry.uses.sendsEmail);
  const budget = Math.floor(config.mail.maxSendRatePerSecond * (1 - config.mail.sendRateHeadroom));

  it('the e-mail-sending subscriptions together declare no more concurrency than the send rate less its headroom', () => {
    expect(senders.length).toBeGreaterThan(0);
    const declared = senders.reduce((sum, entry) => sum + entry.queue.maxConcurrency, 0);
    expect(declared).toBeLessThanOrEqual(budget);
  });

  it('the deployed mappings of the e-mail senders hold them to that same concurrency', () => {
    const deployed = senders.reduce((sum, entry) => {
      const [mapping] = wiringOf(entry).mappings;
      const scaling = mapping?.[1].Properties?.ScalingConfig as { MaximumConcurrency?: number } | undefined;
      return sum + (scaling?.MaximumConcurrency ?? Number.POSITIVE_INFINITY);
    }, 0);
    expect(deployed).toBeLessThanOrEqual(budget);
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
