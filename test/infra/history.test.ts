/**
 * The raw event history (infra/cdk/history.ts), asserted on a small stack of its own (a bus, an
 * access-log bucket and the construct), so the whole app need not synthesise for it; the last test
 * checks the alliance stack wires it to its own bus.
 */
import { App, type PolicyViolation, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/cdk/app';
import { EventHistory, historyColumns } from '../../infra/cdk/history';
import {
  asArray,
  type CfnResourceJson,
  logicalId,
  type PolicyStatementJson,
  referencedIds,
  statementsOfRole,
} from './synth';

// As in infra/cdk/app.ts: access logs delivered under a bucket policy, not an ACL.
const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
const stack = new Stack(app, 'HistoryUnderTest', { env: { region: 'eu-west-2' } });
const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'alliance' });
const accessLogs = new s3.Bucket(stack, 'AccessLogs', {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  encryption: s3.BucketEncryption.S3_MANAGED,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
});
Validations.of(accessLogs).acknowledge({
  id: 'AwsSolutions-S1',
  reason: 'The stand-in for the site access-log bucket, which does not log into itself.',
});
const history = new EventHistory(stack, 'History', { bus, accessLogs, allianceName: 'Test Alliance' });
const nag = [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
Validations.of(app).addPlugins(...nag);

const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, CfnResourceJson>;
const propertiesOf = (construct: Parameters<typeof logicalId>[0]) =>
  resources[logicalId(construct)]?.Properties ?? {};
const statementsOf = (role: Parameters<typeof logicalId>[0]) =>
  statementsOfRole(resources, logicalId(role)).map(({ statement }) => statement);
const actionsOf = (statements: PolicyStatementJson[]) =>
  statements.flatMap((statement) => asArray(statement.Action)).sort();

const streamId = logicalId(history.deliveryStream);
const bucketId = logicalId(history.bucket);

describe('raw event history: EventBridge → Firehose → S3', () => {
  it('every alliance event, but no archive replay, goes from the alliance bus to the delivery stream, with retries and a dead-letter queue', () => {
    const rule = propertiesOf(history.rule);
    expect(referencedIds(rule.EventBusName)).toEqual(new Set([logicalId(bus)]));
    expect(rule.EventPattern).toEqual({
      source: [{ prefix: 'alliance.' }],
      'replay-name': [{ exists: false }],
    });
    const [target, ...others] = asArray(rule.Targets as Array<Record<string, unknown>>);
    expect(others).toEqual([]);
    expect(referencedIds(target?.Arn)).toEqual(new Set([streamId]));
    expect(referencedIds(target?.RoleArn)).toEqual(new Set([logicalId(history.ruleRole)]));
    expect(referencedIds(target?.DeadLetterConfig)).toEqual(new Set([logicalId(history.deadLetters)]));
    expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 });
    expect(target?.InputTransformer ?? target?.Input).toBeUndefined();
  });

  it('the delivery stream writes gzipped JSON lines into one folder a day, failures apart, encrypted and logged', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        CompressionFormat: 'GZIP',
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'AppendDelimiterToRecord',
              Parameters: [{ ParameterName: 'Delimiter', ParameterValue: '\\n' }],
            },
          ],
        },
        CloudWatchLoggingOptions: Match.objectLike({ Enabled: true }),
      }),
    });
    const destination = propertiesOf(history.deliveryStream).ExtendedS3DestinationConfiguration as Record<
      string,
      unknown
    >;
    expect(referencedIds(destination.BucketARN)).toEqual(new Set([bucketId]));
    expect(referencedIds(destination.RoleARN)).toEqual(new Set([logicalId(history.deliveryRole)]));
  });

  it('EventBridge may only put records into this stream, and only for this account', () => {
    const statements = statementsOf(history.ruleRole);
    expect(actionsOf(statements)).toEqual(['firehose:PutRecord', 'firehose:PutRecordBatch']);
    for (const statement of statements)
      expect(referencedIds(statement.Resource)).toEqual(new Set([streamId]));
    const trust = propertiesOf(history.ruleRole).AssumeRolePolicyDocument as {
      Statement: Array<{ Principal: unknown; Condition: unknown }>;
    };
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
  });

  it('Firehose may only write the events/ and errors/ folders of the history bucket and its own log stream', () => {
    const statements = statementsOf(history.deliveryRole);
    expect(actionsOf(statements)).toEqual(
      [
        's3:AbortMultipartUpload',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:ListBucket',
        's3:ListBucketMultipartUploads',
        's3:PutObject',
        'logs:PutLogEvents',
      ].sort(),
    );
    const objectStatement = statements.find((statement) =>
      asArray(statement.Action).includes('s3:PutObject'),
    );
    const objectResources = JSON.stringify(objectStatement?.Resource);
    expect(objectResources).toContain('/events/*');
    expect(objectResources).toContain('/errors/*');
    expect(asArray(objectStatement?.Resource)).toHaveLength(2);
    for (const statement of statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')))) {
      expect(referencedIds(statement.Resource)).toEqual(new Set([bucketId]));
    }
    const logStatement = statements.find((statement) =>
      asArray(statement.Action).includes('logs:PutLogEvents'),
    );
    expect(JSON.stringify(logStatement?.Resource)).toContain(':log-stream:S3Delivery');
    expect(referencedIds(logStatement?.Resource)).toEqual(new Set([logicalId(history.deliveryLogs)]));
  });
});

describe('raw event history: Glue table and Athena workgroup', () => {
  it('the table reads the EventBridge envelope with a JSON SerDe, one column per field', () => {
    const input = propertiesOf(history.table).TableInput as {
      StorageDescriptor: { Columns: unknown; SerdeInfo: unknown; Location: unknown };
      PartitionKeys: Array<{ Name: string; Type: string }>;
      TableType: string;
    };
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.StorageDescriptor.Columns).toEqual(
      historyColumns.map(({ name, type }) => ({ Name: name, Type: type })),
    );
    expect(input.StorageDescriptor.SerdeInfo).toEqual({
      SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
      Parameters: { 'mapping.detail_type': 'detail-type', 'case.insensitive': 'true' },
    });
    expect(JSON.stringify(input.StorageDescriptor.Location)).toContain('/events/');
    expect(referencedIds(input.StorageDescriptor.Location)).toEqual(new Set([bucketId]));
    expect(referencedIds(propertiesOf(history.table).DatabaseName)).toEqual(
      new Set([logicalId(history.database)]),
    );
  });

  it('partitions are projected from the day folder (dt), so no crawler is needed', () => {
    const input = propertiesOf(history.table).TableInput as {
      PartitionKeys: Array<{ Name: string; Type: string }>;
      Parameters: Record<string, unknown>;
    };
    expect(input.PartitionKeys.map(({ Name, Type }) => ({ Name, Type }))).toEqual([
      { Name: 'dt', Type: 'string' },
    ]);
    expect(input.Parameters).toMatchObject({
      classification: 'json',
      compressionType: 'gzip',
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': expect.stringMatching(/^\d{4}-\d{2}-\d{2},NOW$/),
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
    });
    const locationTemplate = JSON.stringify(input.Parameters['storage.location.template']);
    expect(locationTemplate).toContain(`/events/dt=\${dt}/`);
    template.resourceCountIs('AWS::Glue::Crawler', 0);
  });

  it('the Athena workgroup enforces its settings and writes encrypted results to the results bucket', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: Match.anyValue(),
        ResultConfiguration: {
          OutputLocation: Match.anyValue(),
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      }),
    });
    const configuration = propertiesOf(history.workGroup).WorkGroupConfiguration as {
      ResultConfiguration: { OutputLocation: unknown };
    };
    expect(referencedIds(configuration.ResultConfiguration.OutputLocation)).toEqual(
      new Set([logicalId(history.resultsBucket)]),
    );
  });
});

describe('raw event history: buckets', () => {
  it.each([
    ['history', history.bucket],
    ['query results', history.resultsBucket],
  ])(
    'the %s bucket blocks public access, takes TLS only, is encrypted, has a lifecycle, logs access and outlives the stack',
    (_name, bucket) => {
      const resource = resources[logicalId(bucket)];
      expect(resource?.DeletionPolicy).toBe('Retain');
      expect(resource?.UpdateReplacePolicy).toBe('Retain');
      expect(resource?.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
      const rules = (resource?.Properties?.LifecycleConfiguration as { Rules?: unknown[] } | undefined)
        ?.Rules;
      expect(rules?.length).toBeGreaterThan(0);
      expect(referencedIds(resource?.Properties?.LoggingConfiguration)).toEqual(
        new Set([logicalId(accessLogs)]),
      );
      const policies = Object.values(resources).filter(
        (candidate) =>
          candidate.Type === 'AWS::S3::BucketPolicy' &&
          referencedIds(candidate.Properties?.Bucket).has(logicalId(bucket)),
      );
      expect(policies).toHaveLength(1);
      const document = policies[0]?.Properties?.PolicyDocument as { Statement?: PolicyStatementJson[] };
      const statements = document?.Statement;
      expect(statements).toEqual([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]);
    },
  );

  it('the history keeps events (they age to infrequent access) and expires only delivery errors', () => {
    const rules = (
      propertiesOf(history.bucket).LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }
    ).Rules;
    const onEvents = rules.filter((rule) => rule.Prefix === 'events/');
    expect(onEvents).toHaveLength(1);
    expect(onEvents[0]?.ExpirationInDays).toBeUndefined();
    expect(onEvents[0]?.Transitions).toEqual([{ StorageClass: 'STANDARD_IA', TransitionInDays: 90 }]);
    expect(rules.find((rule) => rule.Prefix === 'errors/')?.ExpirationInDays).toBe(90);
  });
});

describe('raw event history: checks and wiring', () => {
  const violations = nag.flatMap((pack) => pack.validateScope(app).violations);
  const describeViolation = (violation: PolicyViolation) =>
    `${violation.ruleName} at ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`;

  it('cdk-nag (AwsSolutions and Serverless) finds nothing unacknowledged in the history', () => {
    console.log(
      JSON.stringify(violations.map(describeViolation)),
      nag.map((p) => p.readPackName),
    );
    expect(violations.map(describeViolation)).toEqual([]);
  });

  it('the alliance stack feeds the history from its own bus and logs its buckets with the site', () => {
    const built = buildApp({ bundle: false });
    const wired = built.stack.history;
    expect(wired).toBeInstanceOf(EventHistory);
    const ruleBus = built.stack.resolve((wired.rule.node.defaultChild as events.CfnRule).eventBusName);
    expect(referencedIds(ruleBus)).toEqual(new Set([logicalId(built.stack.events.bus)]));
    const logging = built.stack.resolve(
      (wired.bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration,
    );
    expect(referencedIds(logging)).toEqual(new Set([logicalId(built.stack.site.logBucket)]));
  });
});
