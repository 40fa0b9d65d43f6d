/** Typed errors, mapped to HTTP responses once (shared/http/error-mapper.ts). */
export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class Invalid extends AppError {
  constructor(message: string, details?: FieldProblem[]) {
    super(400, 'invalid_request', message, details);
  }
}

/** A link whose token is missing, damaged or meant for something else. */
export class InvalidLink extends AppError {
  constructor(message = 'This link is not valid. Please use the most recent link we sent you.') {
    super(400, 'invalid_token', message, [{ field: 'token', message: 'not valid for this purpose' }]);
  }
}

export class Unauthorized extends AppError {
  constructor(message = 'A valid bearer token is required.') {
    super(401, 'unauthorized', message);
  }
}

export class Forbidden extends AppError {
  constructor(message = 'Your account is not allowed to do this.') {
    super(403, 'forbidden', message);
  }
}

export class NotFound extends AppError {
  constructor(message = 'Not found.') {
    super(404, 'not_found', message);
  }
}

export class Conflict extends AppError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

export class Gone extends AppError {
  constructor(code: string, message: string) {
    super(410, code, message);
  }
}

export class PayloadTooLarge extends AppError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `The request body is larger than ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaType extends AppError {
  constructor(message = 'Send the body as application/json.') {
    super(415, 'unsupported_media_type', message);
  }
}

export class TooManyRequests extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      429,
      'too_many_requests',
      `Too many requests from your network. Please try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
      undefined,
      {
        'retry-after': String(retryAfterSeconds),
      },
    );
  }
}

export class Unavailable extends AppError {
  constructor(message = 'The service is busy. Please try again in a moment.') {
    super(503, 'unavailable', message);
  }
}
