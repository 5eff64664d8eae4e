-- The inbox: one row per handler and event it has applied, committed in the
-- same transaction as the handler's effects. A redelivered event finds its
-- row and is skipped. The replay epoch lets an operator re-run handlers on
-- purpose: a new epoch has no rows yet.
CREATE TABLE consumer_inbox (
  handler text NOT NULL,
  event_id text NOT NULL,
  epoch integer NOT NULL DEFAULT 0,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" bigint NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (handler, event_id, epoch)
);

-- Events that could not be handled, kept with everything needed to handle
-- them later. While a key has a row in state 'parked', later events of that
-- key are parked behind it, so per-key order survives a failure.
CREATE TABLE consumer_parked (
  id bigserial PRIMARY KEY,
  group_id text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" bigint NOT NULL,
  message_key text NOT NULL,
  event_id text,
  event_type text,
  payload bytea,
  headers jsonb NOT NULL DEFAULT '{}',
  reason text NOT NULL,
  error_class text,
  error_message text,
  handler text,
  attempts integer NOT NULL DEFAULT 0,
  first_failure_at timestamptz NOT NULL DEFAULT now(),
  state text NOT NULL DEFAULT 'parked' CHECK (state IN ('parked', 'redriven', 'discarded')),
  resolved_at timestamptz,
  resolution text,
  UNIQUE (group_id, topic, partition, "offset")
);

CREATE INDEX consumer_parked_open_keys ON consumer_parked (group_id, topic, message_key, "offset")
  WHERE state = 'parked';
