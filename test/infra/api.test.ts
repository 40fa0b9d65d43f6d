import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { type RouteEntry, routes } from '../../infra/catalogue';
import { AllianceApi, stageThrottle, userGroups } from '../../infra/cdk/api';
import { AllianceFunction } from '../../infra/cdk/function';
import { logicalId, referencedIds, synthesise } from './synth';

const { stack, template, resources } = synthesise();

describe('the HTTP API and who may call it', () => {
  it('the stage throttles every route and writes access logs kept for a month', () => {
    const stage = resources[logicalId(stack.api.stage)];
    expect(stage?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingBurstLimit: stageThrottle.burstLimit,
        ThrottlingRateLimit: stageThrottle.rateLimit,
      },
    });
    const [logGroupId] = [...referencedIds(stage?.Properties?.AccessLogSettings)];
    expect(logGroupId && resources[logGroupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
    });
  });

  it('an authorizer exists exactly when the catalogue has a route that is not public', () => {
    const guarded = routes.some((route) => route.access !== 'public');
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', guarded ? 1 : 0);
  });

  it('staff sign in to a user pool nobody can sign up to, with a strong password, MFA and threat protection', () => {
    const pool = resources[logicalId(stack.api.userPool)];
    expect(pool?.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      MfaConfiguration: 'ON',
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    expect(pool?.DeletionPolicy).toBe('Retain');
  });

  it('the user pool has the groups the catalogue access levels name, and a public app client', () => {
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
      (group) => group.Properties.GroupName,
    );
    expect(groups.sort()).toEqual([...userGroups].sort());
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    });
  });
});

describe('a route that is not public', () => {
  // The catalogue may not have such a route yet; a stack with one shows how it is guarded.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const scope = new Stack(app, 'GuardedApi', { env: { region: 'eu-west-2' } });
  const handler = routes[0]?.handler ?? 'functions/members/register-member.ts';
  const guardedRoutes: RouteEntry[] = [
    { method: 'POST', path: '/api/activities', access: 'staff', handler, uses: {} },
    { method: 'GET', path: '/api/exports/evidence', access: 'analyst', handler, uses: {} },
    { method: 'GET', path: '/api/activities', access: 'public', handler, uses: {} },
  ];
  const fn = new AllianceFunction(scope, 'Handler', {
    entry: guardedRoutes[0] as RouteEntry,
    allianceName: 'Test',
  });
  const api = new AllianceApi(scope, 'Api', {
    routes: guardedRoutes,
    functionFor: () => fn,
    allianceName: 'Test',
  });
  api.returnSignInTo('https://alliance.example.org');
  const guarded = Template.fromStack(scope);
  const guardedResources = guarded.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;

  it('is checked by a JWT authorizer on the Cognito pool, for tokens of the app client', () => {
    const authorizers = Object.values(guarded.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    const [authorizer] = authorizers;
    expect(authorizer?.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: logicalId(api.userPoolClient) }] },
    });
    const issuer = JSON.stringify(authorizer?.Properties.JwtConfiguration.Issuer);
    expect(issuer).toContain('https://cognito-idp.eu-west-2.amazonaws.com/');
    expect(referencedIds(authorizer?.Properties.JwtConfiguration.Issuer)).toEqual(
      new Set([logicalId(api.userPool)]),
    );
  });

  it('staff and analyst routes carry the authorizer; the public one does not', () => {
    const [authorizerId] = Object.keys(guarded.findResources('AWS::ApiGatewayV2::Authorizer'));
    const byKey = new Map(
      Object.values(guardedResources)
        .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
        .map((route) => [route.Properties.RouteKey, route.Properties]),
    );
    for (const route of guardedRoutes) {
      const properties = byKey.get(`${route.method} ${route.path}`);
      if (route.access === 'public') {
        expect(properties).toMatchObject({ AuthorizationType: 'NONE' });
      } else {
        expect(properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      }
    }
  });
});
