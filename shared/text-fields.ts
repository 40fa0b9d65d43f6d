/** zod pieces for what people type: trimmed, NFC-normalised, one line (so it can never reach a header). */
import * as z from 'zod';

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
export const controlCharacters = /[\u0000-\u001f\u007f\u2028\u2029]/;

/** A required one-line text; `label` reads in messages: "Enter your name". */
export const singleLine = (label: string, max: number) =>
  z
    .string({ error: `Enter ${label}` })
    .transform((value) => value.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1, `Enter ${label}`)
        .max(max, `Shorten ${label} to ${max} characters or fewer`)
        .refine((value) => !controlCharacters.test(value), `Write ${label} on one line`),
    );

/** An optional one-line text that may be empty. */
export const optionalLine = (label: string, max: number) =>
  z
    .string()
    .transform((value) => value.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .max(max, `Shorten ${label} to ${max} characters or fewer`)
        .refine((value) => !controlCharacters.test(value), `Write ${label} on one line`),
    );

/**
 * What a person's name may not hold, because names are echoed into mail sent to addresses that never
 * asked for it: a web address, an e-mail address, or characters that hide or reorder text (lone
 * surrogates, bidi overrides and isolates, zero-width and other format characters). Dots alone are fine
 * ("J. R. R. Tolkien", "St. John"); a dotted token reads as a domain when it has no space after the dot,
 * at least two characters before it and a final part of two or more letters ("evil.example/…").
 */
const webAddress =
  /[a-z][a-z0-9+.-]*:\/\/|\bwww\.|[\p{L}\p{N}-]{2,}(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}(?![\p{L}\p{N}])/iu;
const emailAddress = /[^\s@]+@[^\s@]+\.[^\s@]+/u;
// Format characters (bidi controls, zero-width, BOM, tags…), C0/C1 controls and lone surrogates. ZWNJ and ZWJ
// are allowed between letters, where Persian and Indic names need them, and nowhere else.
const hidden =
  /\p{Cs}|\p{Cc}|(?![\u200c\u200d])\p{Cf}|(?<![\p{L}\p{M}])[\u200c\u200d]|[\u200c\u200d](?![\p{L}\p{M}])/u;
// Blank-looking letters that trim() keeps.
const blank = /[\s\p{Cf}\u115f\u1160\u3164\uffa0\u2800]/gu;

/** Why `value` cannot be a person's name, or undefined when it can. `label` reads "your name". */
export const personNameProblem = (value: string, label: string): string | undefined => {
  if (value.replace(blank, '') === '' && value !== '') return `Enter ${label} in visible letters`;
  if (hidden.test(value)) return `Remove invisible or direction-changing characters from ${label}`;
  if (emailAddress.test(value)) return `Remove the e-mail address from ${label}`;
  if (webAddress.test(value)) return `Remove the web address from ${label}`;
  return undefined;
};

const namePart = (label: string) =>
  z.string().check((context) => {
    const problem = personNameProblem(context.value, label);
    if (problem) context.issues.push({ code: 'custom', message: problem, input: context.value });
  });

/** A required person's name: one line, no web or e-mail addresses, nothing invisible. */
export const personName = (label: string, max: number) => singleLine(label, max).pipe(namePart(label));

/** An optional person's name that may be empty, under the same rules. */
export const optionalPersonName = (label: string, max: number) =>
  optionalLine(label, max).pipe(namePart(label));
