import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PolicyViolation } from 'aws-cdk-lib';
import { Duration, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { handlerId, routes, schedules, subscriptions } from '../../infra/catalogue';
import { routeKey } from '../../infra/cdk/api';
import { type AllianceApp, buildApp } from '../../infra/cdk/app';
import { logicalId, referencedIds, synthesise } from './synth';

// Template.fromStack (inside synthesise) has already run synthesis, so constructs CDK adds late
// (custom resource providers, the BucketDeployment handler) are in the tree the pack walks.
const { app, stack, edge, backup, monitoring, nag, resources } = synthesise();

/**
 * cdk-nag 3 packs are policy-validation plugins (Validations.of(app).addPlugins), not Aspects: their
 * findings come back as reports, not as annotations, and `Validations.of(x).acknowledge` replaces
 * NagSuppressions. These are the reports `cdk synth` would fail on.
 */
const packsOf = (built: Pick<AllianceApp, 'nag'>) => [built.nag.awsSolutions, built.nag.serverless];
const violationsIn = (built: Pick<AllianceApp, 'app' | 'nag'>) =>
  packsOf(built).flatMap((pack) => pack.validateScope(built.app).violations);
const describeViolation = (violation: PolicyViolation) =>
  `${violation.ruleName} at ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`;
/** What fails `cdk synth`: the findings of either pack at the given severity, described. The real
 * stacks and the planted faults below go through this same check. */
const findingsIn = (built: Pick<AllianceApp, 'app' | 'nag'>, severity: 'error' | 'warning') =>
  violationsIn(built)
    .filter((violation) => violation.severity === severity)
    .map(describeViolation);

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
  construct: IConstruct;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [qualifiedId, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({
          path: construct.node.path,
          id: qualifiedId.replace(/^annotation::/i, ''),
          reason,
          construct,
        });
      }
    }
  }
  return found;
}

const packPrefixes = /^(AwsSolutions|Serverless)-/;
const ours = acknowledgements(app).filter(({ id }) => packPrefixes.test(id));
const acknowledged = (ruleId: string) => ours.filter(({ id }) => id === ruleId);

describe('cdk-nag (AwsSolutions and Serverless)', () => {
  it('both packs check the app', () => {
    expect(packsOf({ nag }).map((pack) => pack.readPackName)).toEqual(['AwsSolutions', 'Serverless']);
  });

  it('reports no errors on either stack', () => {
    expect(findingsIn({ app, nag }, 'error')).toEqual([]);
  });

  it('reports no warnings on either stack', () => {
    expect(findingsIn({ app, nag }, 'warning')).toEqual([]);
  });

  it('no finding of either pack reaches the stacks as an annotation either', () => {
    for (const checked of [stack, edge, backup, monitoring]) {
      const annotations = Annotations.fromStack(checked);
      for (const pattern of ['AwsSolutions-.*', 'Serverless-.*']) {
        expect(annotations.findError('*', Match.stringLikeRegexp(pattern))).toEqual([]);
        expect(annotations.findWarning('*', Match.stringLikeRegexp(pattern))).toEqual([]);
      }
    }
  });

  it('the stacks synthesise without any CDK warning or error', () => {
    for (const checked of [stack, edge, backup, monitoring]) {
      const annotations = Annotations.fromStack(checked);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    }
  });

  it('every acknowledged finding says why, in a sentence an operator can check', () => {
    expect(ours.length).toBeGreaterThan(0);
    for (const { path, id, reason } of ours) {
      expect(reason.trim().length, `${id} at ${path}`).toBeGreaterThanOrEqual(20);
    }
  });

  it('findings are acknowledged on the resource they excuse, never for a whole stack or app', () => {
    for (const { path, id, construct } of ours) {
      expect(Stack.isStack(construct) || Stage.isStage(construct), `${id} at ${path}`).toBe(false);
    }
  });

  it('only findings with a known justification are acknowledged', () => {
    const ids = [...new Set(ours.map(({ id }) => id.replace(/\[.*\]$/, '')))].sort();
    // Each of these is explained where it is acknowledged: Node.js 22 fixed by DESIGN.md (L1),
    // X-Ray's and ses:GetAccount's Resource "*" and the site bucket's objects (IAM5), dead-letter queues (SQS3), public
    // catalogue routes (APIG4), the log bucket itself (S1), the default CloudFront certificate
    // (CFR4) and no geo restriction (CFR1), the link-signing key (SMG4), AWS Backup's service role (IAM4).
    // Serverless: Node.js 22 again (LambdaLatestVersion); no Lambda dead-letter queue where nothing
    // invokes the function asynchronously (LambdaDLQ); no on-failure destination where SQS event
    // sources take none (LambdaEventSourceMappingDestination); dead-letter queues without a redrive
    // of their own (SQSRedrivePolicy); no X-Ray in aws-cdk-lib's deploy-time handler (LambdaTracing).
    const publicRoutes = routes.filter((route) => route.access === 'public');
    expect(ids).toEqual(
      [
        ...(publicRoutes.length ? ['AwsSolutions-APIG4'] : []),
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR4',
        'AwsSolutions-IAM4',
        'AwsSolutions-IAM5',
        'AwsSolutions-L1',
        'AwsSolutions-S1',
        'AwsSolutions-SMG4',
        'AwsSolutions-SQS3',
        'Serverless-LambdaDLQ',
        ...(subscriptions.length ? ['Serverless-LambdaEventSourceMappingDestination'] : []),
        'Serverless-LambdaLatestVersion',
        'Serverless-LambdaTracing',
        'Serverless-SQSRedrivePolicy',
        ...(monitoring.alertSubscription ? ['Serverless-SNSRedrivePolicy'] : []),
      ].sort(),
    );
    const wildcardResources = ours.filter(({ id }) => id.startsWith('AwsSolutions-IAM5'));
    for (const { id } of wildcardResources) expect(id).not.toMatch(/Action::/);
  });

  it('only the public routes of the catalogue are excused from having an authorizer', () => {
    const excused = ours
      .filter(({ id }) => id === 'AwsSolutions-APIG4')
      .map(({ construct }) => [...stack.api.routesByKey].find(([, route]) => route === construct)?.[0])
      .sort();
    const publicKeys = routes
      .filter((route) => route.access === 'public')
      .map(routeKey)
      .sort();
    expect(excused).toEqual(publicKeys);
  });

  it('only functions nothing invokes asynchronously go without a dead-letter queue', () => {
    const scheduled = new Set(schedules.map(handlerId));
    const synchronous = new Set([...routes, ...subscriptions].map(handlerId));
    for (const { path: excusedPath, construct } of acknowledged('Serverless-LambdaDLQ')) {
      const fn = [...stack.functions.values()].find((candidate) => candidate.lambda === construct);
      if (!fn) {
        // aws-cdk-lib's pages deployment handler, run by CloudFormation during a deployment.
        expect(construct.node.id, excusedPath).toMatch(/^Custom::CDKBucketDeployment/);
        continue;
      }
      expect(synchronous.has(fn.handlerId), excusedPath).toBe(true);
      expect(scheduled.has(fn.handlerId), excusedPath).toBe(false);
    }
  });

  it('only dead-letter queues go without a redrive policy of their own', () => {
    const deadLetterIds = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (key === 'DeadLetterConfig' || key === 'deadLetterTargetArn')
            referencedIds(inner, deadLetterIds);
          else collect(inner);
        }
      }
    };
    collect(resources);
    const excused = [...acknowledged('Serverless-SQSRedrivePolicy'), ...acknowledged('AwsSolutions-SQS3')];
    expect(excused.length).toBeGreaterThan(0);
    for (const { path: excusedPath, construct } of excused) {
      expect(construct).toBeInstanceOf(sqs.Queue);
      expect(deadLetterIds.has(logicalId(construct)), excusedPath).toBe(true);
    }
  });
});

describe('cdk-nag still catches a fault planted in the stack', () => {
  const planted = buildApp({ bundle: false, outdir: mkdtempSync(path.join(tmpdir(), 'alliance-nag-')) });
  // A consumer's queue without a dead-letter queue or TLS, a function with none of the house
  // defaults, and a rule whose target has no dead-letter queue.
  const queue = new sqs.Queue(planted.stack, 'PlantedQueueWithoutDeadLetters', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
  });
  const fn = new lambda.Function(planted.stack, 'PlantedFunctionWithoutDefaults', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => {};'),
    timeout: Duration.seconds(10),
  });
  new events.Rule(planted.stack, 'PlantedRuleWithoutDeadLetters', {
    eventBus: planted.stack.events.bus,
    eventPattern: { source: ['alliance.planted'] },
    targets: [new targets.SqsQueue(queue)],
  });
  // A bucket that takes plain-HTTP requests and keeps no access logs, and a policy that grants every
  // S3 action on every resource.
  const bucket = new s3.Bucket(planted.stack, 'PlantedBucketWithoutTlsOrLogs');
  const wildcard = new iam.Policy(planted.stack, 'PlantedWildcardPolicy', {
    statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })],
  });
  wildcard.attachToRole(
    new iam.Role(planted.stack, 'PlantedRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    }),
  );
  const plantedViolations = violationsIn(planted);
  const rulesAt = (construct: IConstruct) =>
    plantedViolations
      .filter((violation) =>
        violation.violatingResources.some((resource) =>
          (resource.constructPath ?? '').startsWith(`${construct.node.path}/`),
        ),
      )
      .map((violation) => violation.ruleName);

  it('the check the real stacks pass fails the app with the planted faults', () => {
    const errors = findingsIn(planted, 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const rule of ['AwsSolutions-S10', 'AwsSolutions-IAM5', 'AwsSolutions-SQS3'])
      expect(
        errors.some((error) => error.startsWith(rule)),
        rule,
      ).toBe(true);
  });

  it('a bucket without TLS enforcement or access logs, and a wildcard grant, are reported', () => {
    expect(rulesAt(bucket)).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
    // The wildcard finding names what it found: AwsSolutions-IAM5[Action::s3:*], ...[Resource::*].
    expect(rulesAt(wildcard).some((rule) => rule.startsWith('AwsSolutions-IAM5'))).toBe(true);
  });

  it('a queue without a dead-letter queue is reported by both packs', () => {
    expect(rulesAt(queue)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4', 'Serverless-SQSRedrivePolicy']),
    );
  });

  it('a function without a dead-letter queue, tracing or memory setting is reported by the Serverless pack', () => {
    expect(rulesAt(fn)).toEqual(
      expect.arrayContaining([
        'Serverless-LambdaDLQ',
        'Serverless-LambdaTracing',
        'Serverless-LambdaDefaultMemorySize',
        'Serverless-LambdaLatestVersion',
      ]),
    );
  });

  it('a rule target without a dead-letter queue is reported by the Serverless pack', () => {
    const rule = planted.stack.node.findChild('PlantedRuleWithoutDeadLetters');
    expect(rulesAt(rule)).toContain('Serverless-EventBusDLQ');
  });

  it('nothing but the planted faults is reported', () => {
    const plantedPaths = [
      'PlantedQueueWithoutDeadLetters',
      'PlantedFunctionWithoutDefaults',
      'PlantedRuleWithoutDeadLetters',
      'PlantedBucketWithoutTlsOrLogs',
      'PlantedWildcardPolicy',
      'PlantedRole',
    ].map((id) => `${planted.stack.node.path}/${id}`);
    const elsewhere = plantedViolations.flatMap((violation) =>
      violation.violatingResources
        .filter(
          (resource) =>
            !plantedPaths.some((prefix) => (resource.constructPath ?? '').startsWith(`${prefix}/`)),
        )
        .map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
    expect(elsewhere).toEqual([]);
  });
});
