import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { handlerId, routes } from '../../infra/catalogue';
import { apiRequestsPerIpPer5Minutes } from '../../infra/cdk/waf';
import { createGateway } from '../../infra/local/gateway';
import { pageContentSecurityPolicy, sitePageHeaders } from '../../infra/site-headers';
import { originHeaderName } from '../../shared/http/origin-header';
import {
  asArray,
  environmentOf,
  listOf,
  logicalId,
  referencedIds,
  resourcePolicyStatements,
  statementsOfRole,
  synthesise,
} from './synth';

const { stack, edge, template, edgeTemplate, resources, edgeResources } = synthesise();

const managedPolicy = {
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
};

const distributionConfig = () =>
  resources[logicalId(stack.site.distribution)]?.Properties?.DistributionConfig as Record<string, unknown>;

describe('hosted pages and the single public origin', () => {
  it('the pages bucket is private, encrypted, TLS-only and logs its access', () => {
    const bucket = resources[logicalId(stack.site.bucket)];
    expect(bucket?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(referencedIds(bucket?.Properties?.LoggingConfiguration)).toEqual(
      new Set([logicalId(stack.site.logBucket)]),
    );

    const bucketPolicy = resourcePolicyStatements(resources).filter(({ policyId }) =>
      referencedIds(resources[policyId]?.Properties?.Bucket).has(logicalId(stack.site.bucket)),
    );
    const reads = bucketPolicy.filter(({ statement }) => statement.Effect === 'Allow');
    // Only CloudFront, for this distribution, may read the pages.
    expect(reads.map(({ statement }) => statement.Action)).toEqual(['s3:GetObject']);
    expect(JSON.stringify(reads[0]?.statement)).toContain('cloudfront.amazonaws.com');
    expect(referencedIds(reads[0]?.statement.Condition)).toEqual(
      new Set([logicalId(stack.site.distribution)]),
    );
    expect(
      bucketPolicy.some(({ statement }) => statement.Effect === 'Deny' && statement.Action === 's3:*'),
    ).toBe(true);
  });

  it('CloudFront serves index.html from the bucket through Origin Access Control, HTTPS only', () => {
    const config = distributionConfig();
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https' });
    const origins = config.Origins as Array<Record<string, unknown>>;
    const s3Origin = origins.find((origin) =>
      referencedIds(origin.DomainName).has(logicalId(stack.site.bucket)),
    );
    expect(referencedIds(s3Origin?.OriginAccessControlId).size).toBe(1);
    expect(referencedIds(config.Logging)).toEqual(new Set([logicalId(stack.site.logBucket)]));
  });

  it('/api/* goes to the HTTP API uncached, all methods, HTTPS only, with the viewer address', () => {
    const config = distributionConfig();
    const behaviours = config.CacheBehaviors as Array<Record<string, unknown>>;
    expect(behaviours.map((behaviour) => behaviour.PathPattern)).toEqual(['/api/*']);
    const [api] = behaviours;
    expect(api).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: managedPolicy.cachingDisabled,
      OriginRequestPolicyId: managedPolicy.allViewerExceptHostHeader,
      ViewerProtocolPolicy: 'https-only',
    });
    const origin = (config.Origins as Array<Record<string, unknown>>).find(
      (candidate) => candidate.Id === api?.TargetOriginId,
    );
    expect(referencedIds(origin?.DomainName)).toEqual(new Set([logicalId(stack.api.api)]));
    expect(JSON.stringify(origin?.DomainName)).toContain('.execute-api.');
    expect(origin?.CustomOriginConfig).toEqual({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });

    const [association] = listOf<{ EventType: string; FunctionARN: unknown }>(api?.FunctionAssociations);
    expect(association?.EventType).toBe('viewer-request');
    const [functionId] = [...referencedIds(association?.FunctionARN)];
    const code = String(functionId && resources[functionId]?.Properties?.FunctionCode);
    expect(code).toContain("request.headers['true-client-ip'] = { value: event.viewer.ip }");
  });

  it('the WAF sits in us-east-1 with a per-IP rate limit on /api/ and the AWS common rules', () => {
    expect(edge.region).toBe('us-east-1');
    edgeTemplate.resourceCountIs('AWS::WAFv2::WebACL', 1);
    edgeTemplate.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith([
        Match.objectLike({
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: Match.objectLike({
              Limit: apiRequestsPerIpPer5Minutes,
              EvaluationWindowSec: 300,
              AggregateKeyType: 'IP',
              ScopeDownStatement: {
                ByteMatchStatement: Match.objectLike({
                  PositionalConstraint: 'STARTS_WITH',
                  SearchString: '/api/',
                }),
              },
            }),
          },
        }),
        Match.objectLike({
          OverrideAction: { None: {} },
          Statement: {
            ManagedRuleGroupStatement: Match.objectLike({
              VendorName: 'AWS',
              Name: 'AWSManagedRulesCommonRuleSet',
            }),
          },
        }),
      ]),
    });
  });

  it('the distribution is protected by that WebACL, read from the us-east-1 stack', () => {
    const webAclId = distributionConfig().WebACLId as { 'Fn::GetStackOutput': Record<string, string> };
    const reference = webAclId['Fn::GetStackOutput'];
    expect(reference).toMatchObject({ StackName: edge.stackName, Region: 'us-east-1' });
    const output = edgeTemplate.toJSON().Outputs?.[reference?.OutputName ?? ''];
    expect(output?.Value).toEqual({ 'Fn::GetAtt': [logicalId(edge.webAcl), 'Arn'] });
    expect(edgeResources[logicalId(edge.webAcl)]?.Type).toBe('AWS::WAFv2::WebACL');
  });

  it('links in e-mails point at the site unless a public URL is configured', () => {
    for (const fn of stack.functions.values()) {
      const variables = environmentOf(resources, fn.lambda);
      expect(referencedIds(variables.PUBLIC_BASE_URL)).toEqual(new Set([logicalId(stack.site.distribution)]));
      expect(JSON.stringify(variables.PUBLIC_BASE_URL)).toContain('https://');
    }
  });

  it('the stack tells the operator where everything is', () => {
    const outputs = Object.keys(template.toJSON().Outputs ?? {});
    expect(outputs).toEqual(
      expect.arrayContaining(['SiteUrl', 'UserPoolId', 'UserPoolClientId', 'EventBusName']),
    );
    // The API's own execute-api address refuses callers that are not CloudFront: it is not advertised.
    expect(outputs).not.toContain('ApiUrl');
  });

  it('CloudFront proves itself to the API with the origin secret, read from Secrets Manager at deploy', () => {
    const config = distributionConfig();
    const [api] = config.CacheBehaviors as Array<Record<string, unknown>>;
    const origin = (config.Origins as Array<Record<string, unknown>>).find(
      (candidate) => candidate.Id === api?.TargetOriginId,
    );
    const headers = listOf<{ HeaderName: string; HeaderValue: unknown }>(origin?.OriginCustomHeaders);
    const header = headers.find(({ HeaderName }) => HeaderName === originHeaderName);
    const value = JSON.stringify(header?.HeaderValue);
    // A dynamic reference resolved by CloudFormation: the value itself is never in the template.
    expect(value).toContain('{{resolve:secretsmanager:');
    expect(value).toContain(':SecretString:current:');
    expect(referencedIds(header?.HeaderValue)).toEqual(new Set([logicalId(stack.site.originSecret)]));
    expect(resources[logicalId(stack.site.originSecret)]?.Properties?.GenerateSecretString).toMatchObject({
      GenerateStringKey: 'current',
      SecretStringTemplate: JSON.stringify({ previous: '' }),
    });
  });

  it('every HTTP function (and only those) can read the origin secret and is told where it is', () => {
    const secretId = logicalId(stack.site.originSecret);
    const routeHandlers = new Set(routes.map((route) => handlerId(route)));
    for (const [id, fn] of stack.functions) {
      const variables = environmentOf(resources, fn.lambda);
      const roleId = logicalId(fn.lambda.role as IConstruct);
      const reads = statementsOfRole(resources, roleId).filter(({ statement }) =>
        referencedIds(statement.Resource).has(secretId),
      );
      if (routeHandlers.has(id)) {
        expect(referencedIds(variables.ORIGIN_SECRET_ID), id).toEqual(new Set([secretId]));
        expect(
          reads.map(({ statement }) => statement.Action),
          id,
        ).toEqual(['secretsmanager:GetSecretValue']);
      } else {
        expect(variables.ORIGIN_SECRET_ID, id).toBeUndefined();
        expect(reads, id).toEqual([]);
      }
    }
  });

  it('the pages deployment copies web/ and invalidates the distribution', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: logicalId(stack.site.bucket) },
      DistributionId: { Ref: logicalId(stack.site.distribution) },
      DistributionPaths: ['/*'],
    });
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(asArray(deployment?.DependsOn as string[])).toEqual(
      expect.arrayContaining([expect.stringMatching(/^SitePagesDeploymentRole/)]),
    );
  });
});

describe('security headers of the hosted pages', () => {
  const pagesPolicy = () => {
    const behaviour = distributionConfig().DefaultCacheBehavior as Record<string, unknown>;
    const [policyId] = [...referencedIds(behaviour.ResponseHeadersPolicyId)];
    return resources[policyId ?? '']?.Properties?.ResponseHeadersPolicyConfig as
      | {
          SecurityHeadersConfig?: Record<string, unknown> & { ContentSecurityPolicy?: unknown };
          CustomHeadersConfig?: { Items: Array<Record<string, unknown>> };
        }
      | undefined;
  };

  /** The headers the local gateway sends with a static page. */
  const localPageHeaders = async () => {
    const webDir = mkdtempSync(path.join(tmpdir(), 'pages-'));
    writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>t</title>');
    const server = createGateway({
      routes: [],
      verifyJwt: async () => ({}),
      webDir,
      controls: async () => ({ status: 404, body: null }),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/index.html`);
      await response.text();
      return response.headers;
    } finally {
      server.close();
    }
  };

  it('the pages are served with a Content-Security-Policy and a Permissions-Policy, as locally', async () => {
    const policy = pagesPolicy();
    const csp = policy?.SecurityHeadersConfig?.ContentSecurityPolicy;
    expect(csp).toEqual({
      ContentSecurityPolicy: stack.resolve(pageContentSecurityPolicy(stack.api.signInOrigins)),
      Override: true,
    });
    const custom = policy?.CustomHeadersConfig?.Items ?? [];
    expect(custom).toContainEqual({
      Header: 'Permissions-Policy',
      Value: sitePageHeaders['permissions-policy'],
      Override: true,
    });
    expect(policy?.SecurityHeadersConfig).toMatchObject({
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: sitePageHeaders['referrer-policy'], Override: true },
      StrictTransportSecurity: { Override: true },
    });

    const local = await localPageHeaders();
    for (const [name, value] of Object.entries(sitePageHeaders)) expect(local.get(name)).toBe(value);
  });

  it('the script-free CSP forbids inline script, framing and foreign connections', () => {
    const csp = sitePageHeaders['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self'");
  });
});
