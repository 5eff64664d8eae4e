import type { Pool } from '@eventline/db';
import type { Admin } from 'kafkajs';

import { ConsumerError } from './errors';

/** Where a replay starts: a time (the first event at or after it) or offsets per partition. */
export type ReplayStart = { timestamp: number } | { offsets: Record<number, string> };

export interface ReplayRequest {
  groupId: string;
  topic: string;
  from: ReplayStart;
  /** Epoch milliseconds; the window ends with the last event at or before it. Default: now. */
  until?: number;
}

export interface PartitionPlan {
  partition: number;
  /** The group's committed offset (the next event it would read), or null when it has none. */
  currentOffset: string | null;
  /** First offset of the window. */
  fromOffset: string;
  /** Last offset of the window (inclusive); fromOffset - 1 when the window is empty. */
  untilOffset: string;
  events: number;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
}

/**
 * For each partition of the topic: the group's current offset, and the
 * window's first and last offsets from the start and end asked for. Reads
 * only; a dry run prints this.
 */
export async function planReplay(admin: Admin, request: ReplayRequest): Promise<PartitionPlan[]> {
  const bounds = await admin.fetchTopicOffsets(request.topic);
  if (bounds.length === 0) {
    throw new ConsumerError('REPLAY_INVALID', `Topic ${request.topic} has no partitions`);
  }
  const starts =
    'timestamp' in request.from
      ? offsetsByPartition(
          await admin.fetchTopicOffsetsByTimestamp(request.topic, request.from.timestamp),
        )
      : request.from.offsets;
  // The first event after `until`; the window ends just before it.
  const ends =
    request.until === undefined
      ? undefined
      : offsetsByPartition(
          await admin.fetchTopicOffsetsByTimestamp(request.topic, request.until + 1),
        );
  const [committed] = await admin.fetchOffsets({
    groupId: request.groupId,
    topics: [request.topic],
  });
  const current = new Map(committed?.partitions.map((p) => [p.partition, p.offset]) ?? []);

  return bounds
    .sort((a, b) => a.partition - b.partition)
    .map((bound) => {
      const low = BigInt(bound.low);
      const high = BigInt(bound.high);
      // The broker answers -1 when no event is that late: the position is the end.
      const position = (text: string | undefined) =>
        text === undefined || text === '-1' ? high : clamp(BigInt(text), low, high);
      const from = position(starts[bound.partition]);
      const endExclusive = ends === undefined ? high : position(ends[bound.partition]);
      const until = endExclusive - 1n < from - 1n ? from - 1n : endExclusive - 1n;
      const committedOffset = current.get(bound.partition);
      return {
        partition: bound.partition,
        currentOffset:
          committedOffset === undefined || committedOffset === '-1' ? null : committedOffset,
        fromOffset: from.toString(),
        untilOffset: until.toString(),
        events: Number(until - from + 1n),
      };
    });
}

/** The group's members; an empty list means the group may be reset. */
export async function groupMembers(admin: Admin, groupId: string): Promise<GroupMember[]> {
  const { groups } = await admin.describeGroups([groupId]);
  return (groups[0]?.members ?? []).map((member) => ({
    memberId: member.memberId,
    clientId: member.clientId,
    clientHost: member.clientHost,
  }));
}

export interface ReplayWindowOptions {
  /** True: re-run handlers under a new epoch. False: fill gaps, handled events are skipped. */
  rerun: boolean;
}

/**
 * Mode "reset": moves the group itself back to the window's start, after
 * recording the window (and its epoch) for the group's consumers, which read
 * it when they start. Refuses, changing nothing, while the group has members.
 * Returns the epoch the window is handled under.
 */
export async function resetGroupForReplay(
  admin: Admin,
  pool: Pool,
  request: ReplayRequest,
  plan: PartitionPlan[],
  options: ReplayWindowOptions,
): Promise<number> {
  const members = await groupMembers(admin, request.groupId);
  if (members.length > 0) {
    const names = members.map((m) => `${m.clientId} (${m.memberId} on ${m.clientHost})`);
    throw new ConsumerError(
      'GROUP_ACTIVE',
      `Group ${request.groupId} has ${members.length} active member(s): ${names.join(', ')}; stop them first`,
    );
  }

  const epoch = await recordWindows(pool, request.groupId, request.topic, plan, options, false);
  await admin.setOffsets({
    groupId: request.groupId,
    topic: request.topic,
    partitions: plan.map((p) => ({ partition: p.partition, offset: p.fromOffset })),
  });
  return epoch;
}

/**
 * Mode "new group": gives `newGroupId` offsets at the window's start and a
 * bounded window, so that a consumer started in that group handles exactly
 * the window and nothing after it. The new group must not exist yet.
 */
export async function prepareReplayGroup(
  admin: Admin,
  pool: Pool,
  request: ReplayRequest,
  plan: PartitionPlan[],
  newGroupId: string,
  options: ReplayWindowOptions,
): Promise<number> {
  const [existing] = await admin.fetchOffsets({ groupId: newGroupId, topics: [request.topic] });
  if (existing?.partitions.some((p) => p.offset !== '-1')) {
    throw new ConsumerError('REPLAY_INVALID', `Group ${newGroupId} exists already; name a new one`);
  }

  const epoch = await recordWindows(pool, newGroupId, request.topic, plan, options, true);
  await admin.setOffsets({
    groupId: newGroupId,
    topic: request.topic,
    partitions: plan.map((p) => ({ partition: p.partition, offset: p.fromOffset })),
  });
  return epoch;
}

async function recordWindows(
  pool: Pool,
  groupId: string,
  topic: string,
  plan: PartitionPlan[],
  options: ReplayWindowOptions,
  bounded: boolean,
): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Serializes epoch numbering between concurrent replays.
    await client.query('LOCK TABLE consumer_replay_windows IN EXCLUSIVE MODE');
    const { rows } = await client.query<{ next: number }>(
      'SELECT coalesce(max(epoch), 0) + 1 AS next FROM consumer_replay_windows',
    );
    const epoch = options.rerun ? (rows[0]?.next ?? 1) : 0;
    for (const partition of plan) {
      await client.query(
        `INSERT INTO consumer_replay_windows
           (group_id, topic, partition, from_offset, until_offset, epoch, rerun, bounded)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          groupId,
          topic,
          partition.partition,
          partition.fromOffset,
          partition.untilOffset,
          epoch,
          options.rerun,
          bounded,
        ],
      );
    }
    await client.query('COMMIT');
    return epoch;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function offsetsByPartition(
  entries: { partition: number; offset: string }[],
): Record<number, string> {
  return Object.fromEntries(entries.map((entry) => [entry.partition, entry.offset]));
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value;
}
