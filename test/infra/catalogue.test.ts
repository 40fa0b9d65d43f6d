import { describe, expect, it } from 'vitest';
import { allHandlerEntries, handlerId, routes, schedules, subscriptions } from '../../infra/catalogue';
import { listOf, logicalId, referencedIds, synthesise } from './synth';

const { stack, resources } = synthesise();

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

const functionIdFor = (handler: string): string => {
  const fn = stack.functions.get(handlerId({ handler, uses: {} }));
  if (!fn) throw new Error(`no function for ${handler}`);
  return logicalId(fn.lambda);
};

describe('the catalogue, deployed', () => {
  it('every handler in the catalogue is exactly one Lambda function, named for its handler', () => {
    const handlerIds = [...new Set(allHandlerEntries().map(handlerId))].sort();
    const serviceNames = ofType('AWS::Lambda::Function')
      .map(
        ([, fn]) =>
          (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables,
      )
      .map((variables) => variables?.POWERTOOLS_SERVICE_NAME)
      .filter((name): name is string => typeof name === 'string')
      .sort();

    expect(serviceNames).toEqual(handlerIds);
  });

  it('every function runs Node.js 22 on ARM with X-Ray and its own log group, and parses no source map at start', () => {
    for (const entry of allHandlerEntries()) {
      const fn = resources[functionIdFor(entry.handler)];
      const owner = stack.functions.get(handlerId(entry));
      expect(fn?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 256,
        Timeout: entry.timeoutSeconds ?? 10,
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: { POWERTOOLS_SERVICE_NAME: handlerId(entry) },
        },
      });
      // Stacks are mapped when logged (shared/stack-traces.ts), not by Node at every cold start.
      const environment = fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
      expect(environment?.Variables?.NODE_OPTIONS).toBeUndefined();
      expect(referencedIds(fn?.Properties?.LoggingConfig)).toEqual(
        new Set([owner && logicalId(owner.logGroup)]),
      );
    }
  });

  it('every function log group keeps its logs for a month', () => {
    for (const fn of stack.functions.values()) {
      expect(resources[logicalId(fn.logGroup)]?.Properties?.RetentionInDays).toBe(30);
    }
  });

  it('every route from the catalogue is one API route, with a JWT authorizer unless public', () => {
    const apiRoutes = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties ?? {});
    expect(apiRoutes).toHaveLength(routes.length);

    for (const route of routes) {
      const matching = apiRoutes.filter(
        (candidate) => candidate.RouteKey === `${route.method} ${route.path}`,
      );
      expect(matching, `${route.method} ${route.path}`).toHaveLength(1);
      const [apiRoute] = matching;
      if (route.access === 'public') {
        expect(apiRoute?.AuthorizationType).toBe('NONE');
        expect(apiRoute?.AuthorizerId).toBeUndefined();
      } else {
        expect(apiRoute?.AuthorizationType).toBe('JWT');
        expect(referencedIds(apiRoute?.AuthorizerId).size).toBe(1);
      }
    }
  });

  it('every route invokes the function of its own handler (payload format 2.0)', () => {
    for (const route of routes) {
      const apiRoute = ofType('AWS::ApiGatewayV2::Route').find(
        ([, candidate]) => candidate.Properties?.RouteKey === `${route.method} ${route.path}`,
      );
      const [integrationId] = [...referencedIds(apiRoute?.[1].Properties?.Target)];
      const integration = integrationId ? resources[integrationId] : undefined;
      expect(integration?.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
      expect(referencedIds(integration?.Properties?.IntegrationUri)).toEqual(
        new Set([functionIdFor(route.handler)]),
      );
    }
  });

  it('every subscription is one queue, fed by one rule on the alliance bus and read by its own handler', () => {
    for (const subscription of subscriptions) {
      const wiring = stack.subscriptions.byName.get(subscription.name);
      expect(wiring, subscription.name).toBeDefined();
      if (!wiring) continue;
      const queueId = logicalId(wiring.queue);
      const feeding = ofType('AWS::Events::Rule').filter(([, rule]) =>
        listOf<Record<string, unknown>>(rule.Properties?.Targets).some((target) =>
          referencedIds(target.Arn).has(queueId),
        ),
      );
      expect(feeding.map(([id]) => id)).toEqual([logicalId(wiring.rule)]);
      const reading = ofType('AWS::Lambda::EventSourceMapping').filter(([, mapping]) =>
        referencedIds(mapping.Properties?.EventSourceArn).has(queueId),
      );
      expect(reading).toHaveLength(1);
      expect(referencedIds(reading[0]?.[1].Properties?.FunctionName)).toEqual(
        new Set([functionIdFor(subscription.handler)]),
      );
    }
    expect(stack.subscriptions.byName.size).toBe(subscriptions.length);
  });

  it('every schedule is one rule with its expression, retries and a dead-letter queue', () => {
    const scheduled = ofType('AWS::Events::Rule').filter(([, rule]) => rule.Properties?.ScheduleExpression);
    expect(scheduled).toHaveLength(schedules.length);

    for (const schedule of schedules) {
      const matching = scheduled.filter(
        ([, rule]) => rule.Properties?.ScheduleExpression === schedule.expression,
      );
      expect(matching, schedule.name).toHaveLength(1);
      const [target] = listOf<Record<string, unknown>>(matching[0]?.[1].Properties?.Targets);
      expect(referencedIds(target?.Arn)).toEqual(new Set([functionIdFor(schedule.handler)]));
      expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 });
      const [queueId] = [...referencedIds(target?.DeadLetterConfig)];
      expect(queueId && resources[queueId]?.Type).toBe('AWS::SQS::Queue');
      // The invocation is asynchronous: what the function still fails after Lambda's retries goes
      // to the same dead-letter queue.
      const fn = resources[functionIdFor(schedule.handler)];
      expect(referencedIds(fn?.Properties?.DeadLetterConfig)).toEqual(new Set([queueId]));
    }
  });

  it('scheduled mail-outs are started by a rule every minute that invokes start-scheduled-mailouts, with a dead-letter queue', () => {
    const rule = stack.schedules.rules.get('start-scheduled-mailouts');
    expect(rule, 'the start-scheduled-mailouts schedule').toBeDefined();
    if (!rule) return;
    const properties = resources[logicalId(rule)]?.Properties;
    expect(properties?.ScheduleExpression).toBe('rate(1 minute)');
    expect(properties?.State ?? 'ENABLED').toBe('ENABLED');
    const [target] = listOf<Record<string, unknown>>(properties?.Targets);
    expect(referencedIds(target?.Arn)).toEqual(
      new Set([functionIdFor('functions/mailouts/start-scheduled-mailouts.ts')]),
    );
    const deadLetters = stack.schedules.deadLetters.get('start-scheduled-mailouts');
    expect(deadLetters && referencedIds(target?.DeadLetterConfig)).toEqual(
      new Set([deadLetters && logicalId(deadLetters)]),
    );
  });

  it('dead letters are kept 14 days, encrypted, and reachable over TLS only', () => {
    const deadLetterIds = new Set([
      ...[...stack.subscriptions.byName.values()].map(({ deadLetters }) => logicalId(deadLetters)),
      ...[...stack.schedules.deadLetters.values()].map(logicalId),
      ...[...stack.outbox.byTable.values()].map(({ deadLetters }) => logicalId(deadLetters)),
      logicalId(stack.history.deadLetters),
    ]);
    // One per subscription, schedule and outbox table, one for the raw history's rule; the SES
    // forwarding rule has the last one.
    expect(deadLetterIds.size).toBe(subscriptions.length + schedules.length + stack.outbox.byTable.size + 1);
    const queues = ofType('AWS::SQS::Queue');
    // Every queue is a subscription's queue or a dead-letter queue.
    expect(queues).toHaveLength(subscriptions.length + deadLetterIds.size + 1);
    const sesDeadLetters = queues.filter(
      ([id]) =>
        !deadLetterIds.has(id) &&
        ![...stack.subscriptions.byName.values()].some(({ queue }) => logicalId(queue) === id),
    );
    expect(sesDeadLetters).toHaveLength(1);
    for (const [queueId, queue] of [...queues.filter(([id]) => deadLetterIds.has(id)), ...sesDeadLetters]) {
      expect(queue.Properties).toMatchObject({
        MessageRetentionPeriod: 14 * 24 * 3600,
        SqsManagedSseEnabled: true,
      });
      const policy = ofType('AWS::SQS::QueuePolicy').find(([, candidate]) =>
        referencedIds(candidate.Properties?.Queues).has(queueId),
      );
      expect(JSON.stringify(policy?.[1].Properties?.PolicyDocument)).toContain(
        '"aws:SecureTransport":"false"',
      );
    }
  });
});
