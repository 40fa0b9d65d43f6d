import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type RouteEntry, routes } from '../../infra/catalogue';
import { generateOpenApiDocument, loadRouteContracts, type OpenApiDocument } from '../../infra/openapi';
import type { RouteContract } from '../../shared/http/route';

/** The document as committed and served by GET /api/openapi.json. */
const committed = JSON.parse(
  readFileSync(path.resolve('functions/site/openapi.json'), 'utf8'),
) as OpenApiDocument;

const operationOf = (document: OpenApiDocument, entry: RouteEntry) =>
  document.paths[entry.path]?.[entry.method.toLowerCase()];

/** Catalogue routes the document does not describe, and operations it has that the catalogue lacks. */
function routesOutOfStep(document: OpenApiDocument): string[] {
  const missing = routes
    .filter((entry) => operationOf(document, entry) === undefined)
    .map((entry) => `missing ${entry.method} ${entry.path}`);
  const declared = new Set(routes.map((entry) => `${entry.method.toLowerCase()} ${entry.path}`));
  const extra = Object.entries(document.paths).flatMap(([route, item]) =>
    Object.keys(item)
      .filter((method) => !declared.has(`${method} ${route}`))
      .map((method) => `extra ${method.toUpperCase()} ${route}`),
  );
  return [...missing, ...extra];
}

/** Straight from zod, as a client would send it: what the handler validates, nothing in between. */
const handlerSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
  return rest;
};

/** Routes whose body or query parameters in the document differ from what their handler validates. */
function schemaDrift(document: OpenApiDocument, contracts: Map<RouteEntry, RouteContract>): string[] {
  const drift: string[] = [];
  for (const [entry, contract] of contracts) {
    const operation = operationOf(document, entry);
    const name = `${entry.method} ${entry.path}`;
    const documentedBody = operation?.requestBody?.content['application/json']?.schema;
    const expectedBody = contract.body ? handlerSchema(contract.body) : undefined;
    if (JSON.stringify(documentedBody) !== JSON.stringify(expectedBody)) drift.push(`${name} body`);

    const documentedQuery = Object.fromEntries(
      (operation?.parameters ?? [])
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => [parameter.name, { required: parameter.required, schema: parameter.schema }]),
    );
    const query: Record<string, unknown> = contract.query ? handlerSchema(contract.query) : {};
    const requiredQuery = new Set((query.required as string[] | undefined) ?? []);
    const expectedQuery = Object.fromEntries(
      Object.entries((query.properties ?? {}) as Record<string, unknown>).map(([parameter, schema]) => [
        parameter,
        { required: requiredQuery.has(parameter), schema },
      ]),
    );
    if (JSON.stringify(documentedQuery) !== JSON.stringify(expectedQuery)) drift.push(`${name} query`);
  }
  return drift;
}

let contracts: Map<RouteEntry, RouteContract>;
beforeAll(async () => {
  contracts = await loadRouteContracts();
});

const registration = routes.find((entry) => entry.path === '/api/members' && entry.method === 'POST');
const engagementExport = routes.find((entry) => entry.path === '/api/exports/engagement');

describe('the API documents itself (GET /api/openapi.json)', () => {
  it('describes every route of the catalogue, with its method and path, and nothing else', () => {
    expect(routesOutOfStep(committed)).toEqual([]);
    expect(committed.paths['/api/openapi.json']?.get).toBeDefined();
  });

  it('a catalogue route missing from the document is reported', () => {
    const planted = structuredClone(committed);
    delete planted.paths['/api/members'];
    planted.paths['/api/nowhere'] = { get: committed.paths['/api/activities']?.get } as never;
    expect(routesOutOfStep(planted)).toEqual(['missing POST /api/members', 'extra GET /api/nowhere']);
  });

  it("gives each route's body and query parameters exactly as its handler validates them", () => {
    expect(contracts.size).toBe(routes.length);
    expect(schemaDrift(committed, contracts)).toEqual([]);
    // Not vacuous: the registration form's fields and the export's parameters are really there.
    const body = operationOf(committed, registration as RouteEntry)?.requestBody?.content['application/json'];
    expect(Object.keys((body?.schema.properties ?? {}) as object)).toEqual(
      expect.arrayContaining(['name', 'email', 'organisationType', 'networks']),
    );
    const parameters = operationOf(committed, engagementExport as RouteEntry)?.parameters ?? [];
    expect(parameters.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['metrics', 'granularity', 'from', 'to']),
    );
  });

  it('a schema that drifts from the handler (a field dropped, a parameter loosened) is reported', () => {
    const planted = structuredClone(committed);
    const body = operationOf(planted, registration as RouteEntry)?.requestBody?.content['application/json'];
    delete (body?.schema.properties as Record<string, unknown> | undefined)?.email;
    const granularity = operationOf(planted, engagementExport as RouteEntry)?.parameters?.find(
      (parameter) => parameter.name === 'granularity',
    );
    if (granularity) granularity.schema = { type: 'string' };
    expect(schemaDrift(planted, contracts)).toEqual([
      'POST /api/members body',
      'GET /api/exports/engagement query',
    ]);
  });

  it('is current: regenerating it from the catalogue and the handlers changes nothing (else `npm run openapi`)', async () => {
    const fresh = JSON.parse(JSON.stringify(await generateOpenApiDocument())) as unknown;
    expect(committed).toEqual(fresh);
  });

  it('asks for a bearer token of the allowed groups on staff and analyst routes, and none on public ones', () => {
    const groupsByAccess = { public: [], staff: [['staff']], analyst: [['analyst'], ['staff']] };
    for (const entry of routes) {
      const security = operationOf(committed, entry)?.security.map((requirement) => requirement.bearer);
      expect(security, `${entry.method} ${entry.path}`).toEqual(groupsByAccess[entry.access]);
    }
    expect(operationOf(committed, registration as RouteEntry)?.responses).toMatchObject({
      '400': { $ref: '#/components/responses/BadRequest' },
      '429': { $ref: '#/components/responses/TooManyRequests' },
    });
  });

  it('is a valid OpenAPI 3.1 document (and the validator does refuse a broken one)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(committed) as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);

    const broken = structuredClone(committed) as unknown as Record<string, unknown>;
    broken.paths = { '/api/members': { post: { responses: 'none' } } };
    expect((await validator.validate(broken)).valid).toBe(false);
  });
});

describe('the API reference page (web/api-reference.html)', () => {
  const page = readFileSync(path.resolve('web/api-reference.html'), 'utf8');

  it('loads only scripts of its own site, none inline, so the strict Content-Security-Policy holds', () => {
    const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, content] of scripts) {
      const source = /src="([^"]+)"/.exec(attributes ?? '')?.[1];
      expect(source, attributes).toMatch(/^\/[\w-]+\.js$/);
      expect(content?.trim()).toBe('');
      expect(existsSync(path.resolve('web', `.${source}`)), source).toBe(true);
    }
    expect(page).not.toMatch(/\son\w+=|javascript:|<style\b|\sstyle=/i);
    expect(readFileSync(path.resolve('web/api-reference.js'), 'utf8')).toContain("fetch('/api/openapi.json'");
  });
});
