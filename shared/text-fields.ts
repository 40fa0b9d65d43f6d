/** zod pieces for what people type: trimmed, NFC-normalised, one line (so it can never reach a header). */
import { z } from 'zod';

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
