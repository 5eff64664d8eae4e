#!/usr/bin/env -S node --import tsx
import pino from 'pino';

import { readConfig } from './config';
import { setup } from './setup';

const usage = `Usage: eventline <command>

Commands:
  setup    migrate the service databases' outboxes, provision capture, and
           create or update the connectors in connectors/ (waits until running)
`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  const logger = pino({ base: null, level: process.env.LOG_LEVEL ?? 'info' });
  const config = readConfig();

  switch (command) {
    case 'setup':
      await setup(config, logger);
      return 0;
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
