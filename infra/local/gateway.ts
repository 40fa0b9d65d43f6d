/**
 * The local stand-in for CloudFront + API Gateway: serves web/ and routes /api/* to the catalogue's
 * handlers as HTTP API payload v2.0 events, verifying JWTs on non-public routes like the JWT
 * authorizer does. /_local holds controls that are never deployed.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteEntry } from '../catalogue';
import { sitePageHeaders } from '../site-headers';
import { refuseForeignCaller } from './controls';
import { claimsAsApiGatewayPassesThem } from './jwt';
import { lambdaContext } from './lambda';
import { createLocalSignIn, localConsoleConfig, signInBasePath } from './sign-in';

export type HttpLambda = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: unknown,
) => Promise<unknown>;

export interface LoadedRoute {
  entry: RouteEntry;
  handler: HttpLambda;
  functionName: string;
}

export type LocalControl = (request: {
  method: string;
  path: string;
  body: unknown;
  query?: URLSearchParams;
}) => Promise<{ status: number; body: unknown }>;

interface GatewayOptions {
  routes: LoadedRoute[];
  verifyJwt: (token: string) => Promise<Record<string, unknown>>;
  webDir: string;
  controls: LocalControl;
  onRequest?: (line: string) => void;
}

/** API Gateway's own limit on a request payload. */
const maxPayloadBytes = 10 * 1024 * 1024;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

const textual = (contentType: string | undefined) =>
  !contentType || /^(text\/|application\/(json|[\w.+-]+\+json|javascript|xml))/i.test(contentType);

export function createGateway(options: GatewayOptions): Server {
  const compiled = options.routes.map((route) => ({
    ...route,
    routeKey: `${route.entry.method} ${route.entry.path}`,
    regex: new RegExp(`^${route.entry.path.replace(/\./g, '\\.').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
  }));

  const signIn = createLocalSignIn();

  return createServer((request, response) => {
    const started = Date.now();
    response.on('finish', () =>
      options.onRequest?.(
        `${request.method} ${request.url?.split('?')[0]} ${response.statusCode} ${Date.now() - started}ms`,
      ),
    );
    handle(request, response).catch((error: unknown) => {
      console.error('local gateway error:', error);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    if (url.pathname === '/_local' || url.pathname.startsWith('/_local/')) {
      const body = await readBody(request);
      if (body === 'too-large')
        return sendError(response, 413, 'payload_too_large', 'Request body is too large.');
      // The sign-in stand-in's token endpoint takes a form-encoded body, as OAuth's do.
      const isSignIn = url.pathname.startsWith(`${signInBasePath}/`);
      const refused = refuseForeignCaller({
        host: request.headers.host,
        origin: request.headers.origin,
        contentType: request.headers['content-type'],
        hasBody: body.length > 0 && !(isSignIn && url.pathname.endsWith('/token')),
        gatewayPort: request.socket.localPort ?? 0,
      });
      if (refused) return sendJson(response, refused.status, refused.body);
      if (isSignIn) {
        const answer = await signIn.handle({
          method,
          url,
          origin: ownOrigin(request),
          cookie: request.headers.cookie,
          contentType: request.headers['content-type'],
          body,
        });
        if (!answer) return sendError(response, 404, 'not_found', `No local sign-in step ${url.pathname}.`);
        response.writeHead(answer.status, answer.headers);
        return void response.end(answer.body);
      }
      let parsed: unknown;
      try {
        parsed = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
      } catch {
        return sendError(response, 400, 'invalid_request', 'The request body is not valid JSON.');
      }
      const result = await options.controls({
        method,
        path: url.pathname,
        body: parsed,
        query: url.searchParams,
      });
      return sendJson(response, result.status, result.body);
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      return invokeRoute(request, response, url, method);
    }
    if (method !== 'GET' && method !== 'HEAD')
      return sendError(response, 405, 'method_not_allowed', 'Pages are read-only.');
    // In the cloud this file is deployed with the pool's settings; here it points at the stand-in.
    if (url.pathname === '/console/config.json')
      return sendJson(response, 200, localConsoleConfig(ownOrigin(request)));
    return serveStatic(response, url.pathname, method);
  }

  async function invokeRoute(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    method: string,
  ): Promise<void> {
    const candidates = compiled
      .map((route) => ({ route, match: route.regex.exec(url.pathname) }))
      .filter((c) => c.match);
    const found = candidates.find((candidate) => candidate.route.entry.method === method);
    if (!found?.match) {
      if (candidates.length > 0) {
        response.setHeader('allow', candidates.map((candidate) => candidate.route.entry.method).join(', '));
        return sendError(response, 405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}.`);
      }
      return sendError(response, 404, 'not_found', `No API route ${method} ${url.pathname}.`);
    }
    const { route, match } = found;
    const body = await readBody(request);
    if (body === 'too-large')
      return sendError(response, 413, 'payload_too_large', 'Request body is too large.');

    let authorizer: APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer'] | undefined;
    if (route.entry.access !== 'public') {
      const bearer = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
      if (!bearer) return sendError(response, 401, 'unauthorized', 'A valid bearer token is required.');
      try {
        const claims = await options.verifyJwt(bearer);
        authorizer = {
          principalId: '',
          integrationLatency: 0,
          jwt: { claims: claimsAsApiGatewayPassesThem(claims), scopes: [] },
        };
      } catch {
        return sendError(response, 401, 'unauthorized', 'The bearer token is not valid or has expired.');
      }
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      // In the cloud CloudFront sets this itself; a client never gets to choose it.
      if (name === 'true-client-ip' || value === undefined || name === 'cookie') continue;
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const queryStringParameters: Record<string, string> = {};
    for (const [name, value] of url.searchParams) {
      queryStringParameters[name] =
        name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
    }
    const contentType = headers['content-type'];
    const isBase64Encoded = body.length > 0 && !textual(contentType);
    const now = new Date();
    const requestId = randomUUID();
    const event = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      cookies: request.headers.cookie?.split(';').map((cookie) => cookie.trim()),
      headers,
      queryStringParameters: url.search ? queryStringParameters : undefined,
      pathParameters: match.groups ? { ...match.groups } : undefined,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'localhost',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: route.routeKey,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
        authorizer,
      },
      body: body.length > 0 ? body.toString(isBase64Encoded ? 'base64' : 'utf8') : undefined,
      isBase64Encoded,
    } as APIGatewayProxyEventV2WithJWTAuthorizer;

    let result: unknown;
    try {
      result = await route.handler(
        event,
        lambdaContext(route.functionName, route.entry.timeoutSeconds, requestId),
      );
    } catch (error) {
      // An unhandled rejection is what Lambda reports as a 500 through API Gateway.
      console.error(`${route.functionName} threw:`, error);
      return sendJson(response, 500, { message: 'Internal Server Error' });
    }
    writeLambdaResult(response, result);
  }

  function serveStatic(response: ServerResponse, pathname: string, method: string): void {
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      sendError(response, 400, 'invalid_request', 'Malformed path.');
      return;
    }
    if (relative.endsWith('/')) relative += 'index.html';
    const file = path.resolve(options.webDir, `.${path.posix.normalize(relative)}`);
    if (!file.startsWith(options.webDir + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      const notFound = path.join(options.webDir, '404.html');
      if (existsSync(notFound)) {
        response.writeHead(404, { 'content-type': contentTypes['.html'], ...sitePageHeaders });
        createReadStream(notFound).pipe(response);
        return;
      }
      sendError(response, 404, 'not_found', 'No such page.');
      return;
    }
    response.writeHead(200, {
      'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      ...sitePageHeaders,
    });
    if (method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file).pipe(response);
  }
}

/** The origin the browser used to reach the gateway (the `/_local` guard has checked the Host). */
function ownOrigin(request: IncomingMessage): string {
  return `http://${request.headers.host ?? `localhost:${request.socket.localPort ?? 0}`}`;
}

async function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxPayloadBytes) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Payload v2.0 response rules: a structured result is used as is; anything else becomes a JSON 200. */
function writeLambdaResult(response: ServerResponse, result: unknown): void {
  const structured =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : undefined;
  if (!structured) {
    sendJson(response, 200, result ?? null);
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  response.writeHead(structured.statusCode ?? 200, headers);
  const body = structured.body ?? '';
  response.end(structured.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(JSON.stringify(payload));
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { error: { code, message } });
}
