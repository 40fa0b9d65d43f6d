/**
 * Alarms and a dashboard for the alliance, in a small stack of its own beside the main one (which is
 * close to CloudFormation's 500-resource limit). It takes what it watches from the main stack
 * (cross-stack references) and alarms, through one encrypted SNS topic, on:
 * - every dead-letter queue holding anything (a record that could not be delivered or handled);
 * - each function's errors, and its sustained throttling;
 * - the HTTP API's 5xx answers and its p99 latency;
 * - SES's account reputation: bounce rate ≥ 4% (SES reviews at 5%), complaint rate ≥ 0.08% (SES
 *   reviews at 0.1%);
 * - throttled reads or writes on any table;
 * - failed executions of an outbox pipe.
 * The topic e-mails `operations.alertEmail` from alliance.config.json when it is set.
 */
import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { businessMetrics } from '../../shared/metrics';
import type { AllianceStack } from './alliance-stack';
import { isDeadLetterQueue } from './dead-letters';

/** What each alarm fires at. Rates are fractions (SES reports them so). */
export const alarmThresholds = {
  /** Messages visible in a dead-letter queue: any at all. */
  deadLetterDepth: 0,
  /** Errors of one function in five minutes: any at all. */
  functionErrors: 0,
  /** Throttles of one function in each of `sustainedPeriods` five-minute periods: a subscription whose
   * mapping may run more invocations than its reserved concurrency is throttled briefly by design. */
  functionThrottles: 0,
  sustainedPeriods: 3,
  /** 5xx answers of the HTTP API in five minutes: any at all (a 5xx is always a fault of ours). */
  api5xx: 0,
  /** p99 latency of the HTTP API, in milliseconds, over 2 of 3 five-minute periods. */
  apiLatencyP99Ms: 2000,
  /** SES's account-level reputation metrics: SES reviews an account at 5% and 0.1%. */
  sesBounceRate: 0.04,
  sesComplaintRate: 0.0008,
  /** Throttled read or write events of one table in five minutes: any at all. */
  tableThrottles: 0,
  /** Failed executions of an outbox pipe in five minutes: any at all. */
  pipeFailures: 0,
} as const;

const fiveMinutes = Duration.minutes(5);

/** The namespace of the business metrics (shared/metrics.ts) for a main stack: its own name, so two
 * alliances in one account never add up each other's figures. */
export const metricsNamespaceOf = (stackName: string): string => stackName;

export interface MonitoredResources {
  /** Each dead-letter queue, with a label saying whose it is. */
  deadLetterQueues: ReadonlyArray<{ label: string; queue: sqs.IQueue }>;
  functions: ReadonlyArray<{ label: string; fn: lambda.IFunction }>;
  tables: ReadonlyArray<{ label: string; table: dynamodb.ITable }>;
  pipes: ReadonlyArray<{ label: string; pipeName: string }>;
  api: apigwv2.IHttpApi;
  /** Where the business metrics are (POWERTOOLS_METRICS_NAMESPACE of the functions). */
  metricsNamespace: string;
}

/** Everything of the main stack the monitoring stack watches. */
export function monitoredResourcesOf(stack: AllianceStack): MonitoredResources {
  const labelOf = (queue: sqs.IQueue) =>
    queue.node.path.slice(stack.node.path.length + 1).replace(/-?DeadLetters$/, '');
  return {
    deadLetterQueues: stack.node
      .findAll()
      .filter(isDeadLetterQueue)
      .map((queue) => ({ label: labelOf(queue), queue })),
    functions: [...stack.functions.values()].map((fn) => ({ label: fn.handlerId, fn: fn.lambda })),
    tables: Object.entries(stack.tables.byName).map(([label, table]) => ({ label, table })),
    pipes: [...stack.outbox.byTable].map(([label, { pipe }]) => ({ label, pipeName: pipe.ref })),
    api: stack.api.api,
    metricsNamespace: metricsNamespaceOf(stack.stackName),
  };
}

export interface AllianceMonitoringStackProps extends StackProps, MonitoredResources {
  allianceName: string;
  /** Alarms are e-mailed here; no subscription when unset. */
  alertEmail?: string;
}

export class AllianceMonitoringStack extends Stack {
  readonly key: kms.Key;
  readonly topic: sns.Topic;
  /** The alert address's subscription, when the config names one. */
  readonly alertSubscription?: sns.Subscription;
  readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm, by what it watches: `dead-letters/<label>`, `errors/<handler>`, ... */
  readonly alarms = new Map<string, cloudwatch.Alarm>();

  constructor(scope: Construct, id: string, props: AllianceMonitoringStackProps) {
    super(scope, id, props);
    this.key = new kms.Key(this, 'AlertsKey', {
      description: `${props.allianceName}: encrypts the alarm topic`,
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarms to the encrypted topic: it needs the key to do so.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Alerts', {
      displayName: `${props.allianceName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': this.formatArn({ service: 'cloudwatch', resource: 'alarm:*' }) },
        },
      }),
    );
    if (props.alertEmail) {
      this.alertSubscription = this.topic.addSubscription(
        new subscriptions.EmailSubscription(props.alertEmail),
      );
      Validations.of(this.alertSubscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An alert e-mail SNS cannot deliver after its retries is not lost: the alarm stays in ALARM on the CloudWatch console and the dashboard; a dead-letter queue of alert e-mails would need an alarm of its own, sent the same failing way.',
      });
    }

    for (const { label, queue } of props.deadLetterQueues) {
      this.alarm(`dead-letters/${label}`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
        threshold: alarmThresholds.deadLetterDepth,
        alarmDescription: `${label}: records are waiting in the dead-letter queue (inspect, fix, redrive).`,
      });
    }
    for (const { label, fn } of props.functions) {
      this.alarm(`errors/${label}`, {
        metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: alarmThresholds.functionErrors,
        alarmDescription: `${label}: the function failed (see its log group for the request id).`,
      });
      this.alarm(`throttles/${label}`, {
        metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: alarmThresholds.functionThrottles,
        evaluationPeriods: alarmThresholds.sustainedPeriods,
        alarmDescription: `${label}: throttled for ${alarmThresholds.sustainedPeriods * 5} minutes in a row (concurrency limit reached).`,
      });
    }
    const api5xx = props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' });
    const apiLatency = props.api.metricLatency({ period: fiveMinutes, statistic: 'p99' });
    this.alarm('api/5xx', {
      metric: api5xx,
      threshold: alarmThresholds.api5xx,
      alarmDescription: 'The HTTP API answered with a 5xx (see the access log for the request id).',
    });
    this.alarm('api/latency-p99', {
      metric: apiLatency,
      threshold: alarmThresholds.apiLatencyP99Ms,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      alarmDescription: `The HTTP API's p99 latency exceeded ${alarmThresholds.apiLatencyP99Ms} ms.`,
    });
    const sesRate = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        period: Duration.hours(1),
        statistic: 'Maximum',
      });
    const bounceRate = sesRate('Reputation.BounceRate');
    const complaintRate = sesRate('Reputation.ComplaintRate');
    this.alarm('ses/bounce-rate', {
      metric: bounceRate,
      threshold: alarmThresholds.sesBounceRate,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription: 'SES bounce rate is at 4% or more: SES reviews the account at 5%.',
    });
    this.alarm('ses/complaint-rate', {
      metric: complaintRate,
      threshold: alarmThresholds.sesComplaintRate,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription: 'SES complaint rate is at 0.08% or more: SES reviews the account at 0.1%.',
    });
    // Ids unique across the dashboard's graph of every table: `reads0 + writes0`, ...
    const tableThrottles = props.tables.map(
      ({ label, table }, index) =>
        [
          label,
          new cloudwatch.MathExpression({
            expression: `reads${index} + writes${index}`,
            label: `${label} throttled events`,
            period: fiveMinutes,
            usingMetrics: {
              [`reads${index}`]: table.metric('ReadThrottleEvents', {
                period: fiveMinutes,
                statistic: 'Sum',
              }),
              [`writes${index}`]: table.metric('WriteThrottleEvents', {
                period: fiveMinutes,
                statistic: 'Sum',
              }),
            },
          }),
        ] as const,
    );
    for (const [label, metric] of tableThrottles) {
      this.alarm(`table-throttles/${label}`, {
        metric,
        threshold: alarmThresholds.tableThrottles,
        alarmDescription: `The ${label} table throttled reads or writes.`,
      });
    }
    const pipeFailures = props.pipes.map(
      ({ label, pipeName }) =>
        [
          label,
          new cloudwatch.Metric({
            namespace: 'AWS/EventBridge/Pipes',
            metricName: 'ExecutionFailed',
            dimensionsMap: { PipeName: pipeName },
            period: fiveMinutes,
            statistic: 'Sum',
            label: `${label} outbox pipe`,
          }),
        ] as const,
    );
    for (const [label, metric] of pipeFailures) {
      this.alarm(`pipe-failures/${label}`, {
        metric,
        threshold: alarmThresholds.pipeFailures,
        alarmDescription: `The ${label} table's outbox pipe failed to put events on the bus (its dead-letter queue holds the shard positions).`,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.stackName,
      defaultInterval: Duration.days(7),
    });
    const allAlarms = [...this.alarms.values()];
    const alarmWidgets: cloudwatch.IWidget[] = [];
    // An alarm status widget shows at most 100 alarms.
    for (let start = 0; start < allAlarms.length; start += 100) {
      alarmWidgets.push(
        new cloudwatch.AlarmStatusWidget({
          title: start === 0 ? 'Alarms' : 'Alarms (continued)',
          alarms: allAlarms.slice(start, start + 100),
          width: 24,
          height: 6,
        }),
      );
    }
    const businessSearch = (name: string) =>
      new cloudwatch.MathExpression({
        expression: `SUM(SEARCH('{${props.metricsNamespace},service} MetricName="${name}"', 'Sum', 3600))`,
        label: name,
        period: Duration.hours(1),
      });
    // Ids unique within one graph: `errors0`, `throttles0`, ...
    const sumOf = (label: string, metrics: cloudwatch.IMetric[]) =>
      new cloudwatch.MathExpression({
        expression: `SUM([${metrics.map((_, index) => `${label}${index}`).join(',')}])`,
        label,
        period: fiveMinutes,
        usingMetrics: Object.fromEntries(metrics.map((metric, index) => [`${label}${index}`, metric])),
      });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# ${props.allianceName}\nBusiness events, the API, the functions, e-mail reputation, tables and the outbox. Alarms go to the topic ${this.topic.node.id}.`,
        width: 24,
        height: 2,
      }),
      ...alarmWidgets,
      new cloudwatch.GraphWidget({
        title: 'Business events (per hour)',
        left: businessMetrics.map(businessSearch),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API: requests and 5xx',
        left: [props.api.metricCount({ period: fiveMinutes }), api5xx],
        right: [apiLatency],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Functions: errors and throttles (all functions)',
        left: [
          sumOf(
            'errors',
            props.functions.map(({ fn }) => fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' })),
          ),
          sumOf(
            'throttles',
            props.functions.map(({ fn }) => fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' })),
          ),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'SES reputation (alarm at 4% bounces, 0.08% complaints)',
        left: [bounceRate],
        right: [complaintRate],
        leftAnnotations: [{ value: alarmThresholds.sesBounceRate, label: 'bounce alarm' }],
        rightAnnotations: [{ value: alarmThresholds.sesComplaintRate, label: 'complaint alarm' }],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queues: messages waiting',
        left: props.deadLetterQueues.map(({ label, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({
            period: fiveMinutes,
            statistic: 'Maximum',
            label,
          }),
        ),
        legendPosition: cloudwatch.LegendPosition.HIDDEN,
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Tables throttled and outbox pipes failed',
        left: tableThrottles.map(([, metric]) => metric),
        right: pipeFailures.map(([, metric]) => metric),
        width: 12,
      }),
    );
  }

  /** One alarm above its threshold, to the topic; no data (nothing happened) is not a fault. */
  private alarm(
    key: string,
    props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'> & { evaluationPeriods?: number },
  ): cloudwatch.Alarm {
    if (this.alarms.has(key)) throw new Error(`two alarms watch ${key}`);
    const alarm = new cloudwatch.Alarm(this, `Alarm-${key.replace(/[^A-Za-z0-9-]/g, '-')}`, {
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.set(key, alarm);
    return alarm;
  }
}
