import { setTimeout as sleep } from 'node:timers/promises';

import {
  listParked,
  redriveRequestStatus,
  requestRedrive,
  resolveParked,
  type ParkedRow,
  type ParkReason,
} from '@eventline/consumer';

import { withServicePool } from '../clients';
import { emit, optionalString, requireString, table, UsageError, type Command } from '../command';
import { progressBar } from '../progress';

const databaseHelp = `  --database DB     the service database where the group keeps its parked events (required)
  --json            machine-readable output`;

function summary(row: ParkedRow) {
  return {
    id: row.id,
    topic: row.topic,
    partition: row.partition,
    offset: row.offset,
    key: row.message_key,
    eventType: row.event_type,
    reason: row.reason,
    errorClass: row.error_class,
    handler: row.handler,
    attempts: row.attempts,
    firstFailureAt: row.first_failure_at,
  };
}

export const deadLettersListCommand: Command = {
  name: 'dead-letters list',
  summary: 'list parked events of a group, by topic, key and reason',
  help: `Options:
  --group G         the consumer group (required)
  --topic T, --key K, --reason R   narrow the list (R: UNDECODABLE, HANDLER_FAILED,
                    RETRIES_EXHAUSTED, BEHIND_PARKED_KEY)
${databaseHelp}
`,
  options: {
    database: { type: 'string' },
    group: { type: 'string' },
    topic: { type: 'string' },
    key: { type: 'string' },
    reason: { type: 'string' },
  },
  async run(context, values) {
    const rows = await withServicePool(
      context.config,
      requireString(values, 'database'),
      (pool) => {
        const topic = optionalString(values, 'topic');
        const key = optionalString(values, 'key');
        const reason = optionalString(values, 'reason') as ParkReason | undefined;
        return listParked(pool, {
          groupId: requireString(values, 'group'),
          ...(topic === undefined ? {} : { topic }),
          ...(key === undefined ? {} : { key }),
          ...(reason === undefined ? {} : { reason }),
        });
      },
    );
    const items = rows.map(summary);
    emit(context, items, () =>
      table([
        ['id', 'topic', 'partition', 'offset', 'key', 'reason', 'error', 'handler'],
        ...items.map((r) => [
          r.id,
          r.topic,
          r.partition,
          r.offset,
          r.key,
          r.reason,
          r.errorClass,
          r.handler,
        ]),
      ]),
    );
    return 0;
  },
};

export const deadLettersShowCommand: Command = {
  name: 'dead-letters show',
  summary: 'show one parked event: headers, error and payload size',
  help: `Options:
  --id N            the parked event's id (from dead-letters list; required)
${databaseHelp}
`,
  options: { database: { type: 'string' }, id: { type: 'string' } },
  async run(context, values) {
    const id = requireString(values, 'id');
    const row = await withServicePool(
      context.config,
      requireString(values, 'database'),
      async (pool) => {
        const { rows } = await pool.query<ParkedRow>(
          'SELECT * FROM consumer_parked WHERE id = $1',
          [id],
        );
        return rows[0];
      },
    );
    if (!row) {
      throw new UsageError(`no parked event with id ${id}`);
    }
    const detail = {
      ...summary(row),
      group: row.group_id,
      eventId: row.event_id,
      state: row.state,
      errorMessage: row.error_message,
      headers: row.headers,
      payloadBytes: row.payload?.length ?? 0,
    };
    emit(context, detail, () =>
      Object.entries(detail)
        .map(
          ([k, v]) =>
            `${k.padEnd(15)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`,
        )
        .join('\n')
        .concat('\n'),
    );
    return 0;
  },
};

export const deadLettersRedriveCommand: Command = {
  name: 'dead-letters redrive',
  summary: "re-drive one key's parked events, or every parked key's, in order",
  help: `A running member of the group serves the request with its handlers; this
command files it and waits for the result.

Options:
  --group G         the consumer group (required)
  --topic T         the topic (required)
  --key K | --all   one key, or every key with parked events on the topic
  --wait SECONDS    how long to wait for each key (default 60)
${databaseHelp}
`,
  options: {
    database: { type: 'string' },
    group: { type: 'string' },
    topic: { type: 'string' },
    key: { type: 'string' },
    all: { type: 'boolean' },
    wait: { type: 'string' },
  },
  async run(context, values) {
    const groupId = requireString(values, 'group');
    const topic = requireString(values, 'topic');
    const key = optionalString(values, 'key');
    if ((key === undefined) === (values.all !== true)) {
      throw new UsageError('give exactly one of --key K and --all');
    }
    const waitMs = Number(optionalString(values, 'wait') ?? '60') * 1000;

    const results = await withServicePool(
      context.config,
      requireString(values, 'database'),
      async (pool) => {
        const keys =
          key !== undefined
            ? [key]
            : [
                ...new Set(
                  (await listParked(pool, { groupId, topic })).map((row) => row.message_key),
                ),
              ];
        const bar = progressBar('re-driving');
        const done = [];
        for (const [index, each] of keys.entries()) {
          const id = await requestRedrive(pool, groupId, topic, each);
          const deadline = Date.now() + waitMs;
          let status = await redriveRequestStatus(pool, id);
          while (!status.done && Date.now() < deadline) {
            await sleep(250);
            status = await redriveRequestStatus(pool, id);
          }
          done.push({ key: each, ...status });
          bar.update(index + 1, keys.length);
        }
        bar.end();
        return done;
      },
    );

    emit(context, results, () =>
      table([
        ['key', 'done', 'redriven', 'stopped'],
        ...results.map((r) => [
          r.key,
          r.done ? 'yes' : 'no (no member served it in time)',
          r.redriven,
          r.stoppedReason,
        ]),
      ]),
    );
    return results.every((r) => r.done && r.stoppedReason === null) ? 0 : 1;
  },
};

export const deadLettersDiscardCommand: Command = {
  name: 'dead-letters discard',
  summary: 'discard one parked event, recording why; it will not be handled',
  help: `Options:
  --id N            the parked event's id (required)
  --reason TEXT     why it is discarded (required; kept with the event)
${databaseHelp}
`,
  options: { database: { type: 'string' }, id: { type: 'string' }, reason: { type: 'string' } },
  async run(context, values) {
    const id = requireString(values, 'id');
    const reason = requireString(values, 'reason');
    await withServicePool(context.config, requireString(values, 'database'), (pool) =>
      resolveParked(pool, id, 'discarded', reason),
    );
    emit(
      context,
      { id, discarded: true, reason },
      () => `discarded parked event ${id}: ${reason}\n`,
    );
    return 0;
  },
};
