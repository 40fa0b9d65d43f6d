/**
 * The HTTP API: one route per catalogue entry, a JWT authorizer on Cognito for every route that is
 * not public (the handler then checks the route's group from the catalogue), throttling and access
 * logs on the stage.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteEntry } from '../catalogue';
import type { AllianceFunction } from './function';

/** The groups the catalogue's access levels refer to (`analyst` routes also admit `staff`). */
export const userGroups = ['staff', 'analyst'] as const;

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

export interface AllianceApiProps {
  routes: readonly RouteEntry[];
  functionFor: (route: RouteEntry) => AllianceFunction;
  allianceName: string;
}

export class AllianceApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly routesByKey = new Map<string, apigwv2.HttpRoute>();

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
    this.userPoolClient = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      disableOAuth: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      enableTokenRevocation: true,
    });

    const authorizer = new HttpJwtAuthorizer(
      'CognitoJwt',
      `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`,
      {
        authorizerName: 'cognito-jwt',
        jwtAudience: [this.userPoolClient.userPoolClientId],
        identitySource: ['$request.header.Authorization'],
      },
    );

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
}
