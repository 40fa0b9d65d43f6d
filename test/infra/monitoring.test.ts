import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { allHandlerEntries, handlerId, tables } from '../../infra/catalogue';
import { accessLogFields, accessLogRetention } from '../../infra/cdk/api';
import { AllianceMonitoringStack, alarmThresholds } from '../../infra/cdk/monitoring';
import { config } from '../../shared/config';
import { type CfnResourceJson, environmentOf, logicalId, referencedIds, synthesise } from './synth';

const built = synthesise();
const { stack, resources } = built;
const monitoringTemplate = Template.fromStack(built.monitoring);
const monitoringResources = monitoringTemplate.toJSON().Resources as Record<string, CfnResourceJson>;

interface AlarmJson {
  id: string;
  MetricName?: string;
  Namespace?: string;
  Threshold: number;
  ComparisonOperator: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  Metrics?: Array<{
    MetricStat?: { Metric: { MetricName: string; Dimensions?: Array<{ Value: unknown }> } };
  }>;
  ExtendedStatistic?: string;
  AlarmActions?: unknown[];
}

const alarms: AlarmJson[] = Object.entries(monitoringResources)
  .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
  .map(([id, resource]) => ({ id, ...(resource.Properties as Omit<AlarmJson, 'id'>) }));

/** The main-stack logical id an alarm's dimension points at, through the cross-stack reference. */
function watchedIds(alarm: AlarmJson): string[] {
  const dimensions = [
    ...(alarm.Dimensions ?? []),
    ...(alarm.Metrics ?? []).flatMap((query) => query.MetricStat?.Metric.Dimensions ?? []),
  ];
  // A value from the main stack arrives as an import or stack output naming the producer's logical
  // id; matching by id keeps the test independent of how CDK spells the reference.
  const text = JSON.stringify(dimensions.map((dimension) => dimension.Value));
  return Object.keys(resources).filter((id) => text.includes(id));
}

const alarmsOn = (metricName: string) =>
  alarms.filter(
    (alarm) =>
      alarm.MetricName === metricName ||
      (alarm.Metrics ?? []).some((query) => query.MetricStat?.Metric.MetricName === metricName),
  );

/** Every queue the main stack uses as a dead-letter queue (of a queue, rule target, function or pipe). */
function deadLetterQueueIds(): Set<string> {
  const found = new Set<string>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'DeadLetterConfig' || key === 'deadLetterConfig' || key === 'deadLetterTargetArn')
          referencedIds(inner, found);
        else collect(inner);
      }
    }
  };
  collect(resources);
  return new Set([...found].filter((id) => resources[id]?.Type === 'AWS::SQS::Queue'));
}

describe('alarms and the dashboard (the monitoring stack)', () => {
  it('every dead-letter queue has an alarm on holding anything, and a new one without an alarm fails here', () => {
    const deadLetters = deadLetterQueueIds();
    expect(deadLetters.size).toBeGreaterThanOrEqual(20);
    const depthAlarms = alarmsOn('ApproximateNumberOfMessagesVisible');
    const watched = depthAlarms.flatMap(watchedIds);
    expect(new Set(watched)).toEqual(deadLetters);
    expect(watched).toHaveLength(deadLetters.size);
    for (const alarm of depthAlarms) {
      expect(alarm.Threshold).toBe(0);
      expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
    }
  });

  it('every function of the catalogue has an errors alarm and a throttles alarm', () => {
    const handlers = new Set(allHandlerEntries().map(handlerId));
    const functionIds = [...stack.functions.values()].map((fn) => logicalId(fn.lambda));
    expect(functionIds).toHaveLength(handlers.size);
    for (const metricName of ['Errors', 'Throttles']) {
      const watched = alarmsOn(metricName).flatMap(watchedIds).sort();
      expect(watched, metricName).toEqual([...functionIds].sort());
    }
  });

  it('the API alarms on any 5xx and on p99 latency', () => {
    const [serverErrors] = alarmsOn('5xx');
    expect(serverErrors).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const [latency] = alarmsOn('Latency');
    expect(latency).toMatchObject({
      ExtendedStatistic: 'p99',
      Threshold: alarmThresholds.apiLatencyP99Ms,
    });
  });

  it("SES alarms at a 4% bounce rate and a 0.08% complaint rate, before SES's own review thresholds", () => {
    expect(alarmsOn('Reputation.BounceRate')).toEqual([
      expect.objectContaining({
        Namespace: 'AWS/SES',
        Threshold: 0.04,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    ]);
    expect(alarmsOn('Reputation.ComplaintRate')).toEqual([
      expect.objectContaining({
        Namespace: 'AWS/SES',
        Threshold: 0.0008,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    ]);
  });

  it('every table alarms on throttled reads or writes, and every outbox pipe on failed executions', () => {
    const tableIds = Object.values(stack.tables.byName)
      .map((table) => logicalId(table))
      .sort();
    expect(tableIds).toHaveLength(Object.keys(tables).length);
    expect(alarmsOn('ReadThrottleEvents').flatMap(watchedIds).sort()).toEqual(tableIds);
    expect(alarmsOn('WriteThrottleEvents').flatMap(watchedIds).sort()).toEqual(tableIds);
    const pipeIds = [...stack.outbox.byTable.values()].map(({ pipe }) => logicalId(pipe)).sort();
    expect(pipeIds.length).toBeGreaterThan(0);
    expect(alarmsOn('ExecutionFailed').flatMap(watchedIds).sort()).toEqual(pipeIds);
  });

  it('every alarm notifies the one alerts topic, which is KMS-encrypted and refuses plain HTTP', () => {
    const topicId = logicalId(built.monitoring.topic);
    for (const alarm of alarms) expect(alarm.AlarmActions, alarm.id).toEqual([{ Ref: topicId }]);
    monitoringTemplate.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.objectLike({ 'Fn::GetAtt': [logicalId(built.monitoring.key), 'Arn'] }),
    });
    monitoringTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('the alert address in the config is subscribed to the topic by e-mail', () => {
    expect(config.operations?.alertEmail).toBeTruthy();
    monitoringTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: config.operations?.alertEmail,
      TopicArn: { Ref: logicalId(built.monitoring.topic) },
    });
  });

  it('without an alert address the topic has no subscription', () => {
    const app = new App();
    const producer = new Stack(app, 'Producer');
    const alone = new AllianceMonitoringStack(app, 'Alone', {
      allianceName: 'Test',
      metricsNamespace: 'Test',
      deadLetterQueues: [{ label: 'one', queue: new sqs.Queue(producer, 'Dlq') }],
      functions: [
        {
          label: 'fn',
          fn: lambda.Function.fromFunctionName(producer, 'Fn', 'test-function'),
        },
      ],
      tables: [{ label: 'table', table: dynamodb.Table.fromTableName(producer, 'Table', 'test-table') }],
      pipes: [],
      api: apigwv2.HttpApi.fromHttpApiAttributes(producer, 'Api', { httpApiId: 'abc123' }),
    });
    Template.fromStack(alone).resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('one dashboard for the alliance, named by its stack prefix, graphing the business metrics', () => {
    monitoringTemplate.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const [dashboard] = Object.values(monitoringResources).filter(
      (resource) => resource.Type === 'AWS::CloudWatch::Dashboard',
    );
    expect(dashboard?.Properties?.DashboardName).toBe(built.monitoring.stackName);
    expect(built.monitoring.stackName).toBe(`${stack.stackName}Monitoring`);
    const body = JSON.stringify(dashboard?.Properties?.DashboardBody);
    for (const metric of ['RegistrationRequested', 'RsvpAccepted', 'EmailSent'])
      expect(body).toContain(metric);
  });

  it('the functions put their business metrics in a namespace of their own stack', () => {
    for (const fn of stack.functions.values()) {
      expect(environmentOf(resources, fn.lambda).POWERTOOLS_METRICS_NAMESPACE).toBe(stack.stackName);
    }
  });
});

describe('the HTTP API access log', () => {
  const stage = Object.values(resources).find((resource) => resource.Type === 'AWS::ApiGatewayV2::Stage');
  const settings = stage?.Properties?.AccessLogSettings as { Format: string; DestinationArn: unknown };

  it('logs request id, route, status, latency and integration errors as JSON, and no caller address or query string', () => {
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toEqual(accessLogFields);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
      integrationErrorMessage: '$context.integrationErrorMessage',
    });
    expect(settings.Format).not.toMatch(/sourceIp|userAgent|\$context\.path|querystring/i);
  });

  it('goes to a log group kept for a month', () => {
    const [groupId] = [...referencedIds(settings.DestinationArn)];
    expect(groupId).toBe(logicalId(stack.api.accessLogs));
    expect(resources[groupId as string]?.Properties?.RetentionInDays).toBe(30);
    expect(accessLogRetention).toBe(30);
  });
});
