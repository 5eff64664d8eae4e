// Runs every test file (`libs/*/test/**/*.test.ts`, `apps/*/test/**/*.test.ts`)
// with Node's own test runner and tsx. Pass paths or a substring to narrow:
//   npm test -- libs/outbox        npm test -- compatibility
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir, found = []) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') {
      continue;
    }
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      findTests(path, found);
    } else if (path.endsWith('.test.ts') && path.includes('/test/')) {
      found.push(path);
    }
  }
  return found;
}

const filters = process.argv.slice(2);
const files = ['libs', 'apps']
  .flatMap((root) => findTests(root))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}

// Integration test files share one stack; two at a time keeps a two-core
// machine responsive while Connect and the broker work.
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
