import { apiSchemas } from './api-schemas';
import { currencies, limits, orderStatuses } from './order';
import { defaultPageSize, maxPageSize } from './request-validation';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const json = (description: string, schema: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});

const methodNotAllowed = {
  description: 'The path does not support this method; Allow lists the ones it does.',
  headers: { Allow: { schema: { type: 'string' }, description: 'e.g. GET, POST' } },
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/**
 * The API as OpenAPI 3.1, served at GET /openapi.json. The component schemas
 * are the ones request bodies are validated against.
 */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'eventline order service',
    version: '1.0.0',
    description:
      'Places orders and reports their progress. Placing an order stores it as PENDING and ' +
      'publishes OrderPlaced in the same transaction; the order saga then confirms or ' +
      'cancels it. Amounts are integers in minor units of the currency (cents for EUR). ' +
      'Every error is an RFC 9457 application/problem+json document; a refused request ' +
      'writes nothing.',
  },
  paths: {
    '/orders': {
      post: {
        operationId: 'placeOrder',
        summary: 'Place an order',
        parameters: [
          { $ref: '#/components/parameters/IdempotencyKey' },
          { $ref: '#/components/parameters/CorrelationId' },
          { $ref: '#/components/parameters/Traceparent' },
        ],
        requestBody: {
          required: true,
          description:
            `At most ${limits.maxBodyBytes / 1024} KiB of application/json. Currencies: ` +
            `${currencies.join(', ')}.`,
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/PlaceOrderRequest' } },
          },
        },
        responses: {
          '202': json(
            'Accepted: the order is PENDING until the saga confirms or cancels it. A retry ' +
              'with the same Idempotency-Key and body answers the same order (its current ' +
              'status) with Idempotent-Replayed: true and writes nothing.',
            'OrderAccepted',
            {
              Location: { schema: { type: 'string' }, description: '/orders/{id}' },
              'x-correlation-id': {
                schema: { type: 'string', format: 'uuid' },
                description:
                  'The correlation id the OrderPlaced event carries; absent on a replay.',
              },
              'Idempotent-Replayed': {
                schema: { type: 'string', enum: ['true'] },
                description: 'Present when an earlier request with this key placed the order.',
              },
            },
          ),
          '400': problem('Malformed JSON, or invalid fields (each named in `errors`).'),
          '405': methodNotAllowed,
          '413': problem(`The body is over ${limits.maxBodyBytes / 1024} KiB.`),
          '415': problem('The body is not application/json.'),
          '422': problem('The Idempotency-Key was used before with a different body.'),
        },
      },
      get: {
        operationId: 'listOrders',
        summary: 'List orders, newest first',
        parameters: [
          {
            name: 'status',
            in: 'query',
            schema: { type: 'string', enum: orderStatuses },
          },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: maxPageSize, default: defaultPageSize },
          },
          {
            name: 'cursor',
            in: 'query',
            description: 'The nextCursor of the previous page; opaque.',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': json('A page of orders.', 'OrderPage'),
          '400': problem('A bad status, limit or cursor (each named in `errors`).'),
          '405': methodNotAllowed,
        },
      },
    },
    '/orders/{id}': {
      get: {
        operationId: 'getOrder',
        summary: 'An order with its saga progress',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        ],
        responses: {
          '200': json('The order.', 'OrderWithProgress'),
          '400': problem('The id is not a UUID.'),
          '404': problem('No order has this id.'),
          '405': methodNotAllowed,
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
      },
    },
    '/healthz': {
      get: {
        operationId: 'health',
        summary: 'The process answers',
        responses: { '200': { description: 'Alive', content: { 'application/json': {} } } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'ready',
        summary: 'Postgres and Kafka answer',
        responses: {
          '200': { description: 'Ready', content: { 'application/json': {} } },
          '503': {
            description: 'Not ready; names what does not answer',
            content: { 'application/json': {} },
          },
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        responses: {
          '200': { description: 'Prometheus text format', content: { 'text/plain': {} } },
        },
      },
    },
  },
  components: {
    schemas: apiSchemas,
    parameters: {
      IdempotencyKey: {
        name: 'Idempotency-Key',
        in: 'header',
        description:
          'Makes retries safe: the same key and body answer the order placed first; the same ' +
          'key with another body is refused with 422. 1 to 255 visible ASCII characters.',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      },
      CorrelationId: {
        name: 'x-correlation-id',
        in: 'header',
        description:
          'A UUID carried by every event the order causes; another value is replaced by a new ' +
          'id, which the response echoes.',
        schema: { type: 'string', format: 'uuid' },
      },
      Traceparent: {
        name: 'traceparent',
        in: 'header',
        description: 'W3C trace context; the events continue this trace when it is valid.',
        schema: { type: 'string' },
      },
    },
  },
} as const;
