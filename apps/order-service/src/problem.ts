import type { Logger } from '@eventline/observability';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';

import { ApiError, problemTypes, type ApiErrorCode } from './errors';

export const problemContentType = 'application/problem+json';

/** Writes `error` as RFC 9457 problem details. */
export function sendProblem(request: Request, response: Response, error: ApiError): void {
  const kind = problemTypes[error.code];
  for (const [name, value] of Object.entries(error.headers)) {
    response.setHeader(name, value);
  }
  response
    .status(kind.status)
    .type(problemContentType)
    .json({
      type: kind.type,
      title: kind.title,
      status: kind.status,
      detail: error.message,
      instance: request.originalUrl,
      ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    });
}

/** For a path no route serves. */
export const routeNotFound: RequestHandler = (request) => {
  throw new ApiError('ROUTE_NOT_FOUND', `Nothing is served at ${request.method} ${request.path}`);
};

/** For a path that is served, by another method: 405 with Allow; OPTIONS answers with Allow. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  const allow = allowed.join(', ');
  return (request, response) => {
    if (request.method === 'OPTIONS') {
      response.setHeader('Allow', allow);
      response.status(204).end();
      return;
    }

    throw new ApiError('METHOD_NOT_ALLOWED', `${request.path} accepts ${allow}`, {
      headers: { Allow: allow },
    });
  };
}

/**
 * body-parser's refusals, by their `type` (a stable code it sets on every
 * error it raises), as this API's error codes.
 */
const bodyParserErrors: Record<string, ApiErrorCode> = {
  'entity.parse.failed': 'MALFORMED_JSON',
  'entity.too.large': 'BODY_TOO_LARGE',
  'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
};

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) {
    return error;
  }

  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
    const code = bodyParserErrors[type] ?? 'BAD_REQUEST';
    const detail =
      code === 'MALFORMED_JSON'
        ? `The body could not be parsed as JSON: ${error instanceof Error ? error.message : type}`
        : code === 'BODY_TOO_LARGE'
          ? 'The body exceeds the size limit of this endpoint'
          : `The request was refused (${type})`;
    return new ApiError(code, detail, { cause: error });
  }

  return new ApiError('INTERNAL', 'The service failed to handle the request', { cause: error });
}

/** The last middleware: every error becomes a problem response; failures of the service are logged. */
export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }

    const problem = asApiError(error);
    if (problem.code === 'INTERNAL') {
      logger.error(
        { method: request.method, path: request.path, error: String(error) },
        'A request failed',
      );
    }
    sendProblem(request, response, problem);
  };
}
