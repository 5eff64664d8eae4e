-- The outbox table as Debezium's outbox Event Router reads it: the row's
-- aggregatetype names the topic, aggregateid is the record key, payload is
-- passed through as bytes (Confluent-framed Avro), and the metadata columns
-- become Kafka headers. `timestamp` has no time zone on purpose: the router
-- only reads INT64 timestamp types, and timestamptz arrives as a string.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  aggregatetype text NOT NULL,
  aggregateid text NOT NULL,
  type text NOT NULL,
  payload bytea NOT NULL,
  "timestamp" timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  correlation_id uuid,
  causation_id uuid,
  traceparent text,
  tenant text,
  actor text
);

-- Debezium's heartbeat action query updates this row, so that a database
-- whose outbox is idle still sends WAL through the slot and the slot's
-- confirmed position keeps moving (otherwise Postgres retains WAL forever).
CREATE TABLE outbox_heartbeat (
  id integer PRIMARY KEY,
  beat_at timestamptz NOT NULL
);

-- The capture publishes only these two tables; the connector is configured
-- not to create or alter publications itself.
CREATE PUBLICATION eventline_outbox FOR TABLE outbox, outbox_heartbeat;
