import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../errors';
import { logger } from '../logger';
import { renderMessagePage } from '../pages';
import { errorBody, type HttpResponse, html, json } from './responses';

const wantsHtml = (event: APIGatewayProxyEventV2): boolean => {
  const accept = event.headers?.accept ?? '';
  return accept.includes('text/html') && !accept.includes('application/json');
};

/** Maps typed errors to their status; anything else becomes a 500 that carries no internals. */
export const errorMapper = (): MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> => ({
  onError: async (request) => {
    const error = request.error;
    if (error instanceof AppError) {
      if (error.statusCode >= 500) logger.error('request failed', { error });
      else logger.info('request refused', { status: error.statusCode, code: error.code });
      request.response = wantsHtml(request.event)
        ? html(
            error.statusCode,
            renderMessagePage({
              title: titleFor(error.statusCode, error.code),
              message: error.message,
              form: formFor(error.code),
            }),
          )
        : json(error.statusCode, errorBody(error.code, error.message, error.details), error.headers);
      if (error.headers) request.response.headers = { ...request.response.headers, ...error.headers };
      return;
    }
    logger.error('unhandled error', { error });
    request.response = json(
      500,
      errorBody('internal_error', 'Something went wrong on our side. Please try again.'),
    );
  },
});

/** An expired link offers a fresh one by e-mail, right on the page. */
function formFor(code: string) {
  if (code !== 'token_expired' && code !== 'invalid_token') return undefined;
  return {
    action: '/api/members/links',
    button: 'E-mail me a fresh link',
    fields: [{ name: 'email', label: 'Your e-mail address', type: 'email' as const }],
  };
}

function titleFor(status: number, code: string): string {
  if (code === 'token_expired') return 'This link has expired';
  if (code === 'invalid_token') return 'This link is not valid';
  if (code === 'member_gone') return 'We no longer hold your registration';
  if (status === 410) return 'No longer available';
  if (status === 429) return 'Please slow down';
  if (status >= 500) return 'Something went wrong';
  return 'We could not do that';
}
