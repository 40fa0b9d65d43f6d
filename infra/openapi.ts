/**
 * The API's OpenAPI 3.1 document, generated from the two places that already say what the API is:
 * the catalogue (method, path, access, what a route touches) and the zod schemas each handler hands
 * to `route()` (shared/http/route.ts attaches them to the handler as `contract`). Nothing here repeats
 * a field of a request. `npm run openapi` writes the result to functions/site/openapi.json, which
 * `GET /api/openapi.json` serves; a test fails when that file is stale or drifts from the handlers.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import packageJson from '../package.json' with { type: 'json' };
import { config } from '../shared/config';
import type { AppError } from '../shared/errors';
import { groupsAllowed } from '../shared/http/access';
import type { RouteContract, RouteHandler } from '../shared/http/route';
import { handlerId, type RouteEntry, routes } from './catalogue';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the generated document lives: bundled into the one function that serves it. */
export const openApiFile = path.join(repoRoot, 'functions/site/openapi.json');

export type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: {
    required: boolean;
    description?: string;
    content: Record<string, { schema: JsonSchema }>;
  };
  responses: Record<string, unknown>;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

/** A request schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), for what a client sends. */
export function requestJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
  }) as JsonSchema;
  // A `$ref` would resolve against the OpenAPI document, not the schema: refuse it rather than mislead.
  if (JSON.stringify(jsonSchema).includes('"$ref"')) {
    throw new Error('a request schema refers to itself ($ref); give it an inline shape');
  }
  return jsonSchema;
}

/** Loads each route's handler module and reads the contract `route()` attached to it. */
export async function loadRouteContracts(
  entries: RouteEntry[] = routes,
): Promise<Map<RouteEntry, RouteContract>> {
  const contracts = new Map<RouteEntry, RouteContract>();
  for (const entry of entries) {
    const module = (await import(path.join(repoRoot, entry.handler))) as { handler?: Partial<RouteHandler> };
    const contract = module.handler?.contract;
    if (!contract) {
      throw new Error(`${entry.handler} does not export a handler made by route(): it cannot be documented`);
    }
    contracts.set(entry, contract);
  }
  return contracts;
}

const errorEnvelope = z.object({
  error: z.object({
    code: z.string().describe('A stable, machine-readable code, e.g. `invalid_request`.'),
    message: z.string().describe('A sentence a person can read.'),
    details: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Field by field, for a request that did not validate.'),
  }),
});
// The envelope above must stay what the error mapper sends of an AppError: this fails to compile if not.
const _sameError: z.infer<typeof errorEnvelope>['error'] = {} as Pick<
  AppError,
  'code' | 'message' | 'details'
>;

const errorResponses = {
  BadRequest: [400, 'The request did not validate; `details` lists the fields.'],
  Unauthorized: [401, 'A valid bearer token is required.'],
  Forbidden: [403, 'The token does not carry a group allowed here.'],
  NotFound: [404, 'Nothing with this id.'],
  Conflict: [409, 'The thing is not in a state that allows this, or changed meanwhile.'],
  PayloadTooLarge: [413, 'The body is over the size cap.'],
  TooManyRequests: [429, 'Too many requests from this network or for this address; see Retry-After.'],
} as const;
type ErrorResponse = keyof typeof errorResponses;

/** Which errors a route can answer, from what the catalogue and its contract say about it. */
function errorsOf(entry: RouteEntry, contract: RouteContract): ErrorResponse[] {
  const writes = Object.entries(entry.uses.tables ?? {}).some(
    ([table, access]) => access === 'write' && table !== 'limits',
  );
  const errors: Array<ErrorResponse | false> = [
    Boolean(contract.body || contract.query) && 'BadRequest',
    entry.access !== 'public' && 'Unauthorized',
    entry.access !== 'public' && 'Forbidden',
    entry.path.includes('{') && 'NotFound',
    entry.method !== 'GET' && writes && 'Conflict',
    Boolean(contract.body || contract.acceptAnyBody) && 'PayloadTooLarge',
    entry.uses.tables?.limits !== undefined && 'TooManyRequests',
  ];
  return errors.filter((error): error is ErrorResponse => error !== false);
}

const words = (entry: RouteEntry): string => {
  const name = path.basename(entry.handler, '.ts').replace(/-/g, ' ');
  return name.charAt(0).toUpperCase() + name.slice(1);
};

const capabilityOf = (entry: RouteEntry): string => entry.handler.split('/')[1] ?? 'api';

function queryParameters(query: z.ZodType): Parameter[] {
  const schema = requestJsonSchema(query);
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (schema.type !== 'object' || !properties) {
    throw new Error('a query schema must be an object of named parameters');
  }
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: property,
  }));
}

function operationOf(entry: RouteEntry, contract: RouteContract): Operation {
  const pathParameters: Parameter[] = [...entry.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name: name ?? '',
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const parameters = [...pathParameters, ...(contract.query ? queryParameters(contract.query) : [])];
  const groups = entry.access === 'public' ? [] : groupsAllowed[entry.access];
  const requestBody = requestBodyOf(contract);
  return {
    operationId: handlerId(entry),
    summary: entry.summary ?? words(entry),
    description:
      groups.length === 0
        ? 'Public: no token.'
        : `A bearer token of the group ${groups.map((group) => `\`${group}\``).join(' or ')}.`,
    tags: [capabilityOf(entry)],
    // Alternatives: any one of the groups will do (for an http scheme, the array lists roles).
    security: groups.map((group) => ({ bearer: [group] })),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      '2XX': { description: 'Done.' },
      ...Object.fromEntries(
        errorsOf(entry, contract).map((name) => [
          String(errorResponses[name][0]),
          { $ref: `#/components/responses/${name}` },
        ]),
      ),
    },
  };
}

function requestBodyOf(contract: RouteContract): Operation['requestBody'] {
  if (contract.body) {
    return {
      required: !contract.optionalBody,
      content: { 'application/json': { schema: requestJsonSchema(contract.body) } },
    };
  }
  if (contract.acceptAnyBody) {
    return {
      required: false,
      description: 'Read as sent (any media type) and checked by the handler.',
      content: { '*/*': { schema: {} } },
    };
  }
  return undefined;
}

/** The whole document, in catalogue order. */
export function buildOpenApiDocument(
  contracts: Map<RouteEntry, RouteContract>,
  entries: RouteEntry[] = routes,
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const entry of entries) {
    const contract = contracts.get(entry);
    if (!contract) throw new Error(`no contract loaded for ${entry.method} ${entry.path}`);
    paths[entry.path] ??= {};
    (paths[entry.path] as Record<string, Operation>)[entry.method.toLowerCase()] = operationOf(
      entry,
      contract,
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `${config.alliance.name} API`,
      version: packageJson.version,
      description:
        'Members, activities, mail-outs and engagement evidence. Every answer is JSON unless said; ' +
        'every error is `{ "error": { "code", "message", "details"? } }`. Generated from the catalogue ' +
        'and the handlers’ own zod schemas (`npm run openapi`).',
    },
    tags: [...new Set(entries.map(capabilityOf))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A Cognito token whose `cognito:groups` claim holds the group. On one machine: ' +
            '`npm run --silent token -- --group staff` (or `analyst`).',
        },
      },
      schemas: { Error: requestJsonSchema(errorEnvelope) },
      responses: Object.fromEntries(
        Object.entries(errorResponses).map(([name, [, description]]) => [
          name,
          {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            ...(name === 'TooManyRequests'
              ? {
                  headers: {
                    'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } },
                  },
                }
              : {}),
          },
        ]),
      ),
    },
  };
}

export async function generateOpenApiDocument(): Promise<OpenApiDocument> {
  return buildOpenApiDocument(await loadRouteContracts());
}
