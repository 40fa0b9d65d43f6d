import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';

/** A payload v2.0 event as API Gateway builds it. */
export function httpEvent(
  routeKey: string,
  options: {
    body?: unknown;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    sourceIp?: string;
  } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    queryStringParameters: options.query,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.org',
      domainPrefix: 'example',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '203.0.113.9',
        userAgent: 'test',
      },
      requestId: 'request-1',
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: 0,
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: {}, scopes: [] } },
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

export const context = { functionName: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
