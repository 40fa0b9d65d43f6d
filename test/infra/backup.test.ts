import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import type { TableName } from '../../infra/catalogue';
import { AllianceBackupStack, tablesNotBackedUp } from '../../infra/cdk/backup';
import { type CfnResourceJson, listOf, logicalId, referencedIds, synthesise } from './synth';

const { stack, backup } = synthesise();
const backupTemplate = Template.fromStack(backup);
const backupResources = backupTemplate.toJSON().Resources as Record<string, CfnResourceJson>;
const allianceOutputs = Template.fromStack(stack).toJSON().Outputs as Record<string, { Value: unknown }>;
/** Point-in-time recovery reaches back this far (the tables have it on). */
const pitrDays = 35;

interface PlanRule {
  RuleName: string;
  ScheduleExpression: string;
  Lifecycle?: { DeleteAfterDays?: number };
  TargetBackupVault: unknown;
}

describe('AWS Backup of the alliance tables', () => {
  it('lives in a stack of its own, beside the main stack (which stays under 500 resources)', () => {
    expect(backup.stackName).toBe(`${stack.stackName}Backup`);
    expect(backup.region).toBe(stack.region);
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources).length).toBeLessThan(500);
  });

  it('keeps daily backups for 35 days and monthly ones for 7 years: consent evidence outlives point-in-time recovery', () => {
    const plan = backupResources[logicalId(backup.plan)];
    const rules = listOf<PlanRule>(
      (plan?.Properties?.BackupPlan as { BackupPlanRule?: unknown })?.BackupPlanRule,
    );
    const byName = Object.fromEntries(rules.map((rule) => [rule.RuleName, rule]));
    expect(byName.Daily?.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(byName.Daily?.Lifecycle?.DeleteAfterDays).toBe(35);
    expect(byName.Monthly?.ScheduleExpression).toBe('cron(0 4 1 * ? *)');
    expect(byName.Monthly?.Lifecycle?.DeleteAfterDays).toBeGreaterThanOrEqual(7 * 365);
    expect(Math.max(...rules.map((rule) => rule.Lifecycle?.DeleteAfterDays ?? 0))).toBeGreaterThan(pitrDays);
    for (const rule of rules) {
      expect(referencedIds(rule.TargetBackupVault)).toEqual(new Set([logicalId(backup.vault)]));
    }
  });

  it('the vault is encrypted with a rotated key of its own, and both outlive the stack', () => {
    const vault = backupResources[logicalId(backup.vault)];
    expect(referencedIds(vault?.Properties?.EncryptionKeyArn)).toEqual(new Set([logicalId(backup.key)]));
    expect(backupResources[logicalId(backup.key)]?.Properties?.EnableKeyRotation).toBe(true);
    expect(vault?.DeletionPolicy).toBe('Retain');
    expect(backupResources[logicalId(backup.key)]?.DeletionPolicy).toBe('Retain');
  });

  it('selects every table that holds lasting data, by ARN, and none of the short-lived ones', () => {
    const selection = backupResources[logicalId(backup.selection)];
    const selected = listOf<{ 'Fn::GetStackOutput'?: { OutputName: string } }>(
      (selection?.Properties?.BackupSelection as { Resources?: unknown })?.Resources,
    ).map((resource) => {
      const output = resource['Fn::GetStackOutput']?.OutputName;
      return [...referencedIds(output ? allianceOutputs[output]?.Value : resource)];
    });
    const tableIds = (Object.entries(stack.tables.byName) as Array<[TableName, dynamodb.Table]>)
      .filter(([name]) => !tablesNotBackedUp.includes(name))
      .map(([, table]) => [logicalId(table)]);
    expect(selected.sort()).toEqual(tableIds.sort());
    expect(selected.length).toBeGreaterThanOrEqual(6);
    expect(tablesNotBackedUp).toEqual(['idempotency', 'limits']);
  });

  it('the vault is not locked unless asked for (README: why, and how)', () => {
    const vault = backupResources[logicalId(backup.vault)];
    expect(vault?.Properties?.LockConfiguration).toBeUndefined();
  });

  it('a locked vault refuses deletions before 35 days and retention past 7 years, immutable after 3 days', () => {
    const app = new App();
    const source = new Stack(app, 'Source');
    const members = new dynamodb.Table(source, 'Members', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    const locked = new AllianceBackupStack(app, 'LockedBackup', {
      allianceName: 'Test alliance',
      tables: { members },
      vaultLock: true,
    });
    const vault = Template.fromStack(locked).toJSON().Resources[logicalId(locked.vault)] as CfnResourceJson;
    expect(vault.Properties?.LockConfiguration).toEqual({
      MinRetentionDays: 35,
      MaxRetentionDays: 7 * 365 + 2,
      ChangeableForDays: 3,
    });
  });
});
