/**
 * The web application firewall in front of the CloudFront distribution. A CLOUDFRONT-scope WebACL
 * can only be created in us-east-1, so it lives in a small stack of its own there; the main stack
 * reads its ARN through a CDK cross-region reference (an SSM parameter the CDK keeps in sync).
 */
import { ArnFormat, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

/** Requests a single IP may make to `/api/` in five minutes before WAF blocks it. */
export const apiRequestsPerIpPer5Minutes = 300;

/**
 * Requests a single IP may make in five minutes to the routes that send e-mail to an address the
 * caller names (sign-up, sign-in links, RSVP requests) before WAF blocks it: far below the general
 * `/api/` limit, and still room for a room of people behind one festival Wi-Fi address.
 */
export const signUpAndRsvpRequestsPerIpPer5Minutes = 50;

/** `POST /api/members`, `POST /api/members/links` and `POST /api/activities/{id}/rsvps`. */
const mailSendingPaths = '^/api/(members(/links)?|activities/[^/]+/rsvps)$';

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

export interface EdgeSecurityStackProps extends StackProps {
  allianceName: string;
}

export class EdgeSecurityStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;
  readonly webAclArn: string;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EdgeSecurityStackProps) {
    super(scope, id, props);
    this.webAcl = new wafv2.CfnWebACL(this, 'SiteFirewall', {
      scope: 'CLOUDFRONT',
      description: `${props.allianceName}: rate limits on /api and AWS managed protections`,
      defaultAction: { allow: {} },
      visibilityConfig: visibility('alliance-site'),
      rules: [
        {
          name: 'api-rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: apiRequestsPerIpPer5Minutes,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  searchString: '/api/',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility('alliance-api-rate-per-ip'),
        },
        {
          name: 'signup-and-rsvp-rate-per-ip',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: signUpAndRsvpRequestsPerIpPer5Minutes,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                andStatement: {
                  statements: [
                    {
                      byteMatchStatement: {
                        fieldToMatch: { method: {} },
                        positionalConstraint: 'EXACTLY',
                        searchString: 'POST',
                        textTransformations: [{ priority: 0, type: 'NONE' }],
                      },
                    },
                    {
                      regexMatchStatement: {
                        fieldToMatch: { uriPath: {} },
                        regexString: mailSendingPaths,
                        textTransformations: [{ priority: 0, type: 'NONE' }],
                      },
                    },
                  ],
                },
              },
            },
          },
          visibilityConfig: visibility('alliance-signup-rsvp-rate-per-ip'),
        },
        {
          name: 'aws-ip-reputation',
          priority: 2,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' },
          },
          visibilityConfig: visibility('alliance-aws-ip-reputation'),
        },
        {
          name: 'aws-known-bad-inputs',
          priority: 3,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' },
          },
          visibilityConfig: visibility('alliance-aws-known-bad-inputs'),
        },
        {
          name: 'aws-common-rule-set',
          priority: 4,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              // The rule set blocks bodies over 8 KB; the handlers enforce their own body caps
              // (config.limits.maxBodyBytes) and staff mail-out bodies can legitimately be larger.
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: visibility('alliance-aws-common'),
        },
      ],
    });
    this.webAclArn = this.webAcl.attrArn;

    // WAF logs to CloudWatch only into groups named aws-waf-logs-*; the stack name keeps two
    // alliances in one account apart. Logs hold IP addresses and paths, so they expire; the
    // Authorization header (members' and staff's bearer tokens) is never logged.
    const logGroupName = `aws-waf-logs-${this.stackName}`;
    this.logGroup = new logs.LogGroup(this, 'FirewallLogs', {
      logGroupName,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'FirewallLogging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group's ARN without the `:*` that its Arn attribute carries.
      logDestinationConfigs: [
        this.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(this.logGroup);
  }
}
