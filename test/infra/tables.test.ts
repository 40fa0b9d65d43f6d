import { describe, expect, it } from 'vitest';
import { type KeyAttribute, type TableDeclaration, type TableName, tables } from '../../infra/catalogue';
import { logicalId, synthesise } from './synth';

const { stack, resources } = synthesise();

const declared = Object.entries(tables) as Array<[TableName, TableDeclaration]>;

const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' },
  ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : []),
];

const tableResource = (name: TableName) => {
  const resource = resources[logicalId(stack.tables.byName[name])];
  if (!resource) throw new Error(`table ${name} is not in the template`);
  return resource;
};

describe('tables', () => {
  it('every table the catalogue declares exists, and no other', () => {
    const tableIds = Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
      .map(([id]) => id)
      .sort();
    expect(tableIds).toEqual(declared.map(([name]) => logicalId(stack.tables.byName[name])).sort());
  });

  it.each(declared)(
    'the %s table has the keys, TTL and indexes the catalogue declares',
    (name, declaration) => {
      const properties = tableResource(name).Properties;
      expect(properties?.KeySchema).toEqual(keySchema(declaration.partitionKey, declaration.sortKey));

      const indexes = (properties?.GlobalSecondaryIndexes ?? []) as Array<Record<string, unknown>>;
      expect(indexes.map((index) => ({ name: index.IndexName, keys: index.KeySchema }))).toEqual(
        (declaration.globalIndexes ?? []).map((index) => ({
          name: index.name,
          keys: keySchema(index.partitionKey, index.sortKey),
        })),
      );

      const keyAttributes = [
        declaration.partitionKey,
        declaration.sortKey,
        ...(declaration.globalIndexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey]),
      ].filter((key): key is KeyAttribute => key !== undefined);
      const definitions = properties?.AttributeDefinitions as Array<{
        AttributeName: string;
        AttributeType: string;
      }>;
      for (const key of keyAttributes) {
        expect(definitions).toContainEqual({ AttributeName: key.name, AttributeType: key.type });
      }

      if (declaration.timeToLiveAttribute) {
        expect(properties?.TimeToLiveSpecification).toEqual({
          AttributeName: declaration.timeToLiveAttribute,
          Enabled: true,
        });
      } else {
        expect(properties?.TimeToLiveSpecification).toBeUndefined();
      }
    },
  );

  it.each(declared)(
    'the %s table has a stream of new images exactly when it is an outbox',
    (name, declaration) => {
      const stream = tableResource(name).Properties?.StreamSpecification;
      if (declaration.outbox) expect(stream).toEqual({ StreamViewType: 'NEW_IMAGE' });
      else expect(stream).toBeUndefined();
    },
  );

  it.each(declared)(
    'the %s table is on-demand, encrypted, recoverable to a point in time and survives the stack',
    (name) => {
      const table = tableResource(name);
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    },
  );
});

describe('the mail-out tables', () => {
  const indexesOf = (name: TableName) =>
    (tableResource(name).Properties?.GlobalSecondaryIndexes ?? []) as Array<{
      IndexName: string;
      KeySchema: unknown;
      Projection: unknown;
    }>;
  const index = (name: TableName, indexName: string) =>
    indexesOf(name).find((i) => i.IndexName === indexName);

  it('deliveries (who was sent which mail-out) can be restored to any point in time and cannot be deleted with the stack', () => {
    const deliveries = tableResource('deliveries');
    expect(deliveries.Properties?.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
    expect(deliveries.Properties?.DeletionProtectionEnabled).toBe(true);
    expect(deliveries.DeletionPolicy).toBe('Retain');
    expect(deliveries.UpdateReplacePolicy).toBe('Retain');
  });

  it('deliveries are found by member for erasure, with the whole record projected (byMember: memberId, pk)', () => {
    expect(index('deliveries', 'byMember')).toEqual({
      IndexName: 'byMember',
      KeySchema: keySchema({ name: 'memberId', type: 'S' }, { name: 'pk', type: 'S' }),
      Projection: { ProjectionType: 'ALL' },
    });
  });

  it('mail-outs are an outbox table (stream to the bus), recoverable and retained', () => {
    const mailouts = tableResource('mailouts');
    expect(mailouts.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(mailouts.DeletionPolicy).toBe('Retain');
    expect(stack.outbox.byTable.has('mailouts')).toBe(true);
  });

  it('mail-outs are listed newest first (byCreated) and the due ones found without a scan (due)', () => {
    expect(index('mailouts', 'byCreated')?.KeySchema).toEqual(
      keySchema({ name: 'listPk', type: 'S' }, { name: 'createdAt', type: 'S' }),
    );
    expect(index('mailouts', 'due')?.KeySchema).toEqual(
      keySchema({ name: 'duePk', type: 'S' }, { name: 'dueAt', type: 'S' }),
    );
  });

  it('the members table keeps a sparse audience index (audiencePk, memberId) beside its pending index', () => {
    expect(indexesOf('members').map((i) => i.IndexName)).toEqual(['pending', 'audience']);
    expect(index('members', 'audience')?.KeySchema).toEqual(
      keySchema({ name: 'audiencePk', type: 'S' }, { name: 'memberId', type: 'S' }),
    );
  });
});
