/**
 * What a bundled function gets for `entities` (function.ts aliases it here). Its only importer in a
 * bundle is markdown-it, which takes `decodeHTML` and `decodeHTMLStrict` and nothing else; the
 * package's index also brings the encoder, whose ~23 KB table is built at module scope. These are the
 * package's own decoders (the same file its index re-exports), by relative path so the alias does not
 * catch them.
 */
export { decodeHTML, decodeHTMLStrict } from '../../../node_modules/entities/lib/esm/decode.js';
