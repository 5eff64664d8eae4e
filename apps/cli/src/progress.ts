/**
 * A progress bar on stderr for long work, drawn only on a terminal (in CI
 * and pipes it stays silent, and --json output on stdout stays clean).
 */
export function progressBar(label: string): {
  update(done: number, total: number): void;
  end(): void;
} {
  const draw = process.stderr.isTTY === true;
  let last = '';
  return {
    update(done, total) {
      if (!draw) {
        return;
      }
      const ratio = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(ratio * 30);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${done}/${total}`;
      if (line !== last) {
        process.stderr.write(`\r${line}`);
        last = line;
      }
    },
    end() {
      if (draw && last !== '') {
        process.stderr.write('\n');
      }
    },
  };
}
