import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { DbError } from './errors';
import type { Pool, PoolClient } from './pool';

/** A numbered SQL file, e.g. `001_outbox.sql`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** One lib's or app's migrations, applied in version order under its own name. */
export interface MigrationSet {
  /** Stable name of the owner, e.g. 'outbox'; versions are counted per set. */
  name: string;
  directory: string;
}

const fileName = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

// Any constant works; it only has to be the same for every migrating process.
const advisoryLockKey = 7_420_511;

export async function loadMigrations(directory: string): Promise<Migration[]> {
  const files = (await readdir(directory)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];

  for (const file of files) {
    const match = fileName.exec(file);
    if (!match?.[1] || !match[2]) {
      throw new DbError(
        'MIGRATION_INVALID_NAME',
        `Migration file ${join(directory, file)} must be named NNN_description.sql`,
      );
    }

    const sql = await readFile(join(directory, file), 'utf8');
    const checksum = createHash('sha256').update(sql).digest('hex');
    migrations.push({ version: Number(match[1]), name: match[2], sql, checksum });
  }

  return migrations;
}

/**
 * Applies the migrations of each set that the database has not seen, each in
 * its own transaction, under an advisory lock so that concurrent starts of the
 * same service do not race. An applied migration whose file has changed since
 * is an error: migrations are append-only.
 */
export async function migrate(pool: Pool, sets: MigrationSet[]): Promise<string[]> {
  const applied: string[] = [];
  const client = await pool.connect();

  try {
    await client.query('SELECT pg_advisory_lock($1)', [advisoryLockKey]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      set_name text NOT NULL,
      version integer NOT NULL,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (set_name, version)
    )`);

    for (const set of sets) {
      const migrations = await loadMigrations(set.directory);
      const { rows } = await client.query<{ version: number; checksum: string }>(
        'SELECT version, checksum FROM schema_migrations WHERE set_name = $1',
        [set.name],
      );
      const seen = new Map(rows.map((row) => [row.version, row.checksum]));

      for (const migration of migrations) {
        const label = `${set.name}/${String(migration.version).padStart(3, '0')}_${migration.name}`;
        const checksum = seen.get(migration.version);
        if (checksum === migration.checksum) {
          continue;
        }
        if (checksum !== undefined) {
          throw new DbError(
            'MIGRATION_DRIFT',
            `Migration ${label} was changed after it was applied; add a new migration instead`,
          );
        }

        await applyOne(client, set.name, migration, label);
        applied.push(label);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [advisoryLockKey]).catch(() => undefined);
    client.release();
  }

  return applied;
}

async function applyOne(
  client: PoolClient,
  setName: string,
  migration: Migration,
  label: string,
): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query(migration.sql);
    await client.query(
      'INSERT INTO schema_migrations (set_name, version, name, checksum) VALUES ($1, $2, $3, $4)',
      [setName, migration.version, migration.name, migration.checksum],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new DbError('MIGRATION_FAILED', `Migration ${label} failed`, { cause: error });
  }
}
