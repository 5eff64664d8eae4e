-- Stock per product, and what is held of it for orders. `available` is what
-- can still be reserved; `reserved` is held for orders that are not settled.
-- The checks are the last line of defence: the handlers never take stock
-- below zero, and a bug that tried would fail here instead of overselling.
CREATE TABLE stock (
  sku text PRIMARY KEY,
  available integer NOT NULL CHECK (available >= 0),
  reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0)
);

-- One row per order and product. An order's rows are written together (all of
-- its lines or none) and released together; a released row is kept so that a
-- late ReserveStock for the same order is not served a second time.
CREATE TABLE reservations (
  order_id uuid NOT NULL,
  sku text NOT NULL REFERENCES stock (sku),
  quantity integer NOT NULL CHECK (quantity > 0),
  state text NOT NULL CHECK (state IN ('reserved', 'released')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, sku)
);
