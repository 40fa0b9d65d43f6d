/**
 * Builds the CDK app once for the infra tests, without bundling (no esbuild, no AWS account), and offers
 * small readers over the synthesised templates.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/cdk/app';

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
}

export interface PolicyStatementJson {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function synthesiseOnce() {
  const built = buildApp({ bundle: false, outdir: mkdtempSync(path.join(tmpdir(), 'alliance-cdk-')) });
  const template = Template.fromStack(built.stack);
  const edgeTemplate = Template.fromStack(built.edge);
  const resources = template.toJSON().Resources as Record<string, CfnResourceJson>;
  const edgeResources = edgeTemplate.toJSON().Resources as Record<string, CfnResourceJson>;
  return { ...built, template, edgeTemplate, resources, edgeResources };
}

let synthesised: ReturnType<typeof synthesiseOnce> | undefined;

/**
 * The app, synthesised once for every infra test file (the project runs them in one module
 * registry, `isolate: false`): a synth takes seconds, and no test changes the app (a test that
 * plants a fault builds an app of its own).
 */
export function synthesise() {
  synthesised ??= synthesiseOnce();
  return synthesised;
}

/** The logical id CloudFormation knows a construct by (the construct or its default child). */
export function logicalId(construct: IConstruct): string {
  const element = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (!element || !CfnElement.isCfnElement(element))
    throw new Error(`${construct.node.path} has no CloudFormation element`);
  return (element.stack as Stack).getLogicalId(element);
}

/** Every logical id a template value points at through Ref or Fn::GetAtt (pseudo parameters left out). */
export function referencedIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') {
        if (!inner.startsWith('AWS::')) found.add(inner);
      } else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string')
        found.add(inner[0]);
      else referencedIds(inner, found);
    }
  }
  return found;
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every statement of every identity policy (standalone or inline in a role) in a template. */
export function identityStatements(resources: Record<string, CfnResourceJson>): Array<{
  policyId: string;
  statement: PolicyStatementJson;
}> {
  const found: Array<{ policyId: string; statement: PolicyStatementJson }> = [];
  for (const [id, resource] of Object.entries(resources)) {
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push(resource.Properties?.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const inline of asArray(
        resource.Properties?.Policies as Array<{ PolicyDocument: unknown }> | undefined,
      )) {
        documents.push(inline.PolicyDocument);
      }
    }
    for (const document of documents) {
      const statements = (document as { Statement?: PolicyStatementJson[] } | undefined)?.Statement ?? [];
      for (const statement of statements) found.push({ policyId: id, statement });
    }
  }
  return found;
}

/** Statements of resource policies (bucket, queue, ...) — they carry a PolicyDocument too. */
export function resourcePolicyStatements(resources: Record<string, CfnResourceJson>): Array<{
  policyId: string;
  statement: PolicyStatementJson;
}> {
  const found: Array<{ policyId: string; statement: PolicyStatementJson }> = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type.startsWith('AWS::IAM::')) continue;
    const document = resource.Properties?.PolicyDocument as { Statement?: PolicyStatementJson[] } | undefined;
    for (const statement of document?.Statement ?? []) found.push({ policyId: id, statement });
  }
  return found;
}

/** Identity-policy statements of one role: inline, in AWS::IAM::Policy resources naming it, and in
 * the customer-managed policies it lists. */
export function statementsOfRole(
  resources: Record<string, CfnResourceJson>,
  roleId: string,
): Array<{ policyId: string; statement: PolicyStatementJson }> {
  const managed = referencedIds(resources[roleId]?.Properties?.ManagedPolicyArns);
  return identityStatements(resources).filter(({ policyId }) => {
    const resource = resources[policyId];
    if (!resource) return false;
    if (resource.Type === 'AWS::IAM::Role') return policyId === roleId;
    if (resource.Type === 'AWS::IAM::ManagedPolicy') return managed.has(policyId);
    return referencedIds(resource.Properties?.Roles).has(roleId);
  });
}

/** A template value that should be a list, as a list (empty when it is missing). */
export const listOf = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** The environment variables of a Lambda function construct, as synthesised. */
export function environmentOf(
  resources: Record<string, CfnResourceJson>,
  fn: IConstruct,
): Record<string, unknown> {
  const environment = resources[logicalId(fn)]?.Properties?.Environment as
    | { Variables?: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}
