import { describe, expect, it } from 'vitest';
import { allHandlerEntries, handlerId, routes, schedules, subscriptions } from '../../infra/catalogue';
import type { toEventPattern } from '../../infra/cdk/events';
import { listOf, logicalId, referencedIds, synthesise } from './synth';

const { stack, resources } = synthesise();

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

const functionIdFor = (handler: string): string => {
  const fn = stack.functions.get(handlerId({ handler, uses: {} }));
  if (!fn) throw new Error(`no function for ${handler}`);
  return logicalId(fn.lambda);
};

/** The catalogue pattern as CloudFormation renders it (keys without a value left out). */
const cfnPattern = (pattern: Parameters<typeof toEventPattern>[0]) =>
  JSON.parse(
    JSON.stringify({ source: pattern.source, 'detail-type': pattern['detail-type'], detail: pattern.detail }),
  ) as unknown;

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

  it('every function runs Node.js 22 on ARM with source maps, X-Ray and its own log group', () => {
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
          Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: handlerId(entry) },
        },
      });
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

  it('every subscription is one rule on the alliance bus with its pattern, retries and a dead-letter queue', () => {
    const busId = logicalId(stack.events.bus);
    const busRules = ofType('AWS::Events::Rule').filter(([, rule]) =>
      referencedIds(rule.Properties?.EventBusName).has(busId),
    );
    expect(busRules).toHaveLength(subscriptions.length);

    for (const subscription of subscriptions) {
      const matching = busRules.filter(
        ([, rule]) =>
          JSON.stringify(rule.Properties?.EventPattern) === JSON.stringify(cfnPattern(subscription.pattern)),
      );
      expect(matching, subscription.name).toHaveLength(1);
      const targets = listOf<Record<string, unknown>>(matching[0]?.[1].Properties?.Targets);
      expect(targets).toHaveLength(1);
      const [target] = targets;
      expect(referencedIds(target?.Arn)).toEqual(new Set([functionIdFor(subscription.handler)]));
      expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 });
      const [queueId] = [...referencedIds(target?.DeadLetterConfig)];
      expect(queueId && resources[queueId]?.Type).toBe('AWS::SQS::Queue');
    }
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
    }
  });

  it('dead letters are kept 14 days, encrypted, and reachable over TLS only', () => {
    const queues = ofType('AWS::SQS::Queue');
    // One per subscription and schedule, one for the SES forwarding rule.
    expect(queues).toHaveLength(subscriptions.length + schedules.length + 1);
    for (const [queueId, queue] of queues) {
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
