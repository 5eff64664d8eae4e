import type { ParseArgsConfig } from 'node:util';

import type { Logger } from '@eventline/observability';

import type { CliConfig } from './config';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandContext {
  config: CliConfig;
  logger: Logger;
  /** --json was given: print one JSON document on stdout, nothing else there. */
  json: boolean;
}

/** One CLI command, e.g. `replay` or `dead-letters list`. */
export interface Command {
  /** The words that name it, e.g. 'dead-letters list'. */
  name: string;
  summary: string;
  /** The text after the usage line of `--help`: options and examples. */
  help: string;
  options: OptionSpec;
  run(context: CommandContext, values: OptionValues): Promise<number>;
}

/** A mistake in the command line: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function requireString(values: OptionValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`--${name} is required`);
  }
  return value;
}

export function optionalString(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Prints `data` as JSON with --json, else the text `render` makes. */
export function emit(context: CommandContext, data: unknown, render: () => string): void {
  process.stdout.write(context.json ? `${JSON.stringify(data, null, 2)}\n` : render());
}

/** Right-pads cells into aligned columns, a header row first. */
export function table(rows: (string | number | null)[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell))));
  const widths = text[0]?.map((_, i) => Math.max(...text.map((row) => row[i]?.length ?? 0))) ?? [];
  return `${text
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
