/**
 * AWS Backup for the alliance tables, in a small stack of its own beside the main one (which is
 * close to CloudFormation's 500-resource limit): an encrypted vault, a plan and a selection of
 * every table by ARN.
 *
 * Point-in-time recovery (on every table) reaches back 35 days; the consent record is legal
 * evidence for longer than that, so the plan keeps a monthly backup for 7 years besides a daily one
 * for 35 days. The vault lock is off unless asked for (`backupVaultLock`): see the README.
 */
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { TableName } from '../catalogue';

/** How long each kind of recovery point is kept. */
export const backupRetention = {
  daily: Duration.days(35),
  /** 7 years: the 6-year limitation period for claims (England and Wales), and a year to notice one. */
  monthly: Duration.days(7 * 365 + 2),
} as const;

/** The vault lock, when `backupVaultLock` asks for it: no recovery point can be deleted before its
 * retention ends, nor kept past the longest one; after `changeableFor` the lock itself is immutable. */
export const vaultLock: backup.LockConfiguration = {
  minRetention: backupRetention.daily,
  maxRetention: backupRetention.monthly,
  changeableFor: Duration.days(3),
};

/**
 * Tables left out of the plan: short-lived operational state (idempotency records and rate-limit
 * counters lapse within hours by TTL), which a restore would not want and which should not outlive
 * their TTL for years in a vault.
 */
export const tablesNotBackedUp: readonly TableName[] = ['idempotency', 'limits'];

export interface AllianceBackupStackProps extends StackProps {
  /** The tables by catalogue name; all but `tablesNotBackedUp` are selected. */
  tables: Partial<Record<TableName, dynamodb.ITable>>;
  allianceName: string;
  /** Lock the vault (compliance mode after 3 days); off by default. */
  vaultLock?: boolean;
}

export class AllianceBackupStack extends Stack {
  readonly key: kms.Key;
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;
  readonly selection: backup.BackupSelection;

  constructor(scope: Construct, id: string, props: AllianceBackupStackProps) {
    super(scope, id, props);
    this.key = new kms.Key(this, 'VaultKey', {
      description: `${props.allianceName}: encrypts the backups of the alliance tables`,
      enableKeyRotation: true,
      // Without the key the retained backups cannot be read.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: this.key,
      // The vault refuses to be deleted while it holds recovery points; keep it with the tables.
      removalPolicy: RemovalPolicy.RETAIN,
      lockConfiguration: props.vaultLock ? vaultLock : undefined,
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `${this.stackName}-tables`,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
          deleteAfter: backupRetention.daily,
        }),
        new backup.BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: events.Schedule.cron({ day: '1', hour: '4', minute: '0' }),
          deleteAfter: backupRetention.monthly,
        }),
      ],
    });
    this.selection = this.plan.addSelection('Tables', {
      resources: (Object.entries(props.tables) as Array<[TableName, dynamodb.ITable | undefined]>)
        .filter(([name]) => !tablesNotBackedUp.includes(name))
        .flatMap(([, table]) => (table ? [backup.BackupResource.fromDynamoDbTable(table)] : [])),
    });
    Validations.of(this.selection.node.findChild('Role')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup assumes this role only to back up the resources the selection names; AWS maintains the policy as services add backup APIs (it grants no restore).',
    });
  }
}
