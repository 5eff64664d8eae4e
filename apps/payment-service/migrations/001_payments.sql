-- One payment per order: the outcome of its AuthorizePayment, kept so that a
-- repeated command is answered with the same outcome and a refund knows what
-- was held. A declined payment keeps its reason for the same reason.
CREATE TABLE payments (
  order_id uuid PRIMARY KEY,
  payment_id uuid NOT NULL UNIQUE,
  saga_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  currency text NOT NULL,
  state text NOT NULL CHECK (state IN ('authorized', 'declined', 'refunded')),
  decline_reason text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'declined') = (decline_reason IS NOT NULL))
);

-- The most a customer's single payment may be, in minor units. Customers
-- without a row get the service's default limit.
CREATE TABLE customer_limits (
  customer_id uuid PRIMARY KEY,
  limit_minor bigint NOT NULL CHECK (limit_minor >= 0)
);
