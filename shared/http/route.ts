import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type * as z from 'zod';
import { config } from '../config';
import { Invalid } from '../errors';
import { lambdaContextKeys, withLogKeys } from '../logger';
import { withMetrics } from '../metrics';
import { assertAccess } from './access';
import { parseBody, readRawBody } from './body-parser';
import { errorMapper } from './error-mapper';
import { assertOrigin } from './origin';
import type { HttpResponse } from './responses';
import { zodProblems } from './validation';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

export interface HttpRequest<Body, Query> {
  body: Body;
  /** The body as text, decoded and within the size cap ('' when there is none). */
  rawBody: string;
  query: Query;
  pathParameters: Record<string, string | undefined>;
  groups: string[];
  /** The caller's address: as CloudFront saw it (true-client-ip) when present, else the connection's. */
  clientIp: string;
  correlationId: string;
  /** The form posted from a page (not fetch): answer with a page, not JSON. */
  wantsHtml: boolean;
  event: HttpEvent;
}

interface RouteOptions<BodySchema extends z.ZodType | undefined, QuerySchema extends z.ZodType | undefined> {
  body?: BodySchema;
  query?: QuerySchema;
  maxBodyBytes?: number;
  /** Take any body unparsed (RFC 8058 one-click posts may be form or multipart): see `rawBody`. */
  acceptAnyBody?: boolean;
  /** An empty body is validated as `{}` (an action whose fields are all optional). */
  optionalBody?: boolean;
}

type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

/**
 * What a route takes, exactly as `route()` validates it; attached to the handler as `contract` so the
 * OpenAPI document (infra/openapi.ts) is generated from the same schemas, never written twice.
 */
export type RouteContract = Readonly<RouteOptions<z.ZodType | undefined, z.ZodType | undefined>>;

export type RouteHandler = ((event: HttpEvent, context: Context) => Promise<HttpResponse>) & {
  readonly contract: RouteContract;
};

/**
 * The shared wrapper for every HTTP handler: access rule from the catalogue, body cap and parsing,
 * zod validation of body and query, correlation id, and one error mapping. Handlers only say what
 * happens for a valid request.
 */
export function route<
  BodySchema extends z.ZodType | undefined = undefined,
  QuerySchema extends z.ZodType | undefined = undefined,
>(
  options: RouteOptions<BodySchema, QuerySchema>,
  handle: (request: HttpRequest<Parsed<BodySchema>, Parsed<QuerySchema>>) => Promise<HttpResponse>,
) {
  const wrapped = middy<HttpEvent, HttpResponse, Error, Context>()
    .use(errorMapper())
    .handler(async (event) => {
      const correlationId = correlationIdOf(event);
      const { viewerAddressTrusted } = await assertOrigin(event.headers);
      const groups = assertAccess(event);
      const maxBytes = options.maxBodyBytes ?? config.limits.maxBodyBytes;
      const rawBody = readRawBody(event.body, event.isBase64Encoded, maxBytes);
      const parsedBody = options.acceptAnyBody
        ? undefined
        : parseBody(event.body, event.isBase64Encoded, event.headers?.['content-type'], maxBytes);
      const body = validate(
        options.body,
        parsedBody === undefined && options.optionalBody ? {} : parsedBody,
        'body',
      ) as Parsed<BodySchema>;
      const query = validate(
        options.query,
        event.queryStringParameters ?? {},
        'query',
      ) as Parsed<QuerySchema>;
      const accept = event.headers?.accept ?? '';
      return handle({
        body,
        rawBody,
        query,
        pathParameters: event.pathParameters ?? {},
        groups,
        clientIp: clientIpOf(event, viewerAddressTrusted),
        correlationId,
        wantsHtml: accept.includes('text/html') && !accept.includes('application/json'),
        event,
      });
    });
  const handler = (event: HttpEvent, context: Context): Promise<HttpResponse> =>
    withLogKeys(
      { ...lambdaContextKeys(context), correlationId: correlationIdOf(event), route: event.routeKey },
      () => withMetrics(() => wrapped(event, context)),
    );
  const contract: RouteContract = Object.freeze({ ...options });
  return Object.defineProperty(handler, 'contract', { value: contract, enumerable: true }) as RouteHandler;
}

const correlationIdOf = (event: HttpEvent): string =>
  event.headers?.['x-correlation-id']?.slice(0, 100) || event.requestContext.requestId || randomUUID();

function validate(schema: z.ZodType | undefined, value: unknown, where: 'body' | 'query'): unknown {
  if (!schema) return undefined;
  if (where === 'body' && value === undefined) throw new Invalid('The request body is empty.');
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new Invalid(
      where === 'body' ? 'Some fields need attention.' : 'Some query parameters need attention.',
      zodProblems(result.error),
    );
  }
  return result.data;
}

function clientIpOf(event: HttpEvent, viewerAddressTrusted: boolean): string {
  // CloudFront's viewer-request function sets true-client-ip, overwriting anything a client sent;
  // it is believed only on a request that proved it came through CloudFront (shared/http/origin.ts).
  const viewer = viewerAddressTrusted ? event.headers?.['true-client-ip'] : undefined;
  if (viewer && viewer.length <= 64) return viewer;
  return event.requestContext.http.sourceIp;
}
