/**
 * The API reference page: reads /api/openapi.json (generated from the catalogue and the handlers' own
 * zod schemas) and shows every operation: who may call it, its parameters, its body and its answers.
 * The DOM is built with createElement and textContent only, so nothing in the document can become
 * markup; the page loads no script but its own, as the site's Content-Security-Policy requires.
 */

/** createElement with properties and children; strings become text nodes, never HTML. */
function el(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** A description's `code` spans become <code>; everything else stays text. */
const richText = (text) =>
  String(text ?? '')
    .split('`')
    .map((part, index) => (index % 2 === 1 ? el('code', {}, part) : part));

const plural = (count, word) => `${count} ${word}${count === 1 ? '' : 's'}`;

function range(min, max, unit) {
  if (min !== undefined && max !== undefined) return `${min} to ${plural(max, unit)}`;
  if (min !== undefined) return `at least ${plural(min, unit)}`;
  if (max !== undefined) return `at most ${plural(max, unit)}`;
  return null;
}

/** What a schema allows beyond its type, in words. */
function constraintsOf(schema) {
  const said = [
    Array.isArray(schema.enum)
      ? `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`
      : null,
    schema.const !== undefined ? `exactly ${JSON.stringify(schema.const)}` : null,
    range(schema.minLength, schema.maxLength, 'character'),
    range(schema.minItems, schema.maxItems, 'item'),
    schema.minimum !== undefined ? `from ${schema.minimum}` : null,
    schema.maximum !== undefined ? `up to ${schema.maximum}` : null,
    schema.format ? `format ${schema.format}` : null,
    schema.pattern && !schema.format ? `matching ${schema.pattern}` : null,
    schema.default !== undefined ? `default ${JSON.stringify(schema.default)}` : null,
  ];
  return said.filter(Boolean).join('; ');
}

function typeOf(schema) {
  if (schema.anyOf || schema.oneOf) return 'one of the shapes below';
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'anything'}`;
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  return schema.type ?? 'anything';
}

const isNested = (schema) =>
  Boolean(schema.properties || schema.anyOf || schema.oneOf || (schema.items && isNested(schema.items)));

/** A schema as a list of its fields, nested shapes indented under the field that holds them. */
function schemaView(schema) {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    return el(
      'ol',
      { className: 'api-schema' },
      alternatives.map((alternative) => el('li', {}, schemaView(alternative))),
    );
  }
  if (schema.type === 'array' && schema.items && isNested(schema.items)) return schemaView(schema.items);
  if (!schema.properties) {
    const constraints = constraintsOf(schema);
    return el(
      'p',
      {},
      typeOf(schema),
      constraints ? el('span', { className: 'api-constraints' }, ` (${constraints})`) : null,
    );
  }
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties).map(([name, property]) => {
    const constraints = constraintsOf(property);
    return el(
      'li',
      {},
      el('code', {}, name),
      `: ${typeOf(property)}, ${required.has(name) ? 'required' : 'optional'}`,
      constraints ? el('span', { className: 'api-constraints' }, `; ${constraints}`) : null,
      property.description ? ['. ', ...richText(property.description)] : null,
      isNested(property) ? schemaView(property) : null,
    );
  });
  if (schema.additionalProperties === false) fields.push(el('li', {}, 'No other fields.'));
  return el('ul', { className: 'api-schema' }, fields);
}

function parameterItem(parameter) {
  const constraints = constraintsOf(parameter.schema ?? {});
  return el(
    'li',
    {},
    el('code', {}, parameter.name),
    ` (${parameter.in}${parameter.required ? ', required' : ', optional'}): ${typeOf(parameter.schema ?? {})}`,
    constraints ? el('span', { className: 'api-constraints' }, `; ${constraints}`) : null,
  );
}

/** `#/components/responses/NotFound` → the response it names. */
function resolve(spec, value) {
  const pointer = value?.$ref;
  if (typeof pointer !== 'string' || !pointer.startsWith('#/')) return value;
  return pointer
    .slice(2)
    .split('/')
    .reduce((node, key) => node?.[key], spec);
}

function operationView(spec, path, method, operation) {
  const parts = [
    el('h3', {}, operation.summary ?? `${method.toUpperCase()} ${path}`),
    el('p', {}, el('span', { className: 'api-method' }, method.toUpperCase()), ' ', el('code', {}, path)),
    el('p', {}, richText(operation.description)),
  ];
  if (operation.parameters?.length) {
    parts.push(el('h4', {}, 'Parameters'), el('ul', {}, operation.parameters.map(parameterItem)));
  }
  if (operation.requestBody) {
    const body = operation.requestBody;
    const [mediaType, content] = Object.entries(body.content ?? {})[0] ?? ['*/*', {}];
    parts.push(
      el('h4', {}, body.required ? 'Body' : 'Body (optional)'),
      el(
        'p',
        {},
        mediaType === '*/*' ? 'Any media type' : el('code', {}, mediaType),
        body.description ? ['. ', ...richText(body.description)] : null,
      ),
      content.schema && Object.keys(content.schema).length > 0 ? schemaView(content.schema) : null,
    );
  }
  // 2XX first, then the errors by status.
  const answers = Object.entries(operation.responses ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, response]) =>
      el('li', {}, el('code', {}, status), ' ', richText(resolve(spec, response)?.description)),
    );
  parts.push(el('h4', {}, 'Answers'), el('ul', {}, answers));
  return el('section', { className: 'api-operation', id: operation.operationId }, parts);
}

const methods = ['get', 'post', 'put', 'patch', 'delete'];

function render(spec) {
  const operations = Object.entries(spec.paths ?? {}).flatMap(([path, item]) =>
    methods.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method] })),
  );
  const tags = (spec.tags ?? []).map((tag) => tag.name);
  const byTag = tags.map((tag) => ({
    tag,
    operations: operations.filter(({ operation }) => (operation.tags ?? [])[0] === tag),
  }));
  const contents = el(
    'nav',
    { className: 'api-contents' },
    el('h2', {}, 'Contents'),
    el(
      'ul',
      {},
      byTag.map(({ tag, operations: tagged }) =>
        el(
          'li',
          {},
          el('a', { href: `#tag-${tag}` }, tag),
          el(
            'ul',
            {},
            tagged.map(({ path, method, operation }) =>
              el('li', {}, el('a', { href: `#${operation.operationId}` }, `${method.toUpperCase()} ${path}`)),
            ),
          ),
        ),
      ),
    ),
  );
  contents.setAttribute('aria-label', 'Operations');
  const about = el(
    'section',
    {},
    el('h2', {}, 'About'),
    el('p', {}, richText(spec.info?.description)),
    el('p', {}, `Version ${spec.info?.version ?? ''} (OpenAPI ${spec.openapi ?? ''}).`),
  );
  const sections = byTag.map(({ tag, operations: tagged }) =>
    el(
      'section',
      {},
      el('h2', { id: `tag-${tag}` }, tag.charAt(0).toUpperCase() + tag.slice(1)),
      tagged.map(({ path, method, operation }) => operationView(spec, path, method, operation)),
    ),
  );
  return [about, contents, ...sections];
}

async function main() {
  const status = document.getElementById('api-status');
  const target = document.getElementById('api-reference');
  try {
    const response = await fetch('/api/openapi.json', {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(15000),
    });
    if (!response.ok) throw new Error(`the API answered ${response.status}`);
    target.replaceChildren(...render(await response.json()));
    status.textContent = '';
  } catch (error) {
    status.textContent = `The API description could not be loaded (${error.message}). Please try again later.`;
  }
}

main();
