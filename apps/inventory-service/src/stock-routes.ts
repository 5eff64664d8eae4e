import type { Pool } from '@eventline/db';
import { Router } from 'express';

/** GET /stock/:sku: what can still be reserved of a product and what is held for orders. */
export function stockRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/stock/:sku', async (request, response) => {
    const { sku } = request.params;
    const { rows } = await pool.query<{ sku: string; available: number; reserved: number }>(
      'SELECT sku, available, reserved FROM stock WHERE sku = $1',
      [sku],
    );
    const row = rows[0];
    if (!row) {
      response.status(404).json({ error: `No stock is kept for SKU ${sku}` });
      return;
    }

    response.json(row);
  });

  return router;
}
