import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AllianceApi, consolePaths, consoleScopes } from '../../infra/cdk/api';
import { sitePageHeaders } from '../../infra/site-headers';
import { config, parseAllianceConfig } from '../../shared/config';
import {
  asArray,
  type CfnResourceJson,
  logicalId,
  referencedIds,
  statementsOfRole,
  synthesise,
} from './synth';

const { app, stack, template, resources } = synthesise();
const region = stack.region;

/** A template string value as text, each Ref or GetAtt written `${LogicalId}` (`${Id.Attribute}`). */
function rendered(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [[key, inner]] = Object.entries(value) as [[string, unknown]];
    if (key === 'Ref') return `\${${String(inner)}}`;
    if (key === 'Fn::GetAtt') return `\${${(inner as string[]).join('.')}}`;
    if (key === 'Fn::Sub' && typeof inner === 'string') return inner;
    if (key === 'Fn::Join') {
      const [separator, parts] = inner as [string, unknown[]];
      return parts.map(rendered).join(separator);
    }
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** The resources a resource waits for: what it references (Ref, GetAtt, Fn::Sub) and its DependsOn. */
function dependenciesOf(resource: CfnResourceJson, known: Set<string>): Set<string> {
  const found = referencedIds(resource.Properties);
  for (const sub of JSON.stringify(resource.Properties ?? {}).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) {
    if (sub[1]) found.add(sub[1]);
  }
  for (const id of asArray(resource.DependsOn)) found.add(id);
  return new Set([...found].filter((id) => known.has(id)));
}

/** A chain of resources that wait for one another in a circle (what CloudFormation refuses), or none. */
function dependencyCycle(all: Record<string, CfnResourceJson>): string[] | undefined {
  const known = new Set(Object.keys(all));
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...trail.slice(trail.indexOf(id)), id];
    state.set(id, 'visiting');
    trail.push(id);
    for (const next of dependenciesOf(all[id] as CfnResourceJson, known)) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of known) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

const client = () => resources[logicalId(stack.api.userPoolClient)];
const distribution = logicalId(stack.site.distribution);
const signInDomain = logicalId(stack.api.signInDomain);
const siteOrigin = `https://\${${distribution}.DomainName}`;
const hostedSignIn = `https://\${${signInDomain}}.auth.${region}.amazoncognito.com`;

describe('staff and analysts sign in to the console through the hosted sign-in', () => {
  it('the console client may only use the authorization-code flow, with no secret, for openid, email and profile', () => {
    expect(client()?.Properties).toMatchObject({
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: [...consoleScopes],
      SupportedIdentityProviders: ['COGNITO'],
      GenerateSecret: false,
      // No sign-in through the API (SRP, password, custom): only the hosted pages, and refreshing.
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes' },
      EnableTokenRevocation: true,
    });
  });

  it('sign-in returns to the console callback, and sign-out to its signed-out page, on the distribution', () => {
    expect(asArray(client()?.Properties?.CallbackURLs as unknown[]).map(rendered)).toEqual([
      `${siteOrigin}${consolePaths.callback}`,
    ]);
    expect(asArray(client()?.Properties?.LogoutURLs as unknown[]).map(rendered)).toEqual([
      `${siteOrigin}${consolePaths.signedOut}`,
    ]);
  });

  it('the user pool has a hosted sign-in domain named by the stack and the account', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    const domain = resources[signInDomain];
    expect(domain?.Type).toBe('AWS::Cognito::UserPoolDomain');
    expect(referencedIds(domain?.Properties?.UserPoolId)).toEqual(new Set([logicalId(stack.api.userPool)]));
    expect(rendered(domain?.Properties?.Domain)).toBe(`alliance-console-\${AWS::AccountId}`);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(rendered(outputs.SignInDomain?.Value)).toBe(hostedSignIn);
    expect(rendered(outputs.ConsoleUrl?.Value)).toBe(`${siteOrigin}/console/`);
    expect(outputs.UserPoolClientId?.Value).toEqual({ Ref: logicalId(stack.api.userPoolClient) });
  });

  it("the API admits the console's access tokens: the authorizer's audience is the client id (tokens carry it as client_id)", () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Audience: [{ Ref: logicalId(stack.api.userPoolClient) }] },
    });
  });

  it('the site serves console/config.json naming the pool, the client and the sign-out endpoint', () => {
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    const keys = deployment?.Properties.SourceObjectKeys as string[];
    const markers = deployment?.Properties.SourceMarkers as Array<Record<string, unknown>>;
    const withConfig = keys.findIndex((key) =>
      (() => {
        try {
          readFileSync(path.join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`, consolePaths.config));
          return true;
        } catch {
          return false;
        }
      })(),
    );
    expect(withConfig, 'a deployment source holds console/config.json').toBeGreaterThanOrEqual(0);
    let text = readFileSync(
      path.join(app.outdir, `asset.${keys[withConfig]?.replace(/\.zip$/, '')}`, consolePaths.config),
      'utf8',
    );
    for (const [marker, value] of Object.entries(markers[withConfig] ?? {})) {
      text = text.replaceAll(marker, rendered(value));
    }
    expect(JSON.parse(text)).toEqual({
      authority: `https://cognito-idp.${region}.amazonaws.com/\${${logicalId(stack.api.userPool)}}`,
      clientId: `\${${logicalId(stack.api.userPoolClient)}}`,
      scope: 'openid email profile',
      metadataSeed: { end_session_endpoint: `${hostedSignIn}/logout` },
      signOutQuery: 'logout_uri',
    });
    // The deployment may read that file's zip, by its own key.
    const reads = statementsOfRole(resources, logicalId(stack.site.deploymentRole)).filter(({ statement }) =>
      asArray(statement.Action).includes('s3:GetObject'),
    );
    expect(reads).toHaveLength(1);
    expect(asArray(reads[0]?.statement.Resource).map(rendered)).toContainEqual(
      expect.stringMatching(new RegExp(`/${keys[withConfig]}$`)),
    );
  });

  it('in the cloud the pages may fetch from Cognito; locally they may fetch from nowhere but the site', () => {
    const policies = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const pagesCsp = policies
      .map(
        (policy) =>
          policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig?.ContentSecurityPolicy,
      )
      .filter(Boolean)
      .map((csp) => rendered(csp.ContentSecurityPolicy));
    expect(pagesCsp).toHaveLength(1);
    const connect = (csp: string) =>
      csp
        .split('; ')
        .find((directive) => directive.startsWith('connect-src '))
        ?.split(' ')
        .slice(1);
    expect(connect(pagesCsp[0] ?? '')).toEqual([
      "'self'",
      `https://cognito-idp.${region}.amazonaws.com`,
      hostedSignIn,
    ]);
    // The local gateway sends sitePageHeaders (test/infra/site.test.ts checks it does).
    expect(connect(sitePageHeaders['content-security-policy'])).toEqual(["'self'"]);
  });

  it('no two resources wait for each other (the client needs the distribution, which needs the API)', () => {
    // The edges that could close a circle are there...
    expect(referencedIds(client()?.Properties?.CallbackURLs)).toEqual(new Set([distribution]));
    const [authorizer] = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(referencedIds(authorizer?.Properties)).toContain(logicalId(stack.api.userPoolClient));
    expect(referencedIds(resources[distribution]?.Properties)).toContain(logicalId(stack.api.api));
    // ...and still nothing waits for itself.
    expect(dependencyCycle(resources)).toBeUndefined();
  });

  it('the circle check finds a circle when there is one', () => {
    const planted: Record<string, CfnResourceJson> = {
      Client: { Type: 'AWS::Cognito::UserPoolClient', Properties: { CallbackURLs: [{ Ref: 'Site' }] } },
      Site: { Type: 'AWS::CloudFront::Distribution', Properties: { Origin: { 'Fn::Sub': `\${Api}` } } },
      Api: { Type: 'AWS::ApiGatewayV2::Api', DependsOn: ['Client'] },
    };
    expect(dependencyCycle(planted)).toEqual(['Client', 'Site', 'Api', 'Client']);
  });
});

describe('the hosted sign-in domain of another alliance', () => {
  const domainOf = (stackName: string, signInDomainPrefix?: string) => {
    const scope = new Stack(new App(), stackName, { env: { account: '123456789012', region: 'eu-west-2' } });
    const api = new AllianceApi(scope, 'Api', {
      routes: [],
      functionFor: () => {
        throw new Error('no routes');
      },
      allianceName: 'Test',
      signInDomainPrefix,
    });
    api.returnSignInTo('https://alliance.example.org');
    const [domain] = Object.values(Template.fromStack(scope).findResources('AWS::Cognito::UserPoolDomain'));
    return domain?.Properties.Domain;
  };

  it('is named by its stack prefix and account, or by console.signInDomainPrefix when set', () => {
    expect(domainOf('SecondAlliance')).toBe('secondalliance-console-123456789012');
    expect(domainOf('SecondAlliance', 'wmsca-staff')).toBe('wmsca-staff');
  });

  it('a prefix Cognito would refuse stops the synth or the config, with what to do', () => {
    expect(() => domainOf('CognitoAlliance')).toThrow(/console\.signInDomainPrefix/);
    expect(() => parseAllianceConfig({ ...config, console: { signInDomainPrefix: 'my-aws-staff' } })).toThrow(
      /console\.signInDomainPrefix/,
    );
    expect(() =>
      parseAllianceConfig({ ...config, console: { signInDomainPrefix: 'Staff_Sign_In' } }),
    ).toThrow(/console\.signInDomainPrefix/);
  });
});

describe('the console in the site bucket', () => {
  const pagesAssetDir = () => {
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    const keys = deployment?.Properties.SourceObjectKeys as string[];
    const dirs = keys.map((key) => path.join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`));
    const found = dirs.find((dir) => existsSync(path.join(dir, 'index.html')));
    if (!found) throw new Error('no deployment source holds the hosted pages');
    return found;
  };

  it('deploys the built console scripts and pages, but not their TypeScript sources', () => {
    const dir = pagesAssetDir();
    for (const file of [
      'console/index.html',
      'console/callback.html',
      'console/js/home.js',
      'console/js/callback.js',
    ])
      expect(existsSync(path.join(dir, file)), file).toBe(true);
    expect(existsSync(path.join(dir, 'console/src'))).toBe(false);
    expect(existsSync(path.join(dir, 'console/tsconfig.json'))).toBe(false);
  });
});
