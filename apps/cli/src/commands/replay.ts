import {
  copyWindow,
  planReplay,
  prepareReplayGroup,
  resetGroupForReplay,
  type PartitionPlan,
  type ReplayRequest,
  type ReplayStart,
} from '@eventline/consumer';

import { kafkaClient, withAdmin, withServicePool } from '../clients';
import {
  emit,
  optionalString,
  requireString,
  table,
  UsageError,
  type Command,
  type OptionValues,
} from '../command';
import { progressBar } from '../progress';

const modes = ['reset', 'new-group', 'copy'] as const;
type Mode = (typeof modes)[number];

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a topic window: reset a group, into a new group, or copy to a side topic',
  help: `Options:
  --group G            the consumer group whose handlers the replay is for (required)
  --topic T            the topic to replay (required)
  --from TIME          start at the first event at or after TIME (ISO 8601)
  --from-offsets P:O,… start at these offsets per partition instead
  --until TIME         end with the last event at or before TIME (default: now)
  --mode MODE          reset      move group G itself back (refused while it has members)
                       new-group  give --new-group offsets and a bounded window; start
                                  a consumer in that group to handle exactly the window
                       copy       copy the window into --side-topic, with replay.source.*
                                  headers naming the source topic, partition and offset
  --rerun              re-run handlers: a new inbox epoch; handlers marked not
                       replayable are passed over (reset and new-group)
  --fill-gaps          keep the epoch: events already handled are skipped
  --new-group N        the group to create (new-group mode)
  --side-topic S       the topic to copy into (copy mode)
  --database DB        the service database of group G (reset and new-group)
  --dry-run            print per partition the current and target offsets and the
                       number of events; change nothing
  --json               machine-readable output

Example:
  eventline replay --group inventory-service --topic inventory.commands \\
    --from 2026-12-01T10:00:00Z --until 2026-12-01T11:00:00Z \\
    --mode new-group --new-group inventory-replay-1 --rerun --database inventory --dry-run
`,
  options: {
    group: { type: 'string' },
    topic: { type: 'string' },
    from: { type: 'string' },
    'from-offsets': { type: 'string' },
    until: { type: 'string' },
    mode: { type: 'string' },
    rerun: { type: 'boolean' },
    'fill-gaps': { type: 'boolean' },
    'new-group': { type: 'string' },
    'side-topic': { type: 'string' },
    database: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },

  async run(context, values) {
    const mode = parseMode(values);
    const request: ReplayRequest = {
      groupId: requireString(values, 'group'),
      topic: requireString(values, 'topic'),
      from: parseStart(values),
      ...untilOf(values),
    };
    const rerun = parseRerun(values, mode);
    const dryRun = values['dry-run'] === true;

    const plan = await withAdmin(context.config, (admin) => planReplay(admin, request));
    const events = plan.reduce((sum, p) => sum + p.events, 0);
    if (dryRun) {
      emit(context, { mode, dryRun, rerun, events, partitions: plan }, () => renderPlan(plan));
      return 0;
    }

    if (mode === 'copy') {
      const sideTopic = requireString(values, 'side-topic');
      const bar = progressBar(`copying to ${sideTopic}`);
      const copied = await copyWindow(
        kafkaClient(context.config),
        request.topic,
        plan,
        sideTopic,
        (p) => bar.update(p.copied, p.total),
      );
      bar.end();
      emit(
        context,
        { mode, sideTopic, copied, partitions: plan },
        () => `${renderPlan(plan)}copied ${copied} events to ${sideTopic}\n`,
      );
      return 0;
    }

    const database = requireString(values, 'database');
    const epoch = await withServicePool(context.config, database, (pool) =>
      withAdmin(context.config, (admin) =>
        mode === 'reset'
          ? resetGroupForReplay(admin, pool, request, plan, { rerun })
          : prepareReplayGroup(admin, pool, request, plan, requireString(values, 'new-group'), {
              rerun,
            }),
      ),
    );
    const group = mode === 'reset' ? request.groupId : requireString(values, 'new-group');
    emit(
      context,
      { mode, group, epoch, rerun, events, partitions: plan },
      () =>
        `${renderPlan(plan)}${mode === 'reset' ? 'reset' : 'prepared'} group ${group} for ${events} events under epoch ${epoch}${rerun ? ' (re-run)' : ' (gap filling)'}; start its consumers to handle them\n`,
    );
    return 0;
  },
};

function parseMode(values: OptionValues): Mode {
  const mode = requireString(values, 'mode');
  if (!(modes as readonly string[]).includes(mode)) {
    throw new UsageError(`--mode must be one of ${modes.join(', ')}, got "${mode}"`);
  }
  return mode as Mode;
}

function parseRerun(values: OptionValues, mode: Mode): boolean {
  const rerun = values.rerun === true;
  const fillGaps = values['fill-gaps'] === true;
  if (rerun && fillGaps) {
    throw new UsageError('--rerun and --fill-gaps exclude each other');
  }
  if (mode !== 'copy' && !rerun && !fillGaps && values['dry-run'] !== true) {
    throw new UsageError(
      'say --rerun (handlers run again) or --fill-gaps (handled events are skipped)',
    );
  }
  return rerun;
}

function parseStart(values: OptionValues): ReplayStart {
  const from = optionalString(values, 'from');
  const offsets = optionalString(values, 'from-offsets');
  if ((from === undefined) === (offsets === undefined)) {
    throw new UsageError('give exactly one of --from TIME and --from-offsets P:O,…');
  }
  if (from !== undefined) {
    return { timestamp: parseTime(from, 'from') };
  }
  const parsed: Record<number, string> = {};
  for (const pair of (offsets ?? '').split(',')) {
    const match = /^(\d+):(\d+)$/.exec(pair.trim());
    if (!match?.[1] || !match[2]) {
      throw new UsageError(
        `--from-offsets takes partition:offset pairs like 0:120,1:98; got "${pair}"`,
      );
    }
    parsed[Number(match[1])] = match[2];
  }
  return { offsets: parsed };
}

function untilOf(values: OptionValues): { until?: number } {
  const until = optionalString(values, 'until');
  return until === undefined ? {} : { until: parseTime(until, 'until') };
}

function parseTime(text: string, option: string): number {
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    throw new UsageError(
      `--${option} must be an ISO 8601 time like 2026-12-01T10:00:00Z; got "${text}"`,
    );
  }
  return time;
}

function renderPlan(plan: PartitionPlan[]): string {
  return table([
    ['partition', 'current', 'from', 'until', 'events'],
    ...plan.map((p) => [p.partition, p.currentOffset, p.fromOffset, p.untilOffset, p.events]),
  ]);
}
