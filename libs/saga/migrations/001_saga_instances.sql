-- One row per saga instance, locked FOR UPDATE by whatever moves it (a reply
-- handler or the deadline watcher), so the transitions of one saga happen one
-- at a time. `version` counts transitions; `saga_transitions` has one row per
-- version.
CREATE TABLE saga_instances (
  id uuid PRIMARY KEY,
  saga_name text NOT NULL,
  state text NOT NULL
    CHECK (state IN ('RUNNING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED')),
  -- The step running, or the last one that ran.
  step_index integer NOT NULL,
  data jsonb NOT NULL,
  version integer NOT NULL,
  -- When the current step or compensation gives up waiting; only an active saga has one.
  deadline_at timestamptz,
  -- Steps whose success reply arrived, in order.
  completed_steps integer[] NOT NULL DEFAULT '{}',
  -- Steps whose compensation runs, in the order it runs.
  compensation_plan integer[] NOT NULL DEFAULT '{}',
  -- Position in compensation_plan of the compensation in flight (kept when
  -- the saga ends FAILED: it names the compensation that was never confirmed).
  compensation_cursor integer,
  -- Times the compensation in flight was sent, the first included.
  compensation_attempts integer NOT NULL DEFAULT 0,
  -- Why the forward path was given up.
  abort_reason text CHECK (abort_reason IN ('STEP_FAILED', 'STEP_TIMED_OUT')),
  abort_step integer,
  abort_reply_type text,
  -- Why the saga ended FAILED.
  failure_reason text CHECK (failure_reason IN ('COMPENSATION_EXHAUSTED', 'ENGINE_ERROR')),
  failure_detail text,
  -- Carried on the commands the deadline watcher sends, which have no event to inherit them from.
  correlation_id uuid,
  traceparent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  CHECK ((state IN ('RUNNING', 'COMPENSATING')) = (deadline_at IS NOT NULL)),
  CHECK ((state IN ('COMPLETED', 'COMPENSATED', 'FAILED')) = (ended_at IS NOT NULL)),
  CHECK (state <> 'COMPENSATING' OR compensation_cursor IS NOT NULL)
);

-- What the deadline watcher scans: active sagas only, soonest first.
CREATE INDEX saga_instances_due ON saga_instances (deadline_at) WHERE deadline_at IS NOT NULL;

-- The history of each instance, one row per version: what happened, which
-- step it concerned, the reply that caused it and the commands it sent (the
-- next step's or a compensation, and those of an ending hook).
CREATE TABLE saga_transitions (
  saga_id uuid NOT NULL REFERENCES saga_instances (id) ON DELETE CASCADE,
  version integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('STARTED', 'STEP_SUCCEEDED', 'STEP_FAILED', 'STEP_TIMED_OUT',
    'COMPENSATION_CONFIRMED', 'COMPENSATION_RESENT', 'COMPENSATION_EXHAUSTED', 'ENGINE_ERROR')),
  from_state text,
  to_state text NOT NULL,
  step_index integer NOT NULL,
  step_name text NOT NULL,
  reply_type text,
  reply_event_id text,
  commands text[] NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (saga_id, version)
);
