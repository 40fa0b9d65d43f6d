/**
 * What a bundle gets for zod's JSON Schema generation (core/to-json-schema.js and
 * core/json-schema-processors.js). Every zod schema carries a `toJSONSchema` method and processors
 * for it, so the generator is bundled with any schema; the functions never call it (the OpenAPI
 * document is generated at build time, infra/write-openapi.ts). About 18 KB of every bundle.
 */
const notBundled = () => {
  throw new Error('zod JSON Schema generation is not bundled into functions (infra/cdk/stand-ins/)');
};

// to-json-schema.js: the method factories run when a schema is built; the methods they make throw.
export const createToJSONSchemaMethod = () => notBundled;
export const createStandardJSONSchemaMethod = () => notBundled;
export const initializeContext = notBundled;
export const handleUnrepresentable = notBundled;
export const processSchema = notBundled;
export { processSchema as process };
export const extractDefs = notBundled;
export const finalize = notBundled;

// json-schema-processors.js
export const aggregateChecks = notBundled;
export const stringProcessor = notBundled;
export const numberProcessor = notBundled;
export const booleanProcessor = notBundled;
export const bigintProcessor = notBundled;
export const symbolProcessor = notBundled;
export const nullProcessor = notBundled;
export const undefinedProcessor = notBundled;
export const voidProcessor = notBundled;
export const neverProcessor = notBundled;
export const anyProcessor = notBundled;
export const unknownProcessor = notBundled;
export const dateProcessor = notBundled;
export const enumProcessor = notBundled;
export const literalProcessor = notBundled;
export const nanProcessor = notBundled;
export const templateLiteralProcessor = notBundled;
export const fileProcessor = notBundled;
export const successProcessor = notBundled;
export const customProcessor = notBundled;
export const functionProcessor = notBundled;
export const transformProcessor = notBundled;
export const mapProcessor = notBundled;
export const setProcessor = notBundled;
export const arrayProcessor = notBundled;
export const objectProcessor = notBundled;
export const unionProcessor = notBundled;
export const intersectionProcessor = notBundled;
export const tupleProcessor = notBundled;
export const recordProcessor = notBundled;
export const nullableProcessor = notBundled;
export const nonoptionalProcessor = notBundled;
export const defaultProcessor = notBundled;
export const prefaultProcessor = notBundled;
export const catchProcessor = notBundled;
export const pipeProcessor = notBundled;
export const readonlyProcessor = notBundled;
export const promiseProcessor = notBundled;
export const optionalProcessor = notBundled;
export const lazyProcessor = notBundled;
export const allProcessors = {};
export const toJSONSchema = notBundled;
