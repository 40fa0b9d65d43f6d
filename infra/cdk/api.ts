/**
 * The HTTP API: one route per catalogue entry, a JWT authorizer on Cognito for every route that is
 * not public (the handler then checks the route's group from the catalogue), throttling and access
 * logs on the stage. Staff and analysts sign in to the console (`/console/`) through the user pool's
 * hosted sign-in (authorization code + PKCE) and call the API with the access token.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type RouteEntry, userGroups } from '../catalogue';
import type { AllianceFunction } from './function';

export { userGroups };

export const stageThrottle = { burstLimit: 100, rateLimit: 50 } as const;

/**
 * One JSON line per request in the access log, from HTTP API's `$context` variables. What a request
 * was is its route key (`POST /api/members`: the route's template, so no path values and no query
 * string, where links carry their tokens); no caller address or user agent (personal data: the WAF's
 * logs hold what abuse handling needs). The request id is the `correlationId` on the function's
 * log lines (shared/http/route.ts) unless the caller sent an `x-correlation-id` of its own.
 */
export const accessLogFields = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationErrorMessage: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
  authorizerError: '$context.authorizer.error',
} as const;

/** How long access log lines are kept. */
export const accessLogRetention = logs.RetentionDays.ONE_MONTH;

export const routeKey = (route: Pick<RouteEntry, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

/** Where the console lives on the site, and its sign-in return pages (web/console/). */
export const consolePaths = {
  home: '/console/',
  callback: '/console/callback.html',
  signedOut: '/console/signed-out.html',
  config: 'console/config.json',
} as const;

/** The scopes the console asks for; the API's JWT authorizer checks none of them (groups decide). */
export const consoleScopes = ['openid', 'email', 'profile'] as const;

/**
 * The default hosted sign-in domain prefix: the stack name, `-console-` and the account id (a
 * token when the templates are account-agnostic), so two alliances or two accounts never clash.
 */
export function defaultSignInDomainPrefix(stack: Stack): string {
  const name = stack.stackName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 42)
    .replace(/-+$/, '');
  if (/aws|amazon|cognito/.test(name)) {
    throw new Error(
      `the stack name ${stack.stackName} contains a word Cognito reserves for domain prefixes: set console.signInDomainPrefix in alliance.config.json`,
    );
  }
  return `${name || 'alliance'}-console-${stack.account}`;
}

/** What the console's browser code reads from `/console/config.json` (its shape is fixed by web/console/). */
export interface ConsoleConfig {
  authority: string;
  clientId: string;
  scope: string;
  metadataSeed: { end_session_endpoint: string };
  signOutQuery: string;
}

export interface AllianceApiProps {
  routes: readonly RouteEntry[];
  functionFor: (route: RouteEntry) => AllianceFunction;
  allianceName: string;
  /** The hosted sign-in's domain prefix (config `console.signInDomainPrefix`); see defaultSignInDomainPrefix. */
  signInDomainPrefix?: string;
}

export class AllianceApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  /** The hosted sign-in (Cognito prefix domain) the console sends people to. */
  readonly signInDomain: cognito.UserPoolDomain;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the issuer of the pool's tokens. */
  readonly issuer: string;
  /** The origins the console's browser code fetches from: the issuer (discovery) and the hosted domain (token). */
  readonly signInOrigins: readonly string[];
  readonly routesByKey = new Map<string, apigwv2.HttpRoute>();
  private signInReturnsSet = false;

  constructor(scope: Construct, id: string, props: AllianceApiProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    this.userPool = new cognito.UserPool(this, 'StaffUsers', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Staff send mail-outs to the whole membership and analysts export engagement data.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of userGroups) {
      this.userPool.addGroup(`Group-${group}`, {
        groupName: group,
        description: `${props.allianceName}: ${group}`,
      });
    }
    this.signInDomain = this.userPool.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: props.signInDomainPrefix ?? defaultSignInDomainPrefix(Stack.of(this)) },
      managedLoginVersion: cognito.ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });
    // The console signs in through the hosted pages only: authorization code with PKCE, a public
    // client (no secret in a browser), no API sign-in flows (`{}` would mean Cognito's defaults,
    // SRP and custom auth included; CDK always adds the refresh-token flow).
    this.userPoolClient = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: false },
      generateSecret: false,
      preventUserExistenceErrors: true,
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      enableTokenRevocation: true,
    });

    // The return addresses are on the site's origin, known only once the distribution exists (and
    // the distribution needs this API): returnSignInTo sets them; until then there are none.
    this.node.addValidation({
      validate: () =>
        this.signInReturnsSet
          ? []
          : ['the console client has no callback URL: call returnSignInTo(siteUrl) once the site exists'],
    });

    this.issuer = `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.signInOrigins = [`https://cognito-idp.${region}.amazonaws.com`, this.signInDomain.baseUrl()];
    // Cognito's access tokens carry the app client in `client_id` and no `aud`; API Gateway's JWT
    // authorizer compares `aud`, or `client_id` when there is no `aud`, with jwtAudience: so the
    // client id admits the console's access tokens (and ID tokens, whose `aud` is the client id).
    const authorizer = new HttpJwtAuthorizer('CognitoJwt', this.issuer, {
      authorizerName: 'cognito-jwt',
      jwtAudience: [this.userPoolClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });

    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: `${props.allianceName}: member, activity, mail-out and export API`,
      createDefaultStage: false,
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: accessLogRetention });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: stageThrottle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: apigateway.AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      },
    });

    for (const route of props.routes) {
      const fn = props.functionFor(route);
      const isPublic = route.access === 'public';
      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`Integration-${route.method}-${fn.handlerId}`, fn.lambda),
        authorizer: isPublic ? new apigwv2.HttpNoneAuthorizer() : authorizer,
      });
      if (!httpRoute) throw new Error(`no route was created for ${routeKey(route)}`);
      fn.invokedSynchronously(
        `API Gateway (${routeKey(route)})`,
        'is answered to the caller as an HTTP error, and the caller decides whether to try again',
      );
      if (isPublic) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey(route)} is public by design (catalogue access "public"): WAF rate-limits /api/ per IP, handlers cap bodies and rate-limit per IP, and routes acting on a member verify a signed, expiring token.`,
        });
      }
      this.routesByKey.set(routeKey(route), httpRoute);
    }
  }

  /**
   * Sends the hosted sign-in back to the console on these origins (`https://...`, no trailing
   * slash): its callback and signed-out pages. Set on the CloudFormation resource, after the site
   * exists, because the site's distribution routes to this API whose authorizer needs the client.
   */
  returnSignInTo(...siteUrls: string[]): void {
    const client = this.userPoolClient.node.defaultChild as cognito.CfnUserPoolClient;
    client.callbackUrLs = siteUrls.map((url) => `${url}${consolePaths.callback}`);
    client.logoutUrLs = siteUrls.map((url) => `${url}${consolePaths.signedOut}`);
    this.signInReturnsSet = siteUrls.length > 0;
  }

  /** The console's `/console/config.json` (tokens resolve at deploy). */
  consoleConfig(): ConsoleConfig {
    return {
      authority: this.issuer,
      clientId: this.userPoolClient.userPoolClientId,
      scope: consoleScopes.join(' '),
      // Cognito's discovery document has no end_session_endpoint; its /logout wants `logout_uri`.
      metadataSeed: { end_session_endpoint: `${this.signInDomain.baseUrl()}/logout` },
      signOutQuery: 'logout_uri',
    };
  }
}
