/**
 * A value made on first use and kept. For module-scope things that cost a cold start time but not
 * every handler that imports the module needs: an `Intl` formatter with a time zone (~10 ms, ICU
 * loads its zone data), a set of schemas. Clients stay plain module-scope constants.
 */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
