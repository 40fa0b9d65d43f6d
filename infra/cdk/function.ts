/**
 * The house Lambda construct and its intent-named binders. Every handler in the catalogue becomes
 * one `AllianceFunction`; what it may touch is granted only through the `bind*` functions below,
 * so a function's IAM policy reads like its `uses` entry in the catalogue.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { config } from '../../shared/config';
import { type TableName, tableEnvVar } from '../../shared/tables';
import {
  type Access,
  defaultTimeoutSeconds,
  type HandlerEntry,
  handlerId,
  type RouteEntry,
  routeAccessEntries,
  type TableDeclaration,
} from '../catalogue';

/** The repository root: catalogue handler paths are relative to it. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Item-level reads. Query/GetItem also authorise the reads inside TransactGetItems, and
 * ConditionCheckItem the condition checks inside TransactWriteItems. Scan is deliberately absent:
 * every access pattern has a key.
 */
export const tableReadActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
] as const;

/** Item-level writes; TransactWriteItems is authorised by these per-item actions. */
export const tableWriteActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/** What active tracing needs (as CDK's `Tracing.ACTIVE` grants). */
export const tracingActions = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

/** What Lambda needs to put a failed asynchronous invocation on the function's dead-letter queue. */
export const deadLetterSendActions = ['sqs:SendMessage'] as const;
export const emailSendActions = ['ses:SendEmail', 'ses:SendRawEmail'] as const;
/** Reading the account's sending quota (`MaxSendRate`), which the mail-out dispatcher paces to. */
export const sendQuotaReadActions = ['ses:GetAccount'] as const;
export const secretReadActions = ['secretsmanager:GetSecretValue'] as const;

/**
 * ESM bundles still meet CommonJS dependencies that call `require` (e.g. for Node built-ins);
 * this banner gives them one.
 */
const esmRequireBanner =
  "import { createRequire as __allianceCreateRequire } from 'node:module';" +
  'const require = __allianceCreateRequire(import.meta.url);';

/**
 * Bundling-time stand-ins, as esbuild aliases (bare package name → file). Lambda gives a function its
 * credentials in the environment, so the SDK's whole default chain is replaced by the environment
 * step alone (lambda-credentials.ts), which keeps the STS, SSO and sign-in clients out of every
 * bundle. (zod stays whole: it is imported as a namespace, `import * as z from 'zod'`, which esbuild
 * can tree-shake, so unused schemas and every locale but English stay out; biome.json refuses the
 * named `{ z }` import, which cannot be shaken.)
 */
export const bundleAliases: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': path.join(repoRoot, 'infra', 'cdk', 'lambda-credentials.ts'),
  // Parts of libraries that the functions' code paths provably never call (each shim says why, and
  // throws if it is ever called): 15–70 KB a bundle.
  '@aws-lambda-powertools/jmespath': path.join(repoRoot, 'infra', 'cdk', 'shims', 'jmespath.ts'),
  '@aws-lambda-powertools/jmespath/functions': path.join(repoRoot, 'infra', 'cdk', 'shims', 'jmespath.ts'),
  entities: path.join(repoRoot, 'infra', 'cdk', 'shims', 'entities.ts'),
  '@smithy/core/event-streams': path.join(repoRoot, 'infra', 'cdk', 'shims', 'smithy-event-streams.ts'),
};

/**
 * Values fixed at bundling (esbuild `define`: identifier → JSON). `__ALLIANCE_CONFIG__` is the
 * alliance config as shared/config.ts parses it: the bundle carries alliance.config.json as it is at
 * synth, so parsing it here once gives the very object each cold start would get, without spending
 * ~20 ms of every cold start on its validation (zod, and ICU's time-zone data for one check).
 */
export const bundleDefines: Readonly<Record<string, string>> = {
  __ALLIANCE_CONFIG_PARSED__: 'true',
  __ALLIANCE_CONFIG__: JSON.stringify(config),
};

/**
 * How every handler is bundled, in esbuild's own terms: a function's bundling (bundledCode below, through
 * bundle-handler.mjs) and the bundle tests (test/infra/lambda-bundles.ts) both use this, so what the
 * tests measure is what Lambda runs.
 */
export const bundleOptions = {
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: esmRequireBanner,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  alias: bundleAliases,
  define: bundleDefines,
} as const;

/**
 * One function's defines: the shared ones, and for a route its access rule from the catalogue
 * (`__ROUTE_ACCESS__`, read by shared/http/access.ts), so the bundle needs no catalogue to check callers.
 */
export function bundleDefinesFor(entry: HandlerEntry): Record<string, string> {
  const route = 'method' in entry ? [entry as RouteEntry] : [];
  return {
    ...bundleDefines,
    ...(route.length > 0
      ? { __ROUTE_ACCESS__: JSON.stringify(Object.fromEntries(routeAccessEntries(route))) }
      : {}),
  };
}

/**
 * Files inside libraries replaced in every bundle (path inside node_modules → stand-in), by the
 * `libraryStandIns` esbuild plugin (bundle-handler.mjs); see infra/cdk/stand-ins/README.md.
 */
const xrayNotInLambda = path.join(repoRoot, 'infra', 'cdk', 'stand-ins', 'xray-not-in-lambda.cjs');
const zodJsonSchema = path.join(repoRoot, 'infra', 'cdk', 'stand-ins', 'zod-json-schema.mjs');
export const standInFiles: Readonly<Record<string, string>> = {
  'aws-xray-sdk-core/dist/lib/segments/plugins/ec2_plugin.js': xrayNotInLambda,
  'aws-xray-sdk-core/dist/lib/segments/plugins/ecs_plugin.js': xrayNotInLambda,
  'aws-xray-sdk-core/dist/lib/segments/plugins/elastic_beanstalk_plugin.js': xrayNotInLambda,
  'aws-xray-sdk-core/dist/lib/middleware/sampling/default_sampler.js': xrayNotInLambda,
  'aws-xray-sdk-core/dist/lib/middleware/sampling/local_sampler.js': xrayNotInLambda,
  'aws-xray-sdk-core/dist/lib/patchers/aws_p.js': xrayNotInLambda,
  'zod/v4/core/to-json-schema.js': zodJsonSchema,
  'zod/v4/core/json-schema-processors.js': zodJsonSchema,
};

/** One function's esbuild options, as the JS API takes them (bundle-handler.mjs and the tests). */
export const esbuildOptionsFor = (entry: HandlerEntry) => ({
  ...bundleOptions,
  banner: { js: bundleOptions.banner },
  mainFields: [...bundleOptions.mainFields],
  define: bundleDefinesFor(entry),
});

const bundleScript = path.join(repoRoot, 'infra', 'cdk', 'bundle-handler.mjs');

/**
 * A function's code: its handler bundled on this machine by bundle-handler.mjs (esbuild, with the
 * library stand-ins, which NodejsFunction's esbuild command line cannot take), hashed by its output
 * as NodejsFunction does. Skipped, like any bundling, where a synth asks for none (the infra tests).
 */
function bundledCode(entry: HandlerEntry): lambda.Code {
  return lambda.Code.fromAsset(repoRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always answers (or fails the synth with esbuild's message).
      image: DockerImage.fromRegistry('local-bundling-only'),
      // Also what tells one function's bundling from another's: CDK reuses a bundle whose options match.
      command: ['node', 'infra/cdk/bundle-handler.mjs', entry.handler],
      local: {
        tryBundle(outputDir) {
          const request = {
            options: esbuildOptionsFor(entry),
            standIns: standInFiles,
            entry: path.join(repoRoot, entry.handler),
            outfile: path.join(outputDir, 'index.mjs'),
          };
          const result = spawnSync(process.execPath, [bundleScript, JSON.stringify(request)], {
            cwd: repoRoot,
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          if (result.status !== 0)
            throw new Error(`Bundling ${entry.handler} failed (esbuild's message is above)`);
          return true;
        },
      },
    },
  });
}

/** A bundle above this (bytes of the bundled `index.mjs`) is flagged by `npm run synth` and the tests. */
export const bundleBudgetBytes = 600 * 1000;

/**
 * A function's role, whose grants all go into one inline policy rather than an AWS::IAM::Policy
 * resource of its own: a CloudFormation stack holds at most 500 resources, and a policy per function
 * would spend one in eight of them. The inline document is rendered at synth, so grants made after
 * the role (by binders, by event sources) still land in it.
 */
class InlineGrantsRole extends iam.Role {
  private readonly inlineGrants: iam.PolicyDocument;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    const grants = new iam.PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { ...props.inlinePolicies, Grants: grants } });
    this.inlineGrants = grants;
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.inlineGrants.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }
}

/**
 * One log group per capability (`functions/<capability>/`), shared by its functions, with a month's
 * retention. A group per function would cost a CloudFormation resource each, and the stack must stay
 * under 500; every log line names its function and request (Powertools Logger's Lambda context), so
 * one capability's lines are still told apart. Each role may write only its capability's group.
 */
function capabilityLogGroupOf(scope: Construct, entry: HandlerEntry): logs.LogGroup {
  const stack = Stack.of(scope);
  const capability = entry.handler.split('/')[1] ?? 'functions';
  const id = `Logs${capability.replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) => letter.toUpperCase())}`;
  const existing = stack.node.tryFindChild(id);
  if (existing) return existing as logs.LogGroup;
  return new logs.LogGroup(stack, id, { retention: logs.RetentionDays.ONE_MONTH });
}

/**
 * X-Ray's grant, once per stack and attached to every function's role: its actions take no resource,
 * so it is Resource "*", in a policy of its own where the one acknowledged wildcard cannot hide a
 * wildcard a binder might add to a function's grants.
 */
function tracingPolicyOf(scope: Construct): iam.ManagedPolicy {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild('FunctionTracing');
  if (existing) return existing as iam.ManagedPolicy;
  const policy = new iam.ManagedPolicy(stack, 'FunctionTracing', {
    description: 'X-Ray tracing for every alliance function',
    statements: [new iam.PolicyStatement({ actions: [...tracingActions], resources: ['*'] })],
  });
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions; AWS documents Resource "*" for them.',
  });
  return policy;
}

export interface AllianceFunctionProps {
  entry: HandlerEntry;
  /** Shown in the Lambda console next to the handler id. */
  allianceName: string;
}

/**
 * One catalogue handler as a Lambda: Node.js 22 on ARM, an ESM bundle with source maps, X-Ray,
 * its own log group with a retention, and a role that starts with nothing but its own logs.
 */
export class AllianceFunction extends Construct {
  readonly handlerId: string;
  readonly entry: HandlerEntry;
  readonly lambda: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AllianceFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    this.handlerId = handlerId(props.entry);

    this.logGroup = capabilityLogGroupOf(this, props.entry);

    // A role of our own instead of the default one: the default attaches the AWS-managed
    // AWSLambdaBasicExecutionRole (create and write any log group); this one writes only its own.
    this.role = new InlineGrantsRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.allianceName}: ${this.handlerId}`,
    });
    this.logGroup.grantWrite(this.role);

    this.lambda = new lambda.Function(this, 'Function', {
      code: bundledCode(props.entry),
      handler: 'index.handler',
      description: `${props.allianceName}: ${this.handlerId}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(props.entry.timeoutSeconds ?? defaultTimeoutSeconds),
      // At most this many instances, whatever invokes the function. For an SQS subscription this is
      // the only hard cap below 2: an event source mapping's maximum concurrency cannot go lower. A
      // mapping allowed more than the reserved concurrency gets throttled invocations; Lambda keeps
      // retrying those while the records stay hidden (the visibility timeout is six function
      // timeouts, as AWS advises for exactly this), and a record still throttled when it reappears
      // costs one receive, which is why such a subscription declares a higher maxReceiveCount.
      reservedConcurrentExecutions: props.entry.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: this.handlerId,
        // No NODE_OPTIONS=--enable-source-maps: it parses the source map at every cold start (~9 ms);
        // the logger maps a logged error's stack from the same map instead (shared/stack-traces.ts).
      },
    });
    const runtimeReason =
      'Node.js 22 is the runtime DESIGN.md fixes for the handlers (the toolchain targets it); moving to a newer runtime is a deliberate, tested change.';
    Validations.of(this.lambda).acknowledge({ id: 'AwsSolutions-L1', reason: runtimeReason });
    Validations.of(this.lambda).acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: runtimeReason });

    // X-Ray is switched on here rather than with `tracing: ACTIVE`, which would put its grant
    // (Resource "*") among the function's own grants; the stack's one tracing policy carries it.
    (this.lambda.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    this.role.addManagedPolicy(tracingPolicyOf(this));
  }

  addEnvironment(name: string, value: string): void {
    this.lambda.addEnvironment(name, value);
  }

  grant(statement: iam.PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }

  /**
   * For a function invoked asynchronously (a schedule): what still fails after Lambda's own retries
   * goes to `queue` rather than being dropped.
   */
  keepFailedAsyncInvocations(queue: sqs.IQueue): void {
    (this.lambda.node.defaultChild as lambda.CfnFunction).deadLetterConfig = { targetArn: queue.queueArn };
    this.grant(new iam.PolicyStatement({ actions: [...deadLetterSendActions], resources: [queue.queueArn] }));
  }

  /**
   * For a function only ever invoked synchronously (by API Gateway, or by an SQS event source
   * mapping), a Lambda dead-letter queue would never receive anything: it applies to asynchronous
   * invocations only. `failuresGoTo` says where a failure does go.
   */
  invokedSynchronously(by: string, failuresGoTo: string): void {
    Validations.of(this.lambda).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: `${this.handlerId} is invoked synchronously by ${by}, and a Lambda dead-letter queue only receives failed asynchronous invocations; a failure ${failuresGoTo}.`,
    });
  }
}

/** The ARN of every index a table declares (no `index/*`: only the indexes that exist). */
function indexArns(table: dynamodb.ITable, declaration: TableDeclaration): string[] {
  return (declaration.globalIndexes ?? []).map((index) => `${table.tableArn}/index/${index.name}`);
}

/** Read or read-write access to one table (and its declared indexes), and its name in its `tableEnvVar`. */
export function bindTable(
  fn: AllianceFunction,
  table: dynamodb.ITable,
  name: TableName,
  declaration: TableDeclaration,
  access: Access,
): void {
  fn.addEnvironment(tableEnvVar(name), table.tableName);
  const actions = access === 'write' ? [...tableReadActions, ...tableWriteActions] : [...tableReadActions];
  fn.grant(
    new iam.PolicyStatement({ actions, resources: [table.tableArn, ...indexArns(table, declaration)] }),
  );
}

/**
 * Sending from the alliance's address through its identity and configuration set (so SES reports
 * the events of every message).
 *
 * SES has no IAM condition key naming the configuration set (its keys are ses:FromAddress,
 * ses:FromDisplayName, ses:FeedbackAddress, ses:Recipients and ses:ApiVersion), so IAM cannot refuse
 * a send that names none. Sending only through ours is held by the resources instead: a send that
 * names a configuration set needs SendEmail on that set, and only ours is granted; a send that names
 * none gets the identity's default configuration set, which is ours (mail.ts). The From address is
 * pinned with ses:FromAddress, so the function cannot send as anyone else on the domain.
 */
export function bindEmail(
  fn: AllianceFunction,
  identity: ses.IEmailIdentity,
  configurationSet: ses.IConfigurationSet,
  senderAddress: string,
): void {
  fn.addEnvironment('SES_CONFIGURATION_SET', configurationSet.configurationSetName);
  const configurationSetArn = Stack.of(fn).formatArn({
    service: 'ses',
    resource: 'configuration-set',
    resourceName: configurationSet.configurationSetName,
  });
  fn.grant(
    new iam.PolicyStatement({
      actions: [...emailSendActions],
      resources: [identity.emailIdentityArn, configurationSetArn],
      conditions: { StringEquals: { 'ses:FromAddress': senderAddress } },
    }),
  );
}

/**
 * Reading the account's sending quota, to pace a mail-out to it. GetAccount takes no resource, so
 * the grant is Resource "*": in a policy of its own (as X-Ray's), where it cannot hide a wildcard a
 * binder might add to the function's main policy.
 */
export function bindSendQuota(fn: AllianceFunction): void {
  const quota = new iam.Policy(fn, 'SendQuota', {
    roles: [fn.role],
    statements: [new iam.PolicyStatement({ actions: [...sendQuotaReadActions], resources: ['*'] })],
  });
  Validations.of(quota).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'ses:GetAccount reads the account-wide sending quota and does not support resource-level permissions; AWS documents Resource "*" for it. It grants reading the quota only.',
  });
  fn.lambda.node.addDependency(quota);
}

/** Reading the key that signs the links in e-mails. */
/** Read access to one secret, and its ARN in `envVar` (where shared/ code looks for it). */
export function bindSecret(fn: AllianceFunction, secret: secretsmanager.ISecret, envVar: string): void {
  fn.addEnvironment(envVar, secret.secretArn);
  fn.grant(new iam.PolicyStatement({ actions: [...secretReadActions], resources: [secret.secretArn] }));
}

export const bindTokenSecret = (fn: AllianceFunction, secret: secretsmanager.ISecret): void =>
  bindSecret(fn, secret, 'TOKEN_SECRET_ID');
