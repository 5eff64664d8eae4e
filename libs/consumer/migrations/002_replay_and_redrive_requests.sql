-- Replay windows: for a group, a range of offsets of one partition to handle
-- under a given inbox epoch. A re-run replay uses a new epoch (the inbox has
-- no rows for it, so handlers run again; handlers marked not replayable are
-- passed over); a gap-filling replay keeps epoch 0, so handled events are
-- skipped. A bounded window belongs to a replay group: events past its end
-- are not handled by that group.
CREATE TABLE consumer_replay_windows (
  id bigserial PRIMARY KEY,
  group_id text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  from_offset bigint NOT NULL,
  until_offset bigint NOT NULL,
  epoch integer NOT NULL,
  rerun boolean NOT NULL,
  bounded boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX consumer_replay_windows_group ON consumer_replay_windows (group_id, topic, partition);

-- Re-drive requests from operators (the CLI): the running consumers of the
-- group poll this table, re-drive the key with their handlers, and record
-- the result.
CREATE TABLE consumer_redrive_requests (
  id bigserial PRIMARY KEY,
  group_id text NOT NULL,
  topic text NOT NULL,
  message_key text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz,
  redriven integer,
  stopped_reason text
);

CREATE INDEX consumer_redrive_requests_open ON consumer_redrive_requests (group_id)
  WHERE done_at IS NULL;
