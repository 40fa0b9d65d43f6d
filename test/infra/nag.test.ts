import type { PolicyViolation } from 'aws-cdk-lib';
import { Stack, Stage, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { routes } from '../../infra/catalogue';
import { routeKey } from '../../infra/cdk/api';
import { synthesise } from './synth';

// Template.fromStack (inside synthesise) has already run synthesis, so constructs CDK adds late
// (custom resource providers, the BucketDeployment handler) are in the tree the pack walks.
const { app, stack, edge, nag } = synthesise();

/**
 * cdk-nag 3 is a policy-validation plugin (Validations.of(app).addPlugins), not an Aspect: its
 * findings come back as a report, not as annotations, and `Validations.of(x).acknowledge` replaces
 * NagSuppressions. This is the report `cdk synth` would fail on.
 */
const report = nag.validateScope(app);
const describeViolation = (violation: PolicyViolation) =>
  `${violation.ruleName} at ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`;

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

const ours = acknowledgements(app).filter(({ id }) => id.startsWith('AwsSolutions-'));

describe('cdk-nag (AwsSolutions)', () => {
  it('reports no errors on either stack', () => {
    const errors = report.violations
      .filter((violation) => violation.severity === 'error')
      .map(describeViolation);
    expect(errors).toEqual([]);
  });

  it('reports no warnings on either stack', () => {
    const warnings = report.violations
      .filter((violation) => violation.severity === 'warning')
      .map(describeViolation);
    expect(warnings).toEqual([]);
  });

  it('no AwsSolutions finding reaches the stacks as an annotation either', () => {
    for (const checked of [stack, edge]) {
      const annotations = Annotations.fromStack(checked);
      expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
      expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    }
  });

  it('the stacks synthesise without any CDK warning or error', () => {
    for (const checked of [stack, edge]) {
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
    // X-Ray's Resource "*" and the site bucket's objects (IAM5), dead-letter queues (SQS3), public
    // catalogue routes (APIG4), the log bucket itself (S1), the default CloudFront certificate
    // (CFR4) and no geo restriction (CFR1), the link-signing key (SMG4).
    const publicRoutes = routes.filter((route) => route.access === 'public');
    expect(ids).toEqual(
      [
        ...(publicRoutes.length ? ['AwsSolutions-APIG4'] : []),
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR4',
        'AwsSolutions-IAM5',
        'AwsSolutions-L1',
        'AwsSolutions-S1',
        'AwsSolutions-SMG4',
        'AwsSolutions-SQS3',
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
});
