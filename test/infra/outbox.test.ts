import { describe, expect, it } from 'vitest';
import { type TableDeclaration, type TableName, tables } from '../../infra/catalogue';
import { busPutActions, pipeDeadLetterActions, streamReadActions } from '../../infra/cdk/outbox';
import { outboxPipe } from '../../shared/outbox';
import { asArray, logicalId, referencedIds, statementsOfRole, synthesise } from './synth';

const { stack, resources } = synthesise();

const outboxTables = (Object.entries(tables) as Array<[TableName, TableDeclaration]>)
  .filter(([, declaration]) => declaration.outbox)
  .map(([name]) => name);

const busId = logicalId(stack.events.bus);

function relayOf(name: TableName) {
  const relay = stack.outbox.byTable.get(name);
  if (!relay) throw new Error(`the ${name} table has no outbox relay`);
  const tableId = logicalId(stack.tables.byName[name]);
  return {
    relay,
    tableId,
    streamArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
    pipe: resources[logicalId(relay.pipe)]?.Properties ?? {},
  };
}

describe('the outbox relay', () => {
  it('the catalogue declares outbox tables, and each has exactly one pipe', () => {
    expect(outboxTables.length).toBeGreaterThan(0);
    expect([...stack.outbox.byTable.keys()].sort()).toEqual([...outboxTables].sort());
    const pipes = Object.values(resources).filter((resource) => resource.Type === 'AWS::Pipes::Pipe');
    expect(pipes).toHaveLength(outboxTables.length);
  });

  it.each(outboxTables)('the %s pipe reads the table’s stream from its oldest record', (name) => {
    const { pipe, streamArn } = relayOf(name);
    expect(pipe.Source).toEqual(streamArn);
    expect(pipe.DesiredState).toBe('RUNNING');
    expect(pipe.SourceParameters).toMatchObject({
      DynamoDBStreamParameters: {
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        MaximumRetryAttempts: 10,
        OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
      },
    });
  });

  it.each(outboxTables)(
    'the %s pipe lets through only the outbox items shared/outbox.ts declares',
    (name) => {
      const { pipe } = relayOf(name);
      const filters = (pipe.SourceParameters as { FilterCriteria?: { Filters?: Array<{ Pattern: string }> } })
        .FilterCriteria?.Filters;
      expect(filters).toHaveLength(1);
      expect(JSON.parse(filters?.[0]?.Pattern ?? 'null')).toEqual(outboxPipe.filterPattern);
    },
  );

  it.each(outboxTables)(
    'the %s pipe puts each item on the alliance bus with its detail-type, source, time and detail',
    (name) => {
      const { pipe } = relayOf(name);
      expect(pipe.Target).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
      expect(pipe.TargetParameters).toEqual({
        EventBridgeEventBusParameters: {
          DetailType: outboxPipe.target.detailType,
          Source: outboxPipe.target.source,
          Time: outboxPipe.target.time,
        },
        InputTemplate: outboxPipe.target.inputTemplate,
      });
    },
  );

  it.each(outboxTables)('the %s pipe gives up on a batch into a dead-letter queue of its own', (name) => {
    const { pipe, relay } = relayOf(name);
    const deadLetterId = logicalId(relay.deadLetters);
    expect(
      (pipe.SourceParameters as { DynamoDBStreamParameters?: { DeadLetterConfig?: unknown } })
        .DynamoDBStreamParameters?.DeadLetterConfig,
    ).toEqual({ Arn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] } });
    expect(resources[deadLetterId]).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
    });
    const others = [...stack.outbox.byTable.values()].filter((other) => other !== relay);
    for (const other of others) expect(logicalId(other.deadLetters)).not.toBe(deadLetterId);
  });

  it.each(outboxTables)(
    'the %s pipe role may read that stream, put events on the bus and send to its dead-letter queue, nothing else',
    (name) => {
      const { relay, pipe, streamArn } = relayOf(name);
      const roleId = logicalId(relay.role);
      expect(pipe.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });

      const role = resources[roleId];
      const trust = JSON.stringify(role?.Properties?.AssumeRolePolicyDocument);
      expect(trust).toContain('"Service":"pipes.amazonaws.com"');
      expect(trust).toContain('aws:SourceAccount');
      expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
      expect(role?.Properties?.Policies).toBeUndefined();

      const statements = statementsOfRole(resources, roleId).map(({ statement }) => statement);
      expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
      const grants = statements.flatMap((statement) =>
        asArray(statement.Action).flatMap((action) =>
          asArray(statement.Resource).map((resource) => ({ action, resource: JSON.stringify(resource) })),
        ),
      );
      const expected = [
        ...streamReadActions.map((action) => ({ action, resource: JSON.stringify(streamArn) })),
        ...busPutActions.map((action) => ({
          action,
          resource: JSON.stringify({ 'Fn::GetAtt': [busId, 'Arn'] }),
        })),
        ...pipeDeadLetterActions.map((action) => ({
          action,
          resource: JSON.stringify({ 'Fn::GetAtt': [logicalId(relay.deadLetters), 'Arn'] }),
        })),
      ];
      const sorted = (list: Array<{ action: string; resource: string }>) =>
        [...list].sort((a, b) => `${a.action} ${a.resource}`.localeCompare(`${b.action} ${b.resource}`));
      expect(sorted(grants)).toEqual(sorted(expected));
      expect(streamReadActions).toEqual([
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ]);
      expect(busPutActions).toEqual(['events:PutEvents']);
      expect(pipeDeadLetterActions).toEqual(['sqs:SendMessage']);
    },
  );

  it.each(outboxTables)('the %s pipe is created only once its role may do its work', (name) => {
    const { relay } = relayOf(name);
    const dependsOn = resources[logicalId(relay.pipe)]?.DependsOn ?? [];
    const policyIds = statementsOfRole(resources, logicalId(relay.role)).map(({ policyId }) => policyId);
    for (const policyId of policyIds) expect(dependsOn).toContain(policyId);
  });

  it('no Lambda function sits on the relay path', () => {
    for (const relay of stack.outbox.byTable.values()) {
      const pipe = resources[logicalId(relay.pipe)]?.Properties ?? {};
      const reached = [...referencedIds([pipe.Source, pipe.Target, pipe.Enrichment])].map(
        (id) => resources[id]?.Type,
      );
      expect(reached.sort()).toEqual(['AWS::DynamoDB::Table', 'AWS::Events::EventBus']);
      expect(pipe.Enrichment).toBeUndefined();
    }
  });
});
