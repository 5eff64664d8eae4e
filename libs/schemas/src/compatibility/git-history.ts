/**
 * Earlier versions of a schema file, read from git history. Used by the CI check so that a
 * change is compared with what was committed before it, without a running registry.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

import { SchemaCompatibilityError } from '../errors';

const execFileAsync = promisify(execFile);

/** `<object id> <type> <size>`, the header `git cat-file --batch` prints for a found object. */
const OBJECT_HEADER = /^[0-9a-f]{40,64} (blob|tree|commit|tag) (\d+)$/;

export interface GitVersion {
  /** The full id of the newest commit that has this content. */
  commit: string;
  text: string;
}

export interface GitHistoryOptions {
  /** Any directory inside the working tree. */
  repoDir: string;
  /** The file's path relative to the repository root, with forward slashes. */
  path: string;
  /** Whose history to read; defaults to HEAD. */
  base?: string;
}

/** The root of the working tree that contains `dir`. */
export async function gitTopLevel(dir: string): Promise<string> {
  return (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
}

/**
 * Whether the clone lacks history (CI checkouts often fetch one commit): earlier versions
 * older than what was fetched cannot be read then.
 */
export async function isShallowRepository(dir: string): Promise<boolean> {
  return (await git(dir, ['rev-parse', '--is-shallow-repository'])).trim() === 'true';
}

/**
 * The distinct contents `path` had in the history of `base`, oldest first. Content that
 * appears more than once (a change that was reverted) is placed at its newest appearance, so
 * the last element is always what `base` itself holds, if it has the file. Commits where the
 * file did not exist (it was deleted, or the path names a folder) are left out.
 */
export async function readGitVersions(options: GitHistoryOptions): Promise<GitVersion[]> {
  const base = options.base ?? 'HEAD';
  // `--end-of-options` keeps a ref starting with a dash from being taken as an option.
  const log = await git(options.repoDir, [
    'log',
    '--format=%H',
    '--end-of-options',
    base,
    '--',
    options.path,
  ]);
  const commits = log.split('\n').filter((line) => line !== '');
  if (commits.length === 0) {
    return [];
  }

  const blobs = await readBlobs(
    options.repoDir,
    commits.map((commit) => `${commit}:${options.path}`),
  );
  const newestFirst: GitVersion[] = [];
  const seen = new Set<string>();
  commits.forEach((commit, index) => {
    const text = blobs[index];
    if (text === undefined || seen.has(text)) {
      return;
    }
    seen.add(text);
    newestFirst.push({ commit, text });
  });

  return newestFirst.reverse();
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    const detail = typeof stderr === 'string' && stderr.trim() !== '' ? `: ${stderr.trim()}` : '';
    throw new SchemaCompatibilityError(
      'GIT_FAILED',
      `git ${args.join(' ')} failed in ${cwd}${detail}`,
      { cause: error },
    );
  }
}

/**
 * Reads many `<commit>:<path>` objects through one `git cat-file --batch`. Its output is a
 * documented protocol: `<id> <type> <size>` then the content, or `<name> missing`, so a
 * missing file is told apart from a failure without reading any error message.
 */
async function readBlobs(cwd: string, names: string[]): Promise<Array<string | undefined>> {
  const output = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        resolve(Buffer.concat(chunks));
        return;
      }
      const detail = Buffer.concat(errors).toString('utf8').trim();
      reject(new Error(`git cat-file --batch exited with ${code}${detail ? `: ${detail}` : ''}`));
    });
    child.stdin.end(names.map((name) => `${name}\n`).join(''));
  }).catch((error: unknown) => {
    throw new SchemaCompatibilityError('GIT_FAILED', `git cat-file failed in ${cwd}`, {
      cause: error,
    });
  });

  return parseBatchOutput(output, names.length);
}

function parseBatchOutput(output: Buffer, count: number): Array<string | undefined> {
  const results: Array<string | undefined> = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const lineEnd = output.indexOf(0x0a, offset);
    if (lineEnd < 0) {
      throw new SchemaCompatibilityError('GIT_FAILED', 'git cat-file --batch output ended early');
    }
    const header = OBJECT_HEADER.exec(output.subarray(offset, lineEnd).toString('utf8'));
    offset = lineEnd + 1;
    if (header === null) {
      // `<name> missing` (or `ambiguous`): the file does not exist in that commit.
      results.push(undefined);
      continue;
    }

    const size = Number(header[2]);
    const content = output.subarray(offset, offset + size);
    offset += size + 1;
    results.push(header[1] === 'blob' ? content.toString('utf8') : undefined);
  }

  return results;
}
