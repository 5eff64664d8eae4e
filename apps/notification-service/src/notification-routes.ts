import type { Pool } from '@eventline/db';
import { Router } from 'express';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** GET /notifications?orderId=: the notices recorded for one order, oldest first. */
export function notificationRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/notifications', async (request, response) => {
    const orderId = request.query.orderId;
    if (typeof orderId !== 'string' || !uuidPattern.test(orderId)) {
      response.status(400).json({ error: 'orderId must be given once, as a UUID' });
      return;
    }

    const { rows } = await pool.query<{ id: string; kind: string; recorded_at: Date }>(
      'SELECT id, kind, recorded_at FROM notifications WHERE order_id = $1 ORDER BY id',
      [orderId],
    );
    response.json(
      rows.map((row) => ({
        id: Number(row.id),
        orderId,
        kind: row.kind,
        recordedAt: row.recorded_at.toISOString(),
      })),
    );
  });

  return router;
}
