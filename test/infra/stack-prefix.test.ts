import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { type AllianceApp, buildApp } from '../../infra/cdk/app';
import { senderDomain } from '../../infra/cdk/mail';
import { config } from '../../shared/config';
import { type CfnResourceJson, logicalId, synthesise } from './synth';

/** Pseudo parameters that are the same for two stacks in one account and region. */
const sharedPseudo = new Set(['AWS::Region', 'AWS::AccountId', 'AWS::Partition', 'AWS::URLSuffix']);

/** A value fixed at synth: literals, joined with nothing but account-wide pseudo parameters. A Ref or
 * GetAtt of a resource (or AWS::StackName) is a name CloudFormation derives from the stack. */
function fixed(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.every(fixed);
  if (value && typeof value === 'object') {
    return Object.entries(value).every(([key, inner]) => {
      if (key === 'Ref') return typeof inner === 'string' && sharedPseudo.has(inner);
      if (key === 'Fn::GetAtt' || key === 'Fn::GetStackOutput' || key === 'Fn::ImportValue') return false;
      return fixed(inner);
    });
  }
  return true;
}

/**
 * Names that are unique only inside a parent resource (or not unique at all): two alliances cannot
 * clash on them. Anything else named explicitly must differ between two stack prefixes.
 */
const scopedNames = new Set([
  'AWS::Cognito::UserPoolGroup GroupName', // per user pool
  'AWS::ApiGatewayV2::Api Name', // HTTP API names need not be unique
  'AWS::ApiGatewayV2::Authorizer Name', // per API
  'AWS::ApiGatewayV2::Stage StageName', // per API
  'AWS::Logs::LogStream LogStreamName', // per log group
  'AWS::IAM::Policy PolicyName', // per role
  'AWS::SES::ConfigurationSetEventDestination EventDestination.Name', // per configuration set
  'AWS::CloudWatch::Alarm MetricName', // the watched metric's name, not the alarm's
  'AWS::SNS::Topic DisplayName', // the alert e-mails' sender name, not unique
]);

/** Properties that hold a resource's own name one level down. */
const namedContainers = new Set(['DatabaseInput', 'BackupPlan']);

/** Every explicit physical name in the app's templates: `Type Property` → the value. */
function explicitNames(built: AllianceApp): Array<{ where: string; value: string }> {
  const found: Array<{ where: string; value: string }> = [];
  for (const stack of built.app.node.children.filter(Stack.isStack)) {
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, CfnResourceJson>;
    for (const resource of Object.values(resources)) {
      const candidates: Array<[string, unknown]> = [];
      for (const [key, value] of Object.entries(resource.Properties ?? {})) {
        candidates.push([key, value]);
        if (namedContainers.has(key) && value && typeof value === 'object') {
          for (const [inner, innerValue] of Object.entries(value))
            candidates.push([`${key}.${inner}`, innerValue]);
        }
      }
      for (const [key, value] of candidates) {
        if (!/(^|\.)(\w*Name|EmailIdentity)$/.test(key) || !fixed(value)) continue;
        const where = `${resource.Type} ${key}`;
        if (!scopedNames.has(where)) found.push({ where, value: JSON.stringify(value) });
      }
    }
  }
  return found;
}

describe('two alliances in one account (two stack prefixes)', () => {
  const first = synthesise();
  const second = buildApp({
    bundle: false,
    // One more synth is slow enough to share: the second alliance also asks for the vault lock.
    context: { stackPrefix: 'SecondAlliance', backupVaultLock: 'true' },
    outdir: mkdtempSync(path.join(tmpdir(), 'alliance-cdk-second-')),
  });
  const firstNames = explicitNames(first);
  const secondNames = explicitNames(second);

  it('every stack of the second alliance is named by its own prefix', () => {
    expect(second.app.node.children.filter(Stack.isStack).map((stack) => stack.stackName)).toEqual(
      expect.arrayContaining([
        'SecondAlliance',
        'SecondAllianceEdge',
        'SecondAllianceBackup',
        'SecondAllianceMonitoring',
      ]),
    );
  });

  it("`-c backupVaultLock=true` locks that alliance's backup vault, and only that one", () => {
    const lockOf = (built: AllianceApp) =>
      (Template.fromStack(built.backup).toJSON().Resources as Record<string, CfnResourceJson>)[
        logicalId(built.backup.vault)
      ]?.Properties?.LockConfiguration;
    expect(lockOf(second)).toEqual(expect.objectContaining({ MinRetentionDays: 35, ChangeableForDays: 3 }));
    expect(lockOf(first)).toBeUndefined();
  });

  it('the names checked include the bus, the Glue database, the Athena workgroup and the backup vault and plan', () => {
    const where = new Set(firstNames.map((name) => name.where));
    for (const expected of [
      'AWS::Events::EventBus Name',
      'AWS::Glue::Database DatabaseInput.Name',
      'AWS::Athena::WorkGroup Name',
      'AWS::Backup::BackupVault BackupVaultName',
      'AWS::Backup::BackupPlan BackupPlan.BackupPlanName',
      'AWS::CloudWatch::Dashboard DashboardName',
    ]) {
      expect(where, expected).toContain(expected);
    }
    // The default prefix keeps the bus name an existing deployment has (renaming would replace the bus).
    expect(firstNames).toContainEqual({ where: 'AWS::Events::EventBus Name', value: '"alliance"' });
    expect(secondNames).toContainEqual({ where: 'AWS::Events::EventBus Name', value: '"secondalliance"' });
  });

  it('share no explicitly named resource (the SES identity is the sender domain, one per alliance config)', () => {
    const identity = `AWS::SES::EmailIdentity EmailIdentity`;
    const theirs = new Set(secondNames.map(({ where, value }) => `${where} = ${value}`));
    const shared = firstNames
      .map(({ where, value }) => `${where} = ${value}`)
      .filter((name) => theirs.has(name) && !name.startsWith(identity));
    expect(shared).toEqual([]);
    // The identity is named by the domain of `sender.address`: a second alliance deploys with its own
    // alliance.config.json, so its own domain (README).
    expect(firstNames.filter(({ where }) => where === identity).map(({ value }) => value)).toEqual([
      JSON.stringify(senderDomain(config.sender.address)),
    ]);
  });
});
