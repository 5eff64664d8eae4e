/**
 * `make schemas-check` end to end: the CLI runs on a throwaway git repository with a small
 * schemas folder, where a commit on a branch changes a schema.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { stackEndpoints, uniqueName } from '@eventline/testkit';

import { field, record } from './fixtures/compat/case-types';
import type { TempRepo } from './fixtures/compat/git-repo';
import { createTempRepo } from './fixtures/compat/git-repo';

const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CHECK_SCRIPT = fileURLToPath(new URL('../../../scripts/schemas/check.ts', import.meta.url));

const TOPIC = uniqueName('compat_cli');
const THING = `schemas/${TOPIC}/Thing.avsc`;
const OTHER = `schemas/${TOPIC}/Other.avsc`;

const thingV1 = record([field('id', 'string'), field('count', 'int')], { name: 'Thing' });
const otherV1 = record([field('id', 'string')], { name: 'Other' });

const repos: TempRepo[] = [];
const clones: string[] = [];
after(async () => {
  await Promise.all(repos.map((repo) => repo.remove()));
  await Promise.all(clones.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A repository whose main branch has Thing and Other under BACKWARD_TRANSITIVE. */
async function repoWithMain(): Promise<{ repo: TempRepo; mainCommit: string }> {
  const repo = await createTempRepo();
  repos.push(repo);
  await repo.write('schemas/compatibility.json', { default: 'BACKWARD_TRANSITIVE', subjects: {} });
  await repo.write(THING, thingV1);
  await repo.write(OTHER, otherV1);
  const mainCommit = await repo.commit('first schemas');
  return { repo, mainCommit };
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCheck(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHECK_SCRIPT, ...args], {
      cwd: PROJECT_ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a committed field without a default fails the check and names the field', async () => {
  const { repo, mainCommit } = await repoWithMain();
  await repo.git('checkout', '--quiet', '-b', 'breaking');
  await repo.write(
    THING,
    record([...(thingV1.fields as unknown[]), field('note', 'string')], { name: 'Thing' }),
  );
  await repo.commit('add a required field');

  const result = await runCheck(['--repo', repo.dir]);

  assert.equal(result.code, 1, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.length, 2, result.stdout);
  assert.equal(
    lines[0],
    `BREAK ${TOPIC}-test.Thing Thing.note [working tree reads git ${mainCommit.slice(0, 7)}] ` +
      'READER_FIELD_MISSING_DEFAULT: The new schema adds field "note" without a default, so ' +
      'records written with the earlier schema cannot be read; give "note" a default.',
  );
  assert.equal(lines[1], 'schemas-check: 1 break in 1 of 2 subjects (1 earlier version checked).');
});

test('a field added with a default passes the check', async () => {
  const { repo } = await repoWithMain();
  await repo.git('checkout', '--quiet', '-b', 'compatible');
  await repo.write(
    THING,
    record([...(thingV1.fields as unknown[]), field('note', 'string', { default: '' })], {
      name: 'Thing',
    }),
  );
  await repo.commit('add an optional field');

  const result = await runCheck(['--repo', repo.dir]);

  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(
    result.stdout.trim(),
    'schemas-check: no breaks in 2 subjects (1 earlier version checked).',
  );
});

test('an uncommitted change in the working tree is checked too', async () => {
  const { repo } = await repoWithMain();
  await repo.write(
    THING,
    record([field('id', 'string'), field('count', 'string')], { name: 'Thing' }),
  );

  const result = await runCheck(['--repo', repo.dir]);

  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stdout,
    /^BREAK \S+ Thing\.count \[working tree reads git [0-9a-f]{7}\] TYPE_MISMATCH: /m,
  );
});

test('transitive modes check every earlier version, the --json report says which', async () => {
  const { repo, mainCommit } = await repoWithMain();
  // v2 gives count a default, v3 drops count: fine for v2 readers, not for v1 readers.
  await repo.write(
    THING,
    record([field('id', 'string'), field('count', 'int', { default: 0 })], { name: 'Thing' }),
  );
  const second = await repo.commit('count gets a default');
  await repo.write('schemas/compatibility.json', {
    default: 'BACKWARD_TRANSITIVE',
    subjects: { [`${TOPIC}-test.Thing`]: 'FORWARD_TRANSITIVE' },
  });
  await repo.write(THING, record([field('id', 'string')], { name: 'Thing' }));

  const result = await runCheck(['--repo', repo.dir, '--json']);

  assert.equal(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout) as {
    compatible: boolean;
    subjects: Array<{ subject: string; mode: string; checkedAgainst: string[]; breaks: unknown[] }>;
  };
  assert.equal(report.compatible, false);
  const thing = report.subjects.find((s) => s.subject === `${TOPIC}-test.Thing`);
  assert.deepEqual(thing?.checkedAgainst, [
    `git ${mainCommit.slice(0, 7)}`,
    `git ${second.slice(0, 7)}`,
  ]);
  assert.equal(thing?.mode, 'FORWARD_TRANSITIVE');
  assert.deepEqual(thing?.breaks, [
    {
      path: 'Thing.count',
      rule: 'READER_FIELD_MISSING_DEFAULT',
      message:
        'The new schema no longer has field "count", which the earlier schema reads without a default; keep the field (renames need the old name as an alias and a default in readers first).',
      direction: 'FORWARD',
      against: `git ${mainCommit.slice(0, 7)}`,
      reader: `git ${mainCommit.slice(0, 7)}`,
      writer: 'working tree',
      readerType: 'record Thing',
      writerType: 'record Thing',
      member: 'count',
    },
  ]);
});

test('--base reads earlier versions from another ref', async () => {
  const { repo } = await repoWithMain();
  await repo.git('checkout', '--quiet', '-b', 'feature');
  await repo.write(THING, record([field('id', 'string')], { name: 'Thing' }));
  await repo.commit('drop count');
  await repo.write(
    THING,
    record([field('id', 'string'), field('count', 'int')], { name: 'Thing' }),
  );

  // The working tree is back to main's version: against main's history nothing changed, but
  // against the branch it re-adds a required field that the branch's last commit lacks.
  const onMain = await runCheck(['--repo', repo.dir, '--base', 'main']);
  const onBranch = await runCheck(['--repo', repo.dir, '--base', 'feature']);

  assert.equal(onMain.code, 0, onMain.stdout + onMain.stderr);
  assert.equal(onBranch.code, 1, onBranch.stderr);
  assert.match(onBranch.stdout, /Thing\.count .* READER_FIELD_MISSING_DEFAULT/);
});

test('a shallow clone is checked with a warning that older versions are out of reach', async () => {
  const { repo } = await repoWithMain();
  await repo.write(THING, record([field('id', 'string')], { name: 'Thing' }));
  await repo.commit('drop count');
  const clone = await mkdtemp(join(tmpdir(), 'eventline-compat-clone-'));
  clones.push(clone);
  await repo.git('clone', '--quiet', '--depth', '1', `file://${repo.dir}`, clone);

  const result = await runCheck(['--repo', clone]);

  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stderr, /^warning: the repository is a shallow clone/m);
});

test('usage errors exit with 2 and print the usage; --help exits with 0', async () => {
  const bad = await runCheck(['--no-such-option']);
  const help = await runCheck(['--help']);

  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--no-such-option/);
  assert.match(bad.stderr, /^Usage: /m);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: /);
});

test('a registry that cannot be reached exits with 2 and names its URL', async () => {
  const { repo } = await repoWithMain();
  const url = 'http://127.0.0.1:9/apis/ccompat/v7';

  const result = await runCheck(['--repo', repo.dir, '--registry', url]);

  assert.equal(result.code, 2);
  assert.match(result.stderr, new RegExp(`cannot reach the schema registry at ${url}`));
});

test('versions registered under the subject are checked as well', async (t) => {
  const { registryUrl } = stackEndpoints();
  if (!(await reachable(registryUrl))) {
    t.skip(`no schema registry at ${registryUrl}; start the stack with make up`);
    return;
  }
  const { repo } = await repoWithMain();
  const subject = `${TOPIC}-test.Thing`;
  // Registered once with count as a string: git history does not know this version.
  const registered = record([field('id', 'string'), field('count', 'string')], { name: 'Thing' });
  const response = await fetch(`${registryUrl}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(registered) }),
  });
  assert.equal(response.status, 200, await response.text());
  t.after(() => fetch(`${registryUrl}/subjects/${subject}`, { method: 'DELETE' }));

  const offline = await runCheck(['--repo', repo.dir]);
  const online = await runCheck(['--repo', repo.dir, '--registry', registryUrl]);

  assert.equal(offline.code, 0, offline.stdout + offline.stderr);
  assert.equal(online.code, 1, online.stderr);
  assert.match(
    online.stdout,
    /^BREAK \S+ Thing\.count \[working tree reads registry v1\] TYPE_MISMATCH: /m,
  );
});

async function reachable(registryUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${registryUrl}/subjects`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}
