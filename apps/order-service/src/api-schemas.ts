import type { OrderCancellationReason } from '@eventline/schemas';

import type { JsonSchema } from './json-schema';
import { currencies, limits, orderStatuses } from './order';

// Keyed by the generated type, so a reason added to the Avro enum fails the
// type check here until the API document lists it too.
const cancellationReasonSet: Record<OrderCancellationReason, true> = {
  UNKNOWN: true,
  OUT_OF_STOCK: true,
  PAYMENT_DECLINED: true,
  TIMED_OUT: true,
};
const cancellationReasons = Object.keys(cancellationReasonSet);

/**
 * The API's data shapes, published under `components.schemas` of the
 * OpenAPI document and used as they are to validate request bodies.
 */
export const apiSchemas = {
  OrderItemRequest: {
    type: 'object',
    description: 'One product line of a new order.',
    required: ['sku', 'quantity', 'unitPrice'],
    additionalProperties: false,
    properties: {
      sku: {
        type: 'string',
        description: 'Stock keeping unit of the product.',
        minLength: 1,
        maxLength: limits.maxSkuLength,
        pattern: '^\\S+$',
        'x-pattern-message': 'must not contain whitespace',
        examples: ['SKU-1'],
      },
      quantity: {
        type: 'integer',
        description: 'How many units.',
        minimum: 1,
        maximum: limits.maxQuantity,
      },
      unitPrice: {
        type: 'integer',
        description:
          'Price of one unit as an integer in minor units of the currency (cents for EUR, ' +
          'yen for JPY), never a decimal: 1999 means 19.99 EUR.',
        minimum: 0,
        maximum: limits.maxUnitPrice,
        examples: [1999],
      },
    },
  },

  PlaceOrderRequest: {
    type: 'object',
    description: 'A new order. Unknown fields are refused.',
    required: ['customerId', 'items', 'currency'],
    additionalProperties: false,
    properties: {
      customerId: { type: 'string', format: 'uuid', description: 'The customer placing it.' },
      items: {
        type: 'array',
        description: 'What is ordered, in the order given.',
        minItems: 1,
        maxItems: limits.maxItems,
        items: { $ref: '#/components/schemas/OrderItemRequest' },
      },
      currency: {
        type: 'string',
        description: `ISO 4217 code of the currency of every amount; accepted: ${currencies.join(', ')}.`,
        enum: currencies,
      },
    },
  },

  OrderAccepted: {
    type: 'object',
    description: 'The order is stored and OrderPlaced is on its way to the saga.',
    required: ['id', 'status'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: orderStatuses },
    },
  },

  OrderItem: {
    type: 'object',
    required: ['sku', 'quantity', 'unitPrice', 'lineTotal'],
    properties: {
      sku: { type: 'string' },
      quantity: { type: 'integer' },
      unitPrice: { type: 'integer', description: 'Minor units of the order currency.' },
      lineTotal: { type: 'integer', description: 'quantity × unitPrice, minor units.' },
    },
  },

  Order: {
    type: 'object',
    required: [
      'id',
      'customerId',
      'status',
      'cancelReason',
      'items',
      'total',
      'currency',
      'createdAt',
      'updatedAt',
    ],
    properties: {
      id: { type: 'string', format: 'uuid' },
      customerId: { type: 'string', format: 'uuid' },
      status: {
        type: 'string',
        enum: orderStatuses,
        description: 'PENDING until the saga confirms or cancels the order; both are final.',
      },
      cancelReason: {
        type: ['string', 'null'],
        enum: [...cancellationReasons, null],
        description: 'Why the order was cancelled; null unless CANCELLED.',
      },
      items: { type: 'array', items: { $ref: '#/components/schemas/OrderItem' } },
      total: { type: 'integer', description: 'Sum of the line totals, minor units.' },
      currency: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },

  OrderWithProgress: {
    description: 'An order with the progress of its saga.',
    allOf: [
      { $ref: '#/components/schemas/Order' },
      {
        type: 'object',
        required: ['progress'],
        properties: {
          progress: {
            type: ['object', 'null'],
            description:
              "The order saga's own view (state, current step, transitions) as the saga " +
              'reports it; null when the saga service did not answer in time or knows no ' +
              'saga for the order yet.',
          },
        },
      },
    ],
  },

  OrderPage: {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: { $ref: '#/components/schemas/Order' } },
      nextCursor: {
        type: ['string', 'null'],
        description: 'Pass as `cursor` for the next page; null on the last page.',
      },
    },
  },

  FieldError: {
    type: 'object',
    required: ['in', 'path', 'message'],
    properties: {
      in: { type: 'string', enum: ['body', 'query', 'path', 'header'] },
      path: {
        type: 'string',
        description:
          'JSON pointer to the bad value within its location, e.g. /items/0/quantity; a ' +
          'query parameter or header is named as /name.',
      },
      message: { type: 'string' },
    },
  },

  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details, served as application/problem+json.',
    required: ['type', 'title', 'status'],
    properties: {
      type: {
        type: 'string',
        format: 'uri',
        examples: ['urn:eventline:problem:validation-failed'],
      },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      errors: {
        type: 'array',
        description: 'Every invalid value, when the problem is about request fields.',
        items: { $ref: '#/components/schemas/FieldError' },
      },
    },
  },
} satisfies Record<string, JsonSchema>;

export type ApiSchemaName = keyof typeof apiSchemas;

/** Resolves `#/components/schemas/<name>` within these schemas. */
export function resolveApiSchema(ref: string): JsonSchema | undefined {
  const prefix = '#/components/schemas/';
  if (!ref.startsWith(prefix)) {
    return undefined;
  }

  const name = ref.slice(prefix.length);
  return Object.hasOwn(apiSchemas, name) ? apiSchemas[name as ApiSchemaName] : undefined;
}
