import { describe, expect, it } from 'vitest';
import { signUpAndRsvpRequestsPerIpPer5Minutes } from '../../infra/cdk/waf';
import { type CfnResourceJson, logicalId, synthesise } from './synth';

const { edge, edgeResources } = synthesise();

interface Match {
  FieldToMatch: unknown;
  PositionalConstraint?: string;
  SearchString?: string;
  RegexString?: string;
}
interface Statement {
  ByteMatchStatement?: Match;
  RegexMatchStatement?: Match;
  ManagedRuleGroupStatement?: { VendorName: string; Name: string };
  RateBasedStatement?: {
    Limit: number;
    ScopeDownStatement?: { AndStatement?: { Statements: Statement[] } };
  };
}
interface Rule {
  Priority: number;
  Action?: unknown;
  Statement: Statement;
}
const rules = () => (edgeResources[logicalId(edge.webAcl)]?.Properties?.Rules ?? []) as Rule[];
const ofType = (type: string) =>
  Object.values(edgeResources).filter((resource: CfnResourceJson) => resource.Type === type);

/** The sign-up, link and RSVP scope of the tight rate rule, applied to a method and a path. */
function inTightScope(rule: Rule, method: string, path: string): boolean {
  const scope = rule.Statement.RateBasedStatement?.ScopeDownStatement?.AndStatement?.Statements ?? [];
  expect(scope).toHaveLength(2);
  return scope.every((statement) => {
    if (statement.ByteMatchStatement) {
      const match = statement.ByteMatchStatement;
      expect(match.FieldToMatch).toEqual({ Method: {} });
      expect(match.PositionalConstraint).toBe('EXACTLY');
      return method === match.SearchString;
    }
    const match = statement.RegexMatchStatement as Match;
    expect(match.FieldToMatch).toEqual({ UriPath: {} });
    return new RegExp(match.RegexString ?? '').test(path);
  });
}

describe('the web application firewall', () => {
  it('blocks known bad inputs and addresses on the AWS IP reputation list', () => {
    const managed = rules()
      .map((rule) => rule.Statement.ManagedRuleGroupStatement)
      .filter((group) => group !== undefined)
      .map((group) => `${group.VendorName}/${group.Name}`);
    expect(managed).toEqual(
      expect.arrayContaining([
        'AWS/AWSManagedRulesCommonRuleSet',
        'AWS/AWSManagedRulesKnownBadInputsRuleSet',
        'AWS/AWSManagedRulesAmazonIpReputationList',
      ]),
    );
    const priorities = rules().map((rule) => rule.Priority);
    expect(new Set(priorities).size).toBe(priorities.length);
  });

  it('a tighter per-IP rate limit applies to sign-ups, sign-in links and RSVP requests only', () => {
    const tight = rules().find(
      (rule) =>
        rule.Statement.RateBasedStatement?.Limit === signUpAndRsvpRequestsPerIpPer5Minutes &&
        rule.Statement.RateBasedStatement.ScopeDownStatement?.AndStatement !== undefined,
    );
    expect(tight).toBeDefined();
    expect(tight?.Action).toEqual({ Block: {} });
    expect(tight?.Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'IP',
      EvaluationWindowSec: 300,
    });
    expect(signUpAndRsvpRequestsPerIpPer5Minutes).toBeLessThan(100);

    const rule = tight as Rule;
    expect(inTightScope(rule, 'POST', '/api/members')).toBe(true);
    expect(inTightScope(rule, 'POST', '/api/members/links')).toBe(true);
    expect(inTightScope(rule, 'POST', '/api/activities/act-123/rsvps')).toBe(true);
    expect(inTightScope(rule, 'GET', '/api/members')).toBe(false);
    expect(inTightScope(rule, 'POST', '/api/members/links/extra')).toBe(false);
    expect(inTightScope(rule, 'POST', '/api/activities/a/b/rsvps')).toBe(false);
    expect(inTightScope(rule, 'GET', '/api/activities')).toBe(false);
    expect(inTightScope(rule, 'POST', '/api/activities')).toBe(false);
  });

  it('logs to a CloudWatch log group named aws-waf-logs-<stack>, without the Authorization header', () => {
    const [logGroup] = ofType('AWS::Logs::LogGroup');
    expect(logGroup?.Properties?.LogGroupName).toBe(`aws-waf-logs-${edge.stackName}`);
    expect(logGroup?.Properties?.RetentionInDays).toBeGreaterThan(0);
    const [logging] = ofType('AWS::WAFv2::LoggingConfiguration');
    expect(logging?.Properties?.ResourceArn).toEqual({ 'Fn::GetAtt': [logicalId(edge.webAcl), 'Arn'] });
    expect(JSON.stringify(logging?.Properties?.LogDestinationConfigs)).toContain(
      `log-group:aws-waf-logs-${edge.stackName}`,
    );
    expect(JSON.stringify(logging?.Properties?.LogDestinationConfigs)).not.toContain(':*');
    expect(logging?.Properties?.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
  });
});
