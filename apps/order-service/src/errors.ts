/** Where a bad value was found: the body, the query string, the path or a header. */
export type FieldLocation = 'body' | 'query' | 'path' | 'header';

/** One bad value: a JSON pointer into its location (`/items/0/quantity`) and what is wrong. */
export interface FieldError {
  in: FieldLocation;
  path: string;
  message: string;
}

/**
 * Why a request was refused. A closed set: the problem response (status,
 * type, title) of each code is fixed in `problemTypes`.
 */
export type ApiErrorCode =
  | 'MALFORMED_JSON'
  | 'VALIDATION_FAILED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'ORDER_NOT_FOUND'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BAD_REQUEST'
  | 'INTERNAL';

export interface ProblemType {
  status: number;
  /** A URN naming the kind of problem (RFC 9457 `type`); clients branch on it. */
  type: string;
  title: string;
}

export const problemTypes: Record<ApiErrorCode, ProblemType> = {
  MALFORMED_JSON: {
    status: 400,
    type: 'urn:eventline:problem:malformed-json',
    title: 'The request body is not valid JSON',
  },
  VALIDATION_FAILED: {
    status: 400,
    type: 'urn:eventline:problem:validation-failed',
    title: 'The request has invalid fields',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    type: 'urn:eventline:problem:idempotency-key-reused',
    title: 'The Idempotency-Key was already used for a different request',
  },
  ORDER_NOT_FOUND: {
    status: 404,
    type: 'urn:eventline:problem:order-not-found',
    title: 'No order has this id',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    type: 'urn:eventline:problem:route-not-found',
    title: 'No resource at this path',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    type: 'urn:eventline:problem:method-not-allowed',
    title: 'The resource does not support this method',
  },
  BODY_TOO_LARGE: {
    status: 413,
    type: 'urn:eventline:problem:body-too-large',
    title: 'The request body is too large',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    type: 'urn:eventline:problem:unsupported-media-type',
    title: 'The request body must be application/json',
  },
  BAD_REQUEST: {
    status: 400,
    type: 'urn:eventline:problem:bad-request',
    title: 'The request cannot be read',
  },
  INTERNAL: {
    status: 500,
    type: 'urn:eventline:problem:internal',
    title: 'The service failed to handle the request',
  },
};

/** A refusal of the API; the error handler turns it into an application/problem+json response. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly errors: FieldError[];
  /** Extra response headers, e.g. Allow on a 405. */
  readonly headers: Record<string, string>;

  constructor(
    code: ApiErrorCode,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errors = options.errors ?? [];
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return problemTypes[this.code].status;
  }
}

/** A 400 naming every bad field. */
export function validationFailed(errors: FieldError[]): ApiError {
  const where = [...new Set(errors.map((error) => error.in))].join(' and ');
  return new ApiError(
    'VALIDATION_FAILED',
    `${errors.length} invalid value${errors.length === 1 ? '' : 's'} in the request ${where}`,
    { errors },
  );
}
