import { createConnectClient, loadConnectorDefinitions } from '@eventline/connect';
import { createPool, withDatabase } from '@eventline/db';

import { withAdmin } from '../clients';
import { emit, table, type Command } from '../command';
import type { CliConfig } from '../config';

interface ConnectorState {
  name: string;
  state: string;
  tasks: string[];
  lastError: string | null;
}

interface SlotState {
  slot: string;
  database: string;
  active: boolean;
  /** WAL the slot holds back from being recycled. */
  retainedWalBytes: number;
  /** Committed changes (outbox rows among them) not yet confirmed by Debezium. */
  pendingBytes: number;
}

interface GroupLag {
  group: string;
  topic: string;
  partition: number;
  committed: string | null;
  end: string;
  lag: number;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'connectors, replication slots and retained WAL, consumer groups and lag',
  help: `Shows:
  connectors   state, task states and the last error, for each connector file
  slots        each replication slot: active, WAL retained, changes not yet captured
               (the outbox deletes its rows on commit, so what is not captured yet
               is the WAL past the slot's confirmed position)
  groups       each consumer group's committed offset, end and lag per partition

Options:
  --json       machine-readable output
`,
  options: {},
  async run(context) {
    const [connectors, slots, groups] = await Promise.all([
      connectorStates(context.config),
      slotStates(context.config),
      groupLags(context.config),
    ]);
    emit(context, { connectors, slots, groups }, () =>
      [
        'Connectors\n',
        table([
          ['name', 'state', 'tasks', 'last error'],
          ...connectors.map((c) => [c.name, c.state, c.tasks.join(','), c.lastError]),
        ]),
        '\nReplication slots\n',
        table([
          ['slot', 'database', 'active', 'retained WAL bytes', 'not yet captured bytes'],
          ...slots.map((s) => [
            s.slot,
            s.database,
            String(s.active),
            s.retainedWalBytes,
            s.pendingBytes,
          ]),
        ]),
        '\nConsumer groups\n',
        table([
          ['group', 'topic', 'partition', 'committed', 'end', 'lag'],
          ...groups.map((g) => [g.group, g.topic, g.partition, g.committed, g.end, g.lag]),
        ]),
      ].join(''),
    );
    return 0;
  },
};

async function connectorStates(config: CliConfig): Promise<ConnectorState[]> {
  const connect = createConnectClient({ url: config.connectUrl, attempts: 2 });
  const names = new Set([
    ...(await loadConnectorDefinitions(config.connectorsDir)).map((d) => d.name),
    ...(await connect.list()),
  ]);
  const states: ConnectorState[] = [];
  for (const name of [...names].sort()) {
    const status = await connect.status(name);
    const failed = status && [status.connector, ...status.tasks].find((s) => s.trace);
    states.push({
      name,
      state: status?.connector.state ?? 'NOT CREATED',
      tasks: status?.tasks.map((t) => `${t.id}:${t.state}`) ?? [],
      lastError: failed?.trace?.split('\n')[0] ?? null,
    });
  }
  return states;
}

async function slotStates(config: CliConfig): Promise<SlotState[]> {
  const pool = createPool({
    connectionString: withDatabase(config.pgAdminUrl, 'postgres'),
    max: 1,
  });
  try {
    const { rows } = await pool.query<{
      slot: string;
      database: string;
      active: boolean;
      retained: string;
      pending: string;
    }>(
      `SELECT slot_name AS slot, database, active,
         coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint AS retained,
         coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint AS pending
       FROM pg_replication_slots WHERE slot_type = 'logical' ORDER BY slot_name`,
    );
    return rows.map((r) => ({
      slot: r.slot,
      database: r.database,
      active: r.active,
      retainedWalBytes: Number(r.retained),
      pendingBytes: Number(r.pending),
    }));
  } finally {
    await pool.end();
  }
}

async function groupLags(config: CliConfig): Promise<GroupLag[]> {
  return withAdmin(config, async (admin) => {
    const { groups } = await admin.listGroups();
    const existing = new Set(await admin.listTopics());
    const lags: GroupLag[] = [];
    const ends = new Map<string, Map<number, string> | undefined>();
    // Groups and topics come and go while this runs (a test or an operator
    // deleting them): what has vanished by the time it is read is left out
    // rather than failing the whole report.
    const endsOf = async (topic: string) => {
      if (!ends.has(topic)) {
        const offsets = existing.has(topic)
          ? await admin.fetchTopicOffsets(topic).catch(() => undefined)
          : undefined;
        ends.set(topic, offsets && new Map(offsets.map((o) => [o.partition, o.high])));
      }
      return ends.get(topic);
    };
    for (const { groupId } of groups.sort((a, b) => a.groupId.localeCompare(b.groupId))) {
      const committedByTopic = await admin.fetchOffsets({ groupId }).catch(() => []);
      for (const { topic, partitions } of committedByTopic) {
        const topicEnds = await endsOf(topic);
        if (!topicEnds) {
          continue;
        }
        for (const { partition, offset } of partitions) {
          const end = topicEnds.get(partition) ?? '0';
          const committed = offset === '-1' ? null : offset;
          lags.push({
            group: groupId,
            topic,
            partition,
            committed,
            end,
            lag: Math.max(0, Number(end) - Number(committed ?? 0)),
          });
        }
      }
    }
    return lags;
  });
}
