import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import document from './openapi.json' with { type: 'json' };

/**
 * This API described as OpenAPI 3.1. The document is generated from the catalogue and the handlers'
 * own zod schemas (`npm run openapi`, infra/openapi.ts) and bundled as data, so this function does not
 * carry every other handler with it.
 */
export const handler = route({}, async () => json(200, document, { 'cache-control': 'public, max-age=300' }));
