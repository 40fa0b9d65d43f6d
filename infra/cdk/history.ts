/**
 * Raw history for analysts who outgrow the exports: every alliance event (source `alliance.*`, the
 * events the archive keeps) also goes through Kinesis Data Firehose into S3 as gzipped JSON lines,
 * one folder per day of arrival, with a Glue table over it (partition projection on `dt`, so no
 * crawler) and an Athena workgroup to query it with SQL. Events carry no personal data, so this
 * history stays clean after an erasure. Locally, `.data/archive.jsonl` holds the same envelopes.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as events from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy } from 'aws-cdk-lib/aws-events-targets';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letters';
import { deliveryRetry } from './events';

/** Where delivered events go, one folder per day (UTC) the event reached Firehose. */
export const historyEventsPrefix = 'events/dt=!{timestamp:yyyy-MM-dd}/';
/** Batches Firehose could not write, by kind of failure and day, for an operator to look at. */
export const historyErrorsPrefix = 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/';
/** The first day partition projection offers (no history can be older than the stack). */
export const historyStartDay = '2024-01-01';

/**
 * The table's columns: the EventBridge envelope as delivered. `detail` stays JSON text (each event
 * type has its own fields: read them with json_extract_scalar); `detail_type` is `detail-type`.
 */
export const historyColumns = [
  { name: 'version', type: 'string' },
  { name: 'id', type: 'string' },
  { name: 'detail_type', type: 'string' },
  { name: 'source', type: 'string' },
  { name: 'account', type: 'string' },
  { name: 'time', type: 'string' },
  { name: 'region', type: 'string' },
  { name: 'resources', type: 'array<string>' },
  { name: 'detail', type: 'string' },
] as const;

export interface EventHistoryProps {
  bus: events.IEventBus;
  /** Where the history buckets' S3 access logs go (the site's access-log bucket). */
  accessLogs: s3.IBucket;
  allianceName: string;
}

export class EventHistory extends Construct {
  readonly bucket: s3.Bucket;
  readonly resultsBucket: s3.Bucket;
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly deliveryRole: iam.Role;
  readonly deliveryLogs: logs.LogGroup;
  readonly rule: events.Rule;
  readonly ruleRole: iam.Role;
  readonly deadLetters: sqs.Queue;
  readonly database: glue.CfnDatabase;
  readonly table: glue.CfnTable;
  readonly workGroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: EventHistoryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const baseName = stack.stackName.toLowerCase().replace(/[^a-z0-9]+/g, '_');

    this.bucket = new s3.Bucket(this, 'Events', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'history-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        // History is kept (it is the point), but read less as it ages.
        {
          id: 'older-events-to-infrequent-access',
          prefix: 'events/',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) },
          ],
        },
        { id: 'delivery-errors-expire', prefix: 'errors/', expiration: Duration.days(90) },
        { id: 'abandoned-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    this.resultsBucket = new s3.Bucket(this, 'QueryResults', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'history-results/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'query-results-expire',
          expiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    this.deliveryLogs = new logs.LogGroup(this, 'DeliveryLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deliveryLogStream = 'S3Delivery';
    this.deliveryLogs.addStream('S3Delivery', { logStreamName: deliveryLogStream });
    this.deliveryRole = this.firehoseRole(deliveryLogStream);

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: this.bucket.bucketArn,
        roleArn: this.deliveryRole.roleArn,
        prefix: historyEventsPrefix,
        errorOutputPrefix: historyErrorsPrefix,
        compressionFormat: 'GZIP',
        // A few events a minute: five minutes per object keeps the files few and the data fresh.
        bufferingHints: { intervalInSeconds: 300, sizeInMBs: 64 },
        // EventBridge hands over one JSON object per record; the JSON SerDe reads one per line.
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'AppendDelimiterToRecord',
              parameters: [{ parameterName: 'Delimiter', parameterValue: '\\n' }],
            },
          ],
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: this.deliveryLogs.logGroupName,
          logStreamName: deliveryLogStream,
        },
      },
    });
    // Firehose checks its role's access when the stream is created.
    this.deliveryStream.node.addDependency(this.deliveryRole);

    this.deadLetters = deadLetterQueue(
      this,
      'DeadLetters',
      'alliance events EventBridge could not put into the history delivery stream',
    );
    // Inline policies (no AWS::IAM::Policy of their own): the stack is short of resources.
    this.ruleRole = new iam.Role(this, 'RuleRole', {
      description: `${props.allianceName}: EventBridge puts alliance events into the history delivery stream`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      inlinePolicies: {
        PutIntoHistoryStream: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
              resources: [this.deliveryStream.attrArn],
            }),
          ],
        }),
      },
    });
    const target: events.IRuleTarget = {
      bind: () => ({
        arn: this.deliveryStream.attrArn,
        role: this.ruleRole,
        deadLetterConfig: { arn: this.deadLetters.queueArn },
        retryPolicy: {
          maximumRetryAttempts: deliveryRetry.retryAttempts,
          maximumEventAgeInSeconds: deliveryRetry.maxEventAge.toSeconds(),
        },
      }),
    };
    this.rule = new events.Rule(this, 'EveryAllianceEvent', {
      eventBus: props.bus,
      description: `${props.allianceName}: every alliance event into the raw history (S3, for Athena)`,
      eventPattern: { source: events.Match.prefix('alliance.') },
      targets: [target],
    });
    // An archive replay (to rebuild counters) sends old events again: the history has them already.
    (this.rule.node.defaultChild as events.CfnRule).addPropertyOverride('EventPattern.replay-name', [
      { exists: false },
    ]);
    addToDeadLetterQueueResourcePolicy(this.rule, this.deadLetters);

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: `${baseName}_history`,
        description: `${props.allianceName}: raw history of every alliance event`,
      },
    });
    this.table = this.eventsTable(this.database, props.allianceName);
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: `${baseName}_history`.replace(/_/g, '-'),
      description: `${props.allianceName}: SQL over the raw event history`,
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        // A query that forgets its dt filter stops at 10 GB rather than scanning years.
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.resultsBucket.s3UrlForObject('results/'),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }

  /** Firehose's role: write the events and errors prefixes of the history bucket, and its log. */
  private firehoseRole(logStreamName: string): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'DeliveryRole', {
      description: 'Kinesis Data Firehose writes alliance events into the history bucket',
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com').withConditions({
        StringEquals: { 'sts:ExternalId': stack.account },
      }),
      inlinePolicies: {
        WriteHistory: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
              resources: [this.bucket.bucketArn],
            }),
            new iam.PolicyStatement({
              actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
              resources: [this.bucket.arnForObjects('events/*'), this.bucket.arnForObjects('errors/*')],
            }),
            new iam.PolicyStatement({
              actions: ['logs:PutLogEvents'],
              resources: [
                stack.formatArn({
                  service: 'logs',
                  resource: 'log-group',
                  resourceName: `${this.deliveryLogs.logGroupName}:log-stream:${logStreamName}`,
                  arnFormat: ArnFormat.COLON_RESOURCE_NAME,
                }),
              ],
            }),
          ],
        }),
      },
    });
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    const reason =
      'Firehose names each object itself (date folders, then its own file names), so it may write any object under the events/ and errors/ prefixes of the history bucket, and nowhere else.';
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/events/*]`,
      reason,
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/errors/*]`,
      reason,
    });
    return role;
  }

  /** The Glue table over the events prefix: JSON lines, gzipped, partitions projected from `dt`. */
  private eventsTable(database: glue.CfnDatabase, allianceName: string): glue.CfnTable {
    const location = this.bucket.s3UrlForObject('events/');
    // databaseName is the database's Ref, so CloudFormation creates the database first.
    return new glue.CfnTable(this, 'Table', {
      catalogId: Stack.of(this).account,
      databaseName: database.ref,
      tableInput: {
        name: 'events',
        description: `${allianceName}: every alliance event as EventBridge delivered it, one row per event`,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [
          { name: 'dt', type: 'string', comment: 'day the event was delivered (UTC), yyyy-MM-dd' },
        ],
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': `${historyStartDay},NOW`,
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': `${location}dt=\${dt}/`,
        },
        storageDescriptor: {
          location,
          columns: historyColumns.map((column) => ({ ...column })),
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'mapping.detail_type': 'detail-type', 'case.insensitive': 'true' },
          },
        },
      },
    });
  }
}
