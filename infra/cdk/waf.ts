/**
 * The web application firewall in front of the CloudFront distribution. A CLOUDFRONT-scope WebACL
 * can only be created in us-east-1, so it lives in a small stack of its own there; the main stack
 * reads its ARN through a CDK cross-region reference (an SSM parameter the CDK keeps in sync).
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

/** Requests a single IP may make to `/api/` in five minutes before WAF blocks it. */
export const apiRequestsPerIpPer5Minutes = 300;

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

  constructor(scope: Construct, id: string, props: EdgeSecurityStackProps) {
    super(scope, id, props);
    this.webAcl = new wafv2.CfnWebACL(this, 'SiteFirewall', {
      scope: 'CLOUDFRONT',
      description: `${props.allianceName}: rate limit on /api and AWS common protections`,
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
          name: 'aws-common-rule-set',
          priority: 1,
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
  }
}
