#!/usr/bin/env -S node --import tsx
import { parseArgs } from 'node:util';

import pino from 'pino';

import { UsageError, type Command } from './command';
import {
  deadLettersDiscardCommand,
  deadLettersListCommand,
  deadLettersRedriveCommand,
  deadLettersShowCommand,
} from './commands/dead-letters';
import { replayCommand } from './commands/replay';
import {
  schemasCheckCommand,
  schemasListCommand,
  schemasRegisterCommand,
} from './commands/schemas';
import { setupCommand } from './commands/setup';
import { statusCommand } from './commands/status';
import { readConfig } from './config';

const commands: Command[] = [
  setupCommand,
  statusCommand,
  replayCommand,
  deadLettersListCommand,
  deadLettersShowCommand,
  deadLettersRedriveCommand,
  deadLettersDiscardCommand,
  schemasListCommand,
  schemasCheckCommand,
  schemasRegisterCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: eventline <command> [options]   (eventline <command> --help for its options)

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Environment: PG_PORT, EVENTLINE_PG_URL, EVENTLINE_PG_ADMIN_URL, KAFKA_BROKERS,
CONNECT_URL, REGISTRY_URL (defaults: the local stack), LOG_LEVEL.
`;
}

function helpOf(command: Command): string {
  return `Usage: eventline ${command.name} [options]\n\n${command.summary}\n\n${command.help}`;
}

/** The command named by the longest run of leading words, and the rest of argv. */
function findCommand(argv: string[]): [Command | undefined, string[]] {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = commands.find((c) => c.name === name);
    if (command) {
      return [command, argv.slice(words)];
    }
  }
  return [undefined, argv];
}

async function main(argv: string[]): Promise<number> {
  const [command, rest] = findCommand(argv);
  if (!command) {
    const asked = argv[0] === undefined || argv[0] === '--help' || argv[0] === 'help';
    (asked ? process.stdout : process.stderr).write(
      `${asked ? '' : `Unknown command: ${argv.slice(0, 2).join(' ')}\n\n`}${overview()}`,
    );
    return asked ? 0 : 2;
  }

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean' }, json: { type: 'boolean' } },
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(
      `eventline ${command.name}: ${(error as Error).message}\n\n${helpOf(command)}`,
    );
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(helpOf(command));
    return 0;
  }

  // Logs go to stderr, so that stdout carries only the command's output.
  const logger = pino({ base: null, level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  try {
    return await command.run({ config: readConfig(), logger, json: values.json === true }, values);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`eventline ${command.name}: ${error.message}\n\n${helpOf(command)}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`eventline: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof Error && error.cause) {
      process.stderr.write(`  caused by: ${String(error.cause)}\n`);
    }
    process.exit(1);
  },
);
