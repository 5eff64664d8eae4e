import type { Command } from '../command';
import { setup } from '../setup';

export const setupCommand: Command = {
  name: 'setup',
  summary: "migrate service databases' outboxes, provision capture, apply connectors",
  help: `Idempotent; \`make up\` runs it. For every connector file in connectors/:
migrates the outbox tables of its database, grants the capture role what it
needs, creates the replication slot, then creates or updates the connector
and waits until it and its task run (a failing task's error is printed).
`,
  options: {},
  async run(context) {
    await setup(context.config, context.logger);
    return 0;
  },
};
