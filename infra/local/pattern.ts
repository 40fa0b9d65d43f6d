/**
 * EventBridge event patterns, evaluated locally. Supports literal values and the prefix, suffix,
 * anything-but, exists, equals-ignore-case and numeric operators. Anything else is refused when the
 * rule is compiled (at start-up), never silently treated as a non-match.
 */
type Matcher = (event: unknown) => boolean;
type ValueTest = (value: unknown, present: boolean) => boolean;

export class UnsupportedPatternError extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function compilePattern(pattern: unknown, where = 'pattern'): Matcher {
  if (!isRecord(pattern) || Object.keys(pattern).length === 0) {
    throw new UnsupportedPatternError(`${where}: an event pattern must be a non-empty object`);
  }
  const fields = Object.entries(pattern).map(([key, spec]) => {
    if (key.startsWith('$'))
      throw new UnsupportedPatternError(`${where}.${key}: the local bus does not evaluate ${key}`);
    const path = `${where}.${key}`;
    if (isRecord(spec)) {
      const nested = compilePattern(spec, path);
      return (event: Record<string, unknown>) => nested(event[key]);
    }
    if (!Array.isArray(spec) || spec.length === 0) {
      throw new UnsupportedPatternError(`${path}: must be a non-empty array of values or a nested object`);
    }
    const tests = spec.map((item, index) => compileValue(item, `${path}[${index}]`));
    return (event: Record<string, unknown>) => {
      const present = Object.hasOwn(event, key);
      const value = event[key];
      const candidates = Array.isArray(value) ? value : [value];
      return tests.some((test) =>
        candidates.length === 0
          ? test(undefined, present)
          : candidates.some((candidate) => test(candidate, present)),
      );
    };
  });
  return (event) => isRecord(event) && fields.every((field) => field(event));
}

function compileValue(item: unknown, where: string): ValueTest {
  if (item === null || typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
    return (value, present) => present && value === item;
  }
  if (!isRecord(item) || Object.keys(item).length !== 1) {
    throw new UnsupportedPatternError(`${where}: expected a value or a single-operator object`);
  }
  const [operator, operand] = Object.entries(item)[0] as [string, unknown];
  switch (operator) {
    case 'prefix':
      if (typeof operand !== 'string') break;
      return (value, present) => present && typeof value === 'string' && value.startsWith(operand);
    case 'suffix':
      if (typeof operand !== 'string') break;
      return (value, present) => present && typeof value === 'string' && value.endsWith(operand);
    case 'equals-ignore-case':
      if (typeof operand !== 'string') break;
      return (value, present) =>
        present && typeof value === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'exists':
      if (typeof operand !== 'boolean') break;
      return (_value, present) => present === operand;
    case 'anything-but': {
      const excluded = Array.isArray(operand) ? operand : [operand];
      if (excluded.every((value) => ['string', 'number'].includes(typeof value))) {
        return (value, present) => present && !excluded.includes(value);
      }
      if (isRecord(operand) && typeof operand.prefix === 'string' && Object.keys(operand).length === 1) {
        const prefix = operand.prefix;
        return (value, present) => present && typeof value === 'string' && !value.startsWith(prefix);
      }
      break;
    }
    case 'numeric':
      return compileNumeric(operand, where);
  }
  throw new UnsupportedPatternError(`${where}: the local bus does not evaluate ${JSON.stringify(item)}`);
}

const comparisons: Record<string, (left: number, right: number) => boolean> = {
  '<': (left, right) => left < right,
  '<=': (left, right) => left <= right,
  '=': (left, right) => left === right,
  '>=': (left, right) => left >= right,
  '>': (left, right) => left > right,
};

function compileNumeric(operand: unknown, where: string): ValueTest {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new UnsupportedPatternError(`${where}: numeric takes pairs like [">", 0, "<=", 5]`);
  }
  const checks: Array<(value: number) => boolean> = [];
  for (let index = 0; index < operand.length; index += 2) {
    const compare = comparisons[String(operand[index])];
    const bound = operand[index + 1];
    if (!compare || typeof bound !== 'number') {
      throw new UnsupportedPatternError(`${where}: numeric takes pairs like [">", 0, "<=", 5]`);
    }
    checks.push((value) => compare(value, bound));
  }
  return (value, present) => present && typeof value === 'number' && checks.every((check) => check(value));
}
