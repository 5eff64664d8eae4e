import type { Pool } from '@eventline/db';

/** Which inbox epoch an event is handled under, and whether that is a re-run. */
export interface HandlingScope {
  epoch: number;
  /** True inside a re-run replay window: handlers that are not replayable are passed over. */
  replaying: boolean;
  /** True past the end of a bounded window: a replay group does not handle the event. */
  skip: boolean;
}

interface WindowRow {
  topic: string;
  partition: number;
  from_offset: string;
  until_offset: string;
  epoch: number;
  rerun: boolean;
  bounded: boolean;
}

/**
 * The group's replay windows, read at start and refreshed at most every few
 * seconds, deciding the scope of each event. Outside every window an event is
 * handled under the consumer's own epoch, as usual.
 */
export class ReplayScopes {
  private windows: WindowRow[] = [];
  private loadedAt = 0;

  constructor(
    private readonly pool: Pool,
    private readonly groupId: string,
    private readonly baseEpoch: number,
    private readonly baseReplay: boolean,
    private readonly refreshMs = 5_000,
  ) {}

  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.loadedAt < this.refreshMs) {
      return;
    }
    const { rows } = await this.pool.query<WindowRow>(
      `SELECT topic, partition, from_offset, until_offset, epoch, rerun, bounded
       FROM consumer_replay_windows WHERE group_id = $1 ORDER BY id`,
      [this.groupId],
    );
    this.windows = rows;
    this.loadedAt = Date.now();
  }

  scopeOf(topic: string, partition: number, offset: string): HandlingScope {
    const position = BigInt(offset);
    const mine = this.windows.filter((w) => w.topic === topic && w.partition === partition);
    // The newest window covering the offset wins.
    for (let i = mine.length - 1; i >= 0; i--) {
      const window = mine[i] as WindowRow;
      if (position >= BigInt(window.from_offset) && position <= BigInt(window.until_offset)) {
        return { epoch: window.epoch, replaying: window.rerun, skip: false };
      }
    }
    const bounded = mine.some((w) => w.bounded && position > BigInt(w.until_offset));
    return { epoch: this.baseEpoch, replaying: this.baseReplay, skip: bounded };
  }
}
