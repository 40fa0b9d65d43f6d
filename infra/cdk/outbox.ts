/**
 * The transactional outbox relay, cloud side: for every table the catalogue marks `outbox`, an
 * EventBridge Pipe reads the table's stream, lets only inserted outbox items through and puts each
 * one on the alliance bus as the event it announces. No Lambda code on that path: the filter and
 * the mapping are declared once, in shared/outbox.ts, and the local relay applies the same ones.
 */
import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { outboxPipe } from '../../shared/outbox';
import { type TableDeclaration, type TableName, tables } from '../catalogue';
import { deadLetterQueue } from './dead-letters';

/** What the pipe needs to read a DynamoDB stream (as the Pipes documentation lists them). */
export const streamReadActions = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
] as const;
export const busPutActions = ['events:PutEvents'] as const;
/** The pipe's dead-letter queue is SQS-managed encryption: sending to it needs no KMS grant. */
export const pipeDeadLetterActions = ['sqs:SendMessage'] as const;

/**
 * How the pipe reads the stream.
 *
 * TRIM_HORIZON, not LATEST: a new pipe (first deployment, or one replaced by an update) starts at the
 * oldest record the stream still holds (24 hours), so outbox items written before the pipe was
 * running are relayed rather than skipped. What that may send twice, consumers ignore: the event id
 * is fixed in the outbox item, and every consumer is idempotent by event id.
 *
 * Ten records a batch: an event bus target takes at most ten entries per PutEvents. Ten attempts
 * before a batch is given up (the default, -1, retries until the record expires and holds up its
 * shard meanwhile), bisecting a failing batch so one bad record does not keep nine good ones back.
 */
export const streamReading = {
  startingPosition: 'TRIM_HORIZON',
  batchSize: 10,
  maximumRetryAttempts: 10,
  onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
} as const;

/** One table's relay. */
export interface OutboxRelayWiring {
  table: dynamodb.Table;
  pipe: pipes.CfnPipe;
  role: iam.Role;
  deadLetters: sqs.Queue;
}

export interface OutboxRelaysProps {
  tables: Record<TableName, dynamodb.Table>;
  bus: events.IEventBus;
  allianceName: string;
}

export class OutboxRelays extends Construct {
  readonly byTable = new Map<TableName, OutboxRelayWiring>();

  constructor(scope: Construct, id: string, props: OutboxRelaysProps) {
    super(scope, id);
    for (const [name, declaration] of Object.entries(tables) as Array<[TableName, TableDeclaration]>) {
      if (!declaration.outbox) continue;
      this.byTable.set(name, this.relay(name, props.tables[name], props));
    }
  }

  private relay(name: TableName, table: dynamodb.Table, props: OutboxRelaysProps): OutboxRelayWiring {
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error(`the ${name} table is an outbox but has no stream`);

    // Stream sources hand the dead-letter queue a record of the failed batch (shard and sequence
    // numbers), not the events: the outbox items themselves stay in the table until TTL tidies them.
    const deadLetters = deadLetterQueue(
      this,
      `${name}-DeadLetters`,
      `the shard positions of outbox batches from the ${name} table that the pipe could not put on the bus`,
    );

    const role = new iam.Role(this, `${name}-PipeRole`, {
      description: `${props.allianceName}: relays the ${name} table's outbox to the alliance bus`,
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...streamReadActions], resources: [streamArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...busPutActions], resources: [props.bus.eventBusArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...pipeDeadLetterActions], resources: [deadLetters.queueArn] }),
    );

    const pipe = new pipes.CfnPipe(this, `${name}-Pipe`, {
      description: `${props.allianceName}: outbox items of the ${name} table, as events on the alliance bus`,
      roleArn: role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: { ...streamReading, deadLetterConfig: { arn: deadLetters.queueArn } },
        filterCriteria: { filters: [{ pattern: JSON.stringify(outboxPipe.filterPattern) }] },
      },
      target: props.bus.eventBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: {
          detailType: outboxPipe.target.detailType,
          source: outboxPipe.target.source,
          time: outboxPipe.target.time,
        },
        inputTemplate: outboxPipe.target.inputTemplate,
      },
      desiredState: 'RUNNING',
    });
    // Pipes checks its role's permissions when it is created: the policy must be attached first.
    pipe.node.addDependency(role);
    return { table, pipe, role, deadLetters };
  }
}
