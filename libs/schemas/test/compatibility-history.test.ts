import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { stackEndpoints, uniqueName } from '@eventline/testkit';

import { SchemaCompatibilityError } from '../src/errors';
import { readGitVersions } from '../src/compatibility/git-history';
import { readRegisteredVersions } from '../src/compatibility/registry-versions';
import { field, record } from './fixtures/compat/case-types';
import type { TempRepo } from './fixtures/compat/git-repo';
import { createTempRepo } from './fixtures/compat/git-repo';

const FILE = 'schemas/t/R.avsc';

describe('git history', () => {
  let repo: TempRepo;
  const commits = { v1: '', v2: '', revert: '', v3: '' };
  before(async () => {
    repo = await createTempRepo();
    await repo.write(FILE, 'v1');
    commits.v1 = await repo.commit('v1');
    await repo.write(FILE, 'v2');
    commits.v2 = await repo.commit('v2');
    await repo.write(FILE, 'v1');
    commits.revert = await repo.commit('back to v1');
    await repo.write('other.txt', 'unrelated');
    await repo.commit('a commit that does not touch the schema');
    await repo.git('rm', '--quiet', FILE);
    await repo.commit('schema deleted');
    await repo.write(FILE, 'v3');
    commits.v3 = await repo.commit('v3');
  });
  after(() => repo.remove());

  test('distinct contents come oldest first, a reverted content at its newest commit', async () => {
    const versions = await readGitVersions({ repoDir: repo.dir, path: FILE });

    assert.deepEqual(versions, [
      { commit: commits.v2, text: 'v2' },
      { commit: commits.revert, text: 'v1' },
      { commit: commits.v3, text: 'v3' },
    ]);
  });

  test('a base ref limits the history to what that ref had', async () => {
    const versions = await readGitVersions({ repoDir: repo.dir, path: FILE, base: commits.v2 });

    assert.deepEqual(versions, [
      { commit: commits.v1, text: 'v1' },
      { commit: commits.v2, text: 'v2' },
    ]);
  });

  test('a file that was never committed has no history', async () => {
    assert.deepEqual(await readGitVersions({ repoDir: repo.dir, path: 'schemas/t/New.avsc' }), []);
  });

  test('an unknown base ref is a typed git failure with git explaining why', async () => {
    await assert.rejects(
      readGitVersions({ repoDir: repo.dir, path: FILE, base: 'no-such-branch' }),
      (error: unknown) =>
        error instanceof SchemaCompatibilityError &&
        error.code === 'GIT_FAILED' &&
        /no-such-branch/.test(error.message),
    );
  });
});

describe('registry versions', () => {
  const { registryUrl } = stackEndpoints();

  test('an unreachable registry is a typed error naming its URL', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;

    await assert.rejects(
      readRegisteredVersions(url, 'any-subject'),
      (error: unknown) =>
        error instanceof SchemaCompatibilityError &&
        error.code === 'REGISTRY_UNREACHABLE' &&
        error.message.includes(url),
    );
  });

  test('versions registered under a subject come back parsed, oldest first', async (t) => {
    if (!(await reachable(registryUrl))) {
      t.skip(`no schema registry at ${registryUrl}; start the stack with make up`);
      return;
    }
    const subject = `${uniqueName('compat')}-test.R`;
    const v1 = record([field('a', 'string')]);
    const v2 = record([field('a', 'string'), field('b', 'int', { default: 0 })]);
    await register(registryUrl, subject, v1);
    await register(registryUrl, subject, v2);
    t.after(() => fetch(`${registryUrl}/subjects/${subject}`, { method: 'DELETE' }));

    const versions = await readRegisteredVersions(registryUrl, subject);

    assert.deepEqual(
      versions.map((v) => [v.version, v.schema]),
      [
        [1, v1],
        [2, v2],
      ],
    );
    assert.ok(versions.every((v) => typeof v.id === 'number'));
  });

  test('a subject the registry does not know has no versions', async (t) => {
    if (!(await reachable(registryUrl))) {
      t.skip(`no schema registry at ${registryUrl}; start the stack with make up`);
      return;
    }

    assert.deepEqual(await readRegisteredVersions(registryUrl, uniqueName('absent')), []);
  });
});

async function register(registryUrl: string, subject: string, schema: unknown): Promise<void> {
  const response = await fetch(`${registryUrl}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  assert.equal(response.status, 200, await response.text());
}

async function reachable(registryUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${registryUrl}/subjects`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}
