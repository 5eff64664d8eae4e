-- Orders as the API placed them. `lines` keeps the priced lines exactly as
-- OrderPlaced carried them; amounts are integers in minor units of
-- `currency`. A final status (CONFIRMED, CANCELLED) is never left again.
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED')),
  cancel_reason text,
  lines jsonb NOT NULL CHECK (jsonb_typeof(lines) = 'array' AND jsonb_array_length(lines) > 0),
  total_minor bigint NOT NULL CHECK (total_minor >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- A client's retry of one POST finds its order by this key; the unique
  -- index is what keeps concurrent retries from placing two orders.
  idempotency_key text UNIQUE,
  -- SHA-256 of the canonical request body, to refuse a key reused for
  -- another order.
  request_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'CANCELLED') = (cancel_reason IS NOT NULL)),
  CHECK ((idempotency_key IS NULL) = (request_hash IS NULL))
);

-- Keyset paging, newest first: (created_at, id) is the cursor.
CREATE INDEX orders_created_at_id ON orders (created_at DESC, id DESC);
CREATE INDEX orders_status_created_at_id ON orders (status, created_at DESC, id DESC);
