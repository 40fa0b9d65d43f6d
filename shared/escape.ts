const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes user text for HTML text and attribute positions. */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);

/**
 * Folds any control characters (CR, LF, tabs, NUL..., and the C1 controls such as NEL, which some
 * readers break lines on) and the Unicode line and paragraph separators to a space, for headers and
 * one-line text.
 */
export const oneLine = (value: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
