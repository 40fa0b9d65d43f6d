/**
 * The DynamoDB tables, one per declaration in the catalogue (the local runtime renders the same
 * list); an outbox table also gets a stream.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type KeyAttribute, type TableDeclaration, type TableName, tables } from '../catalogue';

const attribute = (key: KeyAttribute): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING,
});

export class AllianceTables extends Construct {
  readonly byName: Record<TableName, dynamodb.Table>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const entries = (Object.entries(tables) as Array<[TableName, TableDeclaration]>).map(
      ([name, declaration]) => [name, this.table(name, declaration)] as const,
    );
    this.byName = Object.fromEntries(entries) as Record<TableName, dynamodb.Table>;
  }

  private table(name: TableName, declaration: TableDeclaration): dynamodb.Table {
    const table = new dynamodb.Table(this, name, {
      partitionKey: attribute(declaration.partitionKey),
      sortKey: declaration.sortKey ? attribute(declaration.sortKey) : undefined,
      timeToLiveAttribute: declaration.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Members, consent evidence and counters outlive any one deployment of the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      // An outbox table's stream carries each new outbox item to its pipe (outbox.ts); the new image
      // is all the pipe reads.
      stream: declaration.outbox ? dynamodb.StreamViewType.NEW_IMAGE : undefined,
    });
    for (const index of declaration.globalIndexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    return table;
  }
}
