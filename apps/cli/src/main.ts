#!/usr/bin/env -S node --import tsx
import pino from 'pino';

import { readConfig } from './config';
import { listSchemas, registerSchemas } from './schemas';
import { setup } from './setup';

const usage = `Usage: eventline <command>

Commands:
  setup    migrate the service databases' outboxes, provision capture, and
           create or update the connectors in connectors/ (waits until running)
  schemas register   register every schema in schemas/ under its subject, with
                     its compatibility mode (the deploy step; idempotent)
  schemas list       subjects in the registry, their versions and modes [--json]
`;

async function main(argv: string[]): Promise<number> {
  const [command, subcommand] = argv;
  const logger = pino({ base: null, level: process.env.LOG_LEVEL ?? 'info' });
  const config = readConfig();

  switch (command) {
    case 'setup':
      await setup(config, logger);
      return 0;
    case 'schemas':
      if (subcommand === 'register') {
        await registerSchemas(config, logger);
        return 0;
      }
      if (subcommand === 'list') {
        await listSchemas(config, argv.includes('--json'));
        return 0;
      }
      process.stderr.write(`Unknown schemas command: ${subcommand ?? '(none)'}\n\n${usage}`);
      return 2;
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(usage);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${usage}`);
      return 2;
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
