import type { Pool } from '@eventline/db';
import { silentLogger, type Logger } from '@eventline/observability';
import { Gauge, type Registry } from 'prom-client';

import { OutboxError } from './errors';

/**
 * Watches the logical replication slots that capture the outboxes. A slot
 * that Debezium stops confirming (Connect down, stopped or wedged) holds
 * back every WAL segment after its position: the database's disk fills
 * while no event leaves it. Healthy slots confirm at least once per
 * heartbeat and offset flush (a few seconds on this stack), so either of
 * two signs raises the alert:
 *
 *   BEHIND   the WAL written since the slot's confirmed position is past a bound;
 *   STALLED  the confirmed position has not moved for a while although WAL was written.
 *
 * The alert is a gauge per slot (1 while raised) and one error log line when
 * it is raised, one info line when it clears.
 */
export interface CaptureLagOptions {
  /** Any database of the cluster: replication slots are cluster-wide. */
  pool: Pool;
  /** Slot names to watch; all logical slots when absent. */
  slots?: string[];
  /** Watch only the slots of the database the pool connects to (a service's own). */
  ownDatabaseOnly?: boolean;
  intervalMs?: number;
  /** Unconfirmed WAL past which the slot is BEHIND. */
  maxPendingBytes?: number;
  /** Time without a confirmed move, while WAL is pending, after which the slot is STALLED. */
  stalledAfterMs?: number;
  logger?: Logger;
  metricsRegistry?: Registry;
}

export type CaptureAlertReason = 'BEHIND' | 'STALLED';

export interface SlotLag {
  slot: string;
  database: string;
  active: boolean;
  /** WAL written since the position Debezium last confirmed. */
  pendingBytes: number;
  /** WAL the slot keeps from being recycled. */
  retainedBytes: number;
  /** How long the confirmed position has not moved, as seen by this monitor. */
  stalledForMs: number;
  alert: CaptureAlertReason | null;
}

export interface CaptureLagMonitor {
  /** Samples now, then every interval until stop(). */
  start(): Promise<void>;
  stop(): void;
  /** One sample: reads the slots, updates gauges and alerts, logs changes. */
  sample(): Promise<SlotLag[]>;
  /** The latest sample. */
  current(): SlotLag[];
}

const defaults = {
  intervalMs: 5_000,
  maxPendingBytes: 256 * 1024 * 1024,
  stalledAfterMs: 60_000,
};

interface SlotRow {
  slot: string;
  database: string;
  active: boolean;
  confirmed: string | null;
  pending: string;
  retained: string;
}

const slotsSql = `SELECT slot_name AS slot, database, active,
    confirmed_flush_lsn::text AS confirmed,
    coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint::text AS pending,
    coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint::text AS retained
  FROM pg_replication_slots
  WHERE slot_type = 'logical' AND ($1::text[] IS NULL OR slot_name = ANY($1))
    AND (NOT $2::boolean OR database = current_database())
  ORDER BY slot_name`;

export function createCaptureLagMonitor(options: CaptureLagOptions): CaptureLagMonitor {
  const settings = { ...defaults, ...definedOnly(options) };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new OutboxError(
        'CONFIG_INVALID',
        `capture lag option ${name} must be a positive number`,
      );
    }
  }
  const logger = options.logger ?? silentLogger;
  const registers = options.metricsRegistry ? [options.metricsRegistry] : [];
  const gauges = {
    pending: new Gauge({
      name: 'eventline_capture_slot_pending_bytes',
      help: 'WAL written since the replication slot last confirmed a position',
      labelNames: ['slot'],
      registers,
    }),
    retained: new Gauge({
      name: 'eventline_capture_slot_retained_bytes',
      help: 'WAL the replication slot keeps from being recycled',
      labelNames: ['slot'],
      registers,
    }),
    alert: new Gauge({
      name: 'eventline_capture_slot_alert',
      help: 'Whether the capture of this slot is behind or stalled (1) or keeping up (0)',
      labelNames: ['slot'],
      registers,
    }),
  };
  const lastMove = new Map<string, { confirmed: string | null; at: number }>();
  let latest: SlotLag[] = [];
  let timer: NodeJS.Timeout | undefined;

  function judge(row: SlotRow, now: number): SlotLag {
    const pendingBytes = Number(row.pending);
    const seen = lastMove.get(row.slot);
    if (!seen || seen.confirmed !== row.confirmed || pendingBytes === 0) {
      lastMove.set(row.slot, { confirmed: row.confirmed, at: now });
    }
    const stalledForMs = now - (lastMove.get(row.slot)?.at ?? now);
    const alert: CaptureAlertReason | null =
      pendingBytes > settings.maxPendingBytes
        ? 'BEHIND'
        : stalledForMs >= settings.stalledAfterMs
          ? 'STALLED'
          : null;
    return {
      slot: row.slot,
      database: row.database,
      active: row.active,
      pendingBytes,
      retainedBytes: Number(row.retained),
      stalledForMs,
      alert,
    };
  }

  function report(previous: SlotLag | undefined, lag: SlotLag): void {
    gauges.pending.set({ slot: lag.slot }, lag.pendingBytes);
    gauges.retained.set({ slot: lag.slot }, lag.retainedBytes);
    gauges.alert.set({ slot: lag.slot }, lag.alert ? 1 : 0);
    const fields = {
      slot: lag.slot,
      database: lag.database,
      active: lag.active,
      pendingBytes: lag.pendingBytes,
      retainedBytes: lag.retainedBytes,
      stalledForMs: lag.stalledForMs,
    };
    if (lag.alert && !previous?.alert) {
      logger.error(
        { ...fields, reason: lag.alert },
        'Capture alert: the replication slot is not keeping up with the WAL',
      );
    } else if (!lag.alert && previous?.alert) {
      logger.info(fields, 'Capture alert cleared: the replication slot is keeping up again');
    }
  }

  async function sample(): Promise<SlotLag[]> {
    const { rows } = await options.pool.query<SlotRow>(slotsSql, [
      options.slots ?? null,
      options.ownDatabaseOnly ?? false,
    ]);
    const now = Date.now();
    const next = rows.map((row) => judge(row, now));
    for (const lag of next) {
      report(
        latest.find((l) => l.slot === lag.slot),
        lag,
      );
    }
    latest = next;
    return next;
  }

  function schedule(): void {
    timer = setTimeout(() => {
      sample()
        .catch((error: unknown) =>
          logger.warn({ error: String(error) }, 'Could not read the replication slots; will retry'),
        )
        .finally(() => {
          if (timer) {
            schedule();
          }
        });
    }, settings.intervalMs);
    timer.unref();
  }

  return {
    async start() {
      await sample();
      schedule();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
    sample,
    current: () => latest,
  };
}

function definedOnly(options: CaptureLagOptions): Partial<typeof defaults> {
  return Object.fromEntries(
    Object.entries({
      intervalMs: options.intervalMs,
      maxPendingBytes: options.maxPendingBytes,
      stalledAfterMs: options.stalledAfterMs,
    }).filter(([, value]) => value !== undefined),
  );
}
