/**
 * The CDK app: the alliance stack in the configured region, and the WAF stack in us-east-1 (where
 * CLOUDFRONT-scope WebACLs must live). cdk-nag's AwsSolutions and Serverless packs check both at
 * synth.
 *
 *   npm run synth                     bundles the handlers with the local esbuild, no AWS account needed
 *   cdk deploy -c account=123456789012 -c publicBaseUrl=https://alliance.example.org --all
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { evidenceConfigProblems } from '../../functions/exports/domain/evidence';
import { config } from '../../shared/config';
import { AllianceStack } from './alliance-stack';
import { AllianceBackupStack } from './backup';
import { AllianceMonitoringStack, monitoredResourcesOf } from './monitoring';
import { EdgeSecurityStack } from './waf';

export interface BuildAppOptions {
  /** Run esbuild for the functions (default true). Tests pass false: templates only, no bundles. */
  bundle?: boolean;
  /** Extra context, as `-c key=value` would give. */
  context?: Record<string, unknown>;
  /** Where the cloud assembly goes (default: CDK's choice, `cdk.out` under the CLI). */
  outdir?: string;
}

export interface AllianceApp {
  app: App;
  stack: AllianceStack;
  edge: EdgeSecurityStack;
  /** AWS Backup for the tables, beside the main stack (which is close to the 500-resource limit). */
  backup: AllianceBackupStack;
  /** Alarms (to an SNS topic) and the dashboard, beside the main stack for the same reason. */
  monitoring: AllianceMonitoringStack;
  /** The cdk-nag packs `cdk synth` validates the app with. */
  nag: { awsSolutions: AwsSolutionsChecks; serverless: ServerlessChecks };
}

const contextString = (app: App, key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

/**
 * Feature flags set here rather than in cdk.json, so that tests (which do not read cdk.json) build
 * the same templates as `cdk synth`.
 */
const featureFlags = {
  // S3 server access logs delivered under a bucket policy, not the deprecated LogDeliveryWrite ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // The WebACL ARN crosses from us-east-1 by Fn::GetStackOutput instead of the strong mechanism's
  // pair of custom resources (Lambda functions with AWS-managed policies, an SSM parameter each side).
  '@aws-cdk/core:defaultCrossStackReferences': 'weak',
};

export function buildApp(options: BuildAppOptions = {}): AllianceApp {
  const context: Record<string, unknown> = { ...featureFlags, ...options.context };
  // An empty list tells CDK that no stack needs its assets bundled: the functions' esbuild step is skipped.
  if (options.bundle === false) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ context, outdir: options.outdir });
  // A report line the counters cannot answer fails the synth, not a report.
  const evidenceProblems = evidenceConfigProblems(
    config.evidence,
    config.externalMetrics.map((metric) => metric.id),
  );
  if (evidenceProblems.length > 0)
    throw new Error(`alliance.config.json:\n  ${evidenceProblems.join('\n  ')}`);

  const region = contextString(app, 'region') ?? process.env.CDK_DEFAULT_REGION ?? 'eu-west-2';
  // Unset account = account-agnostic templates: they synthesise offline, and deploy to whichever
  // account the credentials belong to (both stacks go to the same one).
  const account = contextString(app, 'account') ?? process.env.CDK_DEFAULT_ACCOUNT;
  const env = (stackRegion: string): Environment =>
    account ? { account, region: stackRegion } : { region: stackRegion };
  const stackPrefix = contextString(app, 'stackPrefix') ?? 'Alliance';

  // crossRegionReferences lets the main stack read the WebACL ARN from us-east-1 (by
  // Fn::GetStackOutput, see featureFlags) and makes `cdk deploy --all` deploy the edge stack first.
  const edge = new EdgeSecurityStack(app, `${stackPrefix}Edge`, {
    env: env('us-east-1'),
    crossRegionReferences: true,
    allianceName: config.alliance.name,
    description: `${config.alliance.name}: WAF for the CloudFront distribution (CLOUDFRONT scope, us-east-1)`,
  });
  const stack = new AllianceStack(app, stackPrefix, {
    env: env(region),
    crossRegionReferences: true,
    config,
    webAclArn: edge.webAclArn,
    publicBaseUrl: contextString(app, 'publicBaseUrl'),
    description: `${config.alliance.name}: members, activities, mail-outs and engagement evidence`,
  });
  const backup = new AllianceBackupStack(app, `${stackPrefix}Backup`, {
    env: env(region),
    tables: stack.tables.byName,
    allianceName: config.alliance.name,
    vaultLock: [true, 'true'].includes(app.node.tryGetContext('backupVaultLock')),
    description: `${config.alliance.name}: AWS Backup of the alliance tables (daily for 35 days, monthly for 7 years)`,
  });

  const monitored = monitoredResourcesOf(stack);
  for (const fn of stack.functions.values())
    fn.addEnvironment('POWERTOOLS_METRICS_NAMESPACE', monitored.metricsNamespace);
  const monitoring = new AllianceMonitoringStack(app, `${stackPrefix}Monitoring`, {
    env: env(region),
    ...monitored,
    allianceName: config.alliance.name,
    alertEmail: config.operations?.alertEmail,
    description: `${config.alliance.name}: alarms (e-mailed through an SNS topic) and the operations dashboard`,
  });

  const nag = {
    awsSolutions: new AwsSolutionsChecks(app, { verbose: true }),
    serverless: new ServerlessChecks(app, { verbose: true }),
  };
  Validations.of(app).addPlugins(nag.awsSolutions, nag.serverless);
  return { app, stack, edge, backup, monitoring, nag };
}

const isEntryPoint = (() => {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (isEntryPoint) buildApp().app.synth();
