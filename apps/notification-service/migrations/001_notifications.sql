-- The notices sent to customers, one per order and outcome. No mail is sent in
-- the reference system; the row stands for it. The inbox keeps one event from
-- being handled twice; the unique key keeps one outcome from being noticed
-- twice when it was published twice under different event ids.
CREATE TABLE notifications (
  id bigserial PRIMARY KEY,
  order_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('order-confirmed', 'order-cancelled')),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, kind)
);
