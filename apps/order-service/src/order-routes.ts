import type { Pool } from '@eventline/db';
import type { OutboxPublisher } from '@eventline/outbox';
import type { EventTypes } from '@eventline/schemas';
import express, { Router, type RequestHandler } from 'express';

import { encodeCursor } from './cursor';
import { ApiError } from './errors';
import { limits } from './order';
import { findOrder, listOrders } from './order-repository';
import { orderRepresentation } from './order-representation';
import { placeOrder } from './place-order';
import { methodNotAllowed } from './problem';
import {
  parseIdempotencyKey,
  parseListQuery,
  parseOrderId,
  parsePlaceOrder,
} from './request-validation';
import { requestContext } from './request-context';

export interface OrderRoutesDeps {
  pool: Pool;
  publisher: OutboxPublisher<EventTypes>;
  sagaProgress(sagaId: string): Promise<Record<string, unknown> | null>;
}

/** Refuses a body that is not declared as JSON before anything reads it. */
const requireJsonBody: RequestHandler = (request, _response, next) => {
  const declared = request.headers['content-type'];
  const mediaType = declared?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      declared
        ? `${request.method} ${request.path} takes application/json, not ${declared}`
        : `${request.method} ${request.path} takes an application/json body; Content-Type is missing`,
    );
  }

  next();
};

/** POST/GET /orders and GET /orders/:id; other methods on these paths answer 405. */
export function orderRoutes(deps: OrderRoutesDeps): Router {
  const router = Router();

  router
    .route('/orders')
    .post(
      requireJsonBody,
      express.json({ limit: limits.maxBodyBytes }),
      async (request, response) => {
        const idempotencyKey = parseIdempotencyKey(request.get('Idempotency-Key'));
        const order = parsePlaceOrder(request.body);
        const context = requestContext(request.headers);

        const result = await placeOrder(deps, order, idempotencyKey, context);
        // A replay's order was published under the first request's
        // correlation id, which is not stored: none is echoed then.
        if (result.created) {
          response.setHeader('x-correlation-id', context.correlationId);
        } else {
          response.setHeader('Idempotent-Replayed', 'true');
        }
        response.location(`/orders/${result.order.id}`).status(202).json(result.order);
      },
    )
    .get(async (request, response) => {
      const query = parseListQuery(request.query as Record<string, unknown>);
      const page = await listOrders(deps.pool, {
        status: query.status,
        limit: query.limit,
        after: query.cursor,
      });
      const last = page.orders.at(-1);
      response.json({
        items: page.orders.map((stored) => orderRepresentation(stored.order)),
        nextCursor: page.more && last ? encodeCursor(last.cursor) : null,
      });
    })
    .all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  router
    .route('/orders/:id')
    .get(async (request, response) => {
      const id = parseOrderId(String(request.params.id));
      const stored = await findOrder(deps.pool, id);
      if (!stored) {
        throw new ApiError('ORDER_NOT_FOUND', `No order has the id ${id}`);
      }

      const progress = await deps.sagaProgress(id);
      response.json({ ...orderRepresentation(stored.order), progress });
    })
    .all(methodNotAllowed(['GET', 'HEAD']));

  return router;
}
