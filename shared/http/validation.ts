import type * as z from 'zod';
import type { FieldProblem } from '../errors';

/** zod issues as the field-by-field list the API returns: `{ field: "consent.privacyNotice", message }`. */
export function zodProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.slice(0, 50).map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
}
