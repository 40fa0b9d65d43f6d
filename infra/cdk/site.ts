/**
 * The hosted pages and the single public origin: a private bucket behind CloudFront (Origin Access
 * Control), with `/api/*` routed to the HTTP API on the same origin, behind the WAF.
 */
import { existsSync } from 'node:fs';
import { Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { originHeaderName } from '../../shared/http/origin-header';
import { buildConsole, consoleSourcesExcluded } from '../console-build';
import { pageContentSecurityPolicy, sitePageHeaders } from '../site-headers';

/**
 * Runs at the edge before `/api/*` requests: the viewer's IP in `true-client-ip`, overwriting
 * whatever the client sent, so per-IP limits in the handlers see the real caller. (Origin request
 * policies cannot forward the Authorization header together with CloudFront-Viewer-Address while
 * leaving out Host, which API Gateway needs to be its own.)
 */
const viewerAddressCode = `
function handler(event) {
  var request = event.request;
  request.headers['true-client-ip'] = { value: event.viewer.ip };
  return request;
}
`;

export interface AllianceSiteProps {
  api: apigwv2.IHttpApi;
  /** The folder with the hosted pages (`web/`). */
  pagesDir: string;
  /** ARN of the CLOUDFRONT-scope WebACL (it lives in us-east-1). */
  webAclArn: string;
  allianceName: string;
  /** Origins outside the site the pages may `fetch` from (CSP connect-src): the console's sign-in. */
  connectSources?: readonly string[];
  /** Files written as JSON into the site bucket beside web/, by object key (tokens resolve at deploy). */
  jsonFiles?: Readonly<Record<string, unknown>>;
}

export class AllianceSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly deployment: s3deploy.BucketDeployment;
  readonly deploymentRole: iam.Role;
  /** `{ current, previous }`: CloudFront sends `current` in the origin header; the API accepts both. */
  readonly originSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: AllianceSiteProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!existsSync(props.pagesDir)) {
      throw new Error(
        `the hosted pages folder ${props.pagesDir} is missing: it is deployed to the site bucket`,
      );
    }

    // Access logs of the bucket and of CloudFront. CloudFront's standard logs need ACLs, hence
    // BUCKET_OWNER_PREFERRED. They hold IP addresses, so they expire.
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket itself; logging its own access into itself would recurse and another log bucket would only move the question.',
    });

    this.bucket = new s3.Bucket(this, 'Pages', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'pages-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const viewerAddress = new cloudfront.Function(this, 'ViewerAddress', {
      comment: 'Puts the viewer IP in true-client-ip for /api/*',
      code: cloudfront.FunctionCode.fromInline(viewerAddressCode),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });

    // The pages' headers, the same the local gateway sends (infra/site-headers.ts), plus HSTS.
    const pagesHeaders = new cloudfront.ResponseHeadersPolicy(this, 'PagesHeaders', {
      comment: 'CSP, Permissions-Policy and security headers of the hosted pages',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: pageContentSecurityPolicy(props.connectSources),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: sitePageHeaders['permissions-policy'], override: true },
        ],
      },
    });

    // CloudFront proves to the API that a request came through it (and so through the WAF): the
    // secret's `current` value in a header. `-c originSecretVersion=<VersionId>` pins the version
    // CloudFront reads, so that a rotation (README) changes the template and reaches the edge.
    this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: `${props.allianceName}: header value by which the API knows a request came through CloudFront`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ previous: '' }),
        generateStringKey: 'current',
        passwordLength: 48,
        excludePunctuation: true,
      },
    });
    Validations.of(this.originSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is a two-step hand-over (new value in the secret, then the distribution re-deployed with it) documented in the README; the API accepts the current and the previous value meanwhile.',
    });
    const originSecretVersion: unknown = this.node.tryGetContext('originSecretVersion');
    const originHeaderValue = SecretValue.secretsManager(this.originSecret.secretArn, {
      jsonField: 'current',
      ...(typeof originSecretVersion === 'string' && originSecretVersion.length > 0
        ? { versionId: originSecretVersion }
        : {}),
    });

    const apiDomain = `${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.allianceName.slice(0, 128),
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      webAclId: props.webAclArn,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: pagesHeaders,
        compress: true,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new origins.HttpOrigin(apiDomain, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
            customHeaders: { [originHeaderName]: originHeaderValue.unsafeUnwrap() },
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          // Every viewer header (Authorization included) except Host: API Gateway answers only to its own host name.
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
          functionAssociations: [
            { function: viewerAddress, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
          ],
        },
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geo restriction: members, festival attendees and partners join from anywhere; abuse is handled by the WAF rate rule instead.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum viewer protocol; a custom domain with its own certificate (TLSv1.2_2021) is a deployment choice outside this stack.',
      },
    );

    this.deploymentRole = new iam.Role(this, 'PagesDeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the hosted pages into the site bucket and invalidates the distribution',
    });
    this.deployment = this.deployPages(props.pagesDir, this.deploymentRole, props.jsonFiles ?? {});
  }

  /**
   * BucketDeployment with a role of our own: CDK's default grants `s3:GetObject*`, `s3:List*`,
   * `s3:DeleteObject*` and CloudFront invalidation on `*`. The handler only copies the pages zip,
   * syncs it into the bucket (list, put, delete) and invalidates this distribution. The JSON files
   * are zips of their own (staged by BucketDeployment), each readable by its exact key.
   */
  private deployPages(
    pagesDir: string,
    role: iam.Role,
    jsonFiles: Readonly<Record<string, unknown>>,
  ): s3deploy.BucketDeployment {
    // The console's scripts are built from web/console/src/ first; the sources themselves stay home.
    buildConsole();
    const pages = new s3assets.Asset(this, 'PagesAsset', { path: pagesDir, exclude: consoleSourcesExcluded });
    const logGroup = new logs.LogGroup(this, 'PagesDeploymentLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
    });
    logGroup.grantWrite(role);
    const readSources = new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [pages.bucket.arnForObjects(pages.s3ObjectKey)],
    });
    role.addToPrincipalPolicy(readSources);
    // The role passed to BucketDeployment takes no grants, so a source staged by BucketDeployment
    // itself (Source.jsonData) is made readable here, by its own object key only.
    const readable = (source: s3deploy.ISource): s3deploy.ISource => ({
      bind: (scope, context) => {
        const bound = source.bind(scope, context);
        readSources.addResources(bound.bucket.arnForObjects(bound.zipObjectKey));
        return bound;
      },
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        resources: [this.distribution.distributionArn],
      }),
    );
    const bucketLogicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`,
      reason:
        'The pages deployment writes and prunes whatever files web/ holds, so it needs put/delete on the objects of the site bucket (and of no other bucket).',
    });

    const deployment = new s3deploy.BucketDeployment(this, 'PagesDeployment', {
      sources: [
        s3deploy.Source.bucket(pages.bucket, pages.s3ObjectKey),
        ...Object.entries(jsonFiles).map(([key, content]) =>
          readable(s3deploy.Source.jsonData(key, content)),
        ),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      // Grants CDK would add are dropped: the role above already holds exactly what is needed.
      role: role.withoutPolicyUpdates(),
      logGroup,
      memoryLimit: 512,
    });
    // The custom resource must not run before the role's policy exists.
    deployment.node.addDependency(role);

    // BucketDeployment's handler is a singleton at stack level whose runtime aws-cdk-lib chooses.
    const runtimeReason =
      "The runtime of BucketDeployment's handler is chosen by aws-cdk-lib and cannot be set; it follows aws-cdk-lib upgrades.";
    for (const child of Stack.of(this).node.children) {
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
        Validations.of(child).acknowledge({ id: 'AwsSolutions-L1', reason: runtimeReason });
        Validations.of(child).acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: runtimeReason });
        Validations.of(child).acknowledge({
          id: 'Serverless-LambdaDLQ',
          reason:
            "BucketDeployment's handler runs only as a CloudFormation custom resource during a deployment: a failure fails the stack operation, which the operator sees and retries; a dead-letter queue would hold nothing anyone acts on.",
        });
        Validations.of(child).acknowledge({
          id: 'Serverless-LambdaTracing',
          reason:
            "BucketDeployment's handler is aws-cdk-lib's deploy-time copy of web/ into the bucket, not part of any request or event path; its log group (a month's retention) is what explains a failed copy.",
        });
      }
    }
    return deployment;
  }
}
