-- migrate:up
SET lock_timeout = '5s';
SET statement_timeout = '120s';
-- Operations (PRODUCT.md §8): every worker process upserts its row here every few seconds, so
-- /api/ready on any web instance can tell whether some worker is alive. One row per process
-- (worker_id = host:pid:start); rows a day old are deleted by the beating workers themselves.
CREATE TABLE worker_heartbeats (
  worker_id   text PRIMARY KEY,
  hostname    text NOT NULL,
  pid         integer NOT NULL,
  queues      text[] NOT NULL,
  started_at  timestamptz(3) NOT NULL DEFAULT now(),
  beat_at     timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT worker_heartbeats_id_length CHECK (char_length(worker_id) <= 200),
  CONSTRAINT worker_heartbeats_pid CHECK (pid > 0)
);
CREATE INDEX worker_heartbeats_beat_idx ON worker_heartbeats (beat_at);

-- migrate:down
DROP TABLE worker_heartbeats;
