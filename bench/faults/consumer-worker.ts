// The fault pipeline's consumer as a process of its own, so that a scenario
// can kill it with SIGKILL. With KILL_AFTER=n it kills itself right after
// its n-th effect commits, before that event's offset can be committed: the
// window in which a crash would double an effect without the inbox.
//
//   FAULT_DB=<database> [KILL_AFTER=n] node --import tsx bench/faults/consumer-worker.ts
import { stopOnSignals } from '@eventline/consumer';
import { createPool, withDatabase } from '@eventline/db';
import { silentLogger } from '@eventline/observability';
import { stackEndpoints } from '@eventline/testkit';

import { createPipelineConsumer } from './pipeline-consumer';

const database = process.env.FAULT_DB ?? '';
const killAfter = Number(process.env.KILL_AFTER ?? '0');
if (!database) {
  throw new Error('FAULT_DB must name the pipeline database');
}

const pool = createPool({ connectionString: withDatabase(stackEndpoints().pgAppUrl, database) });
let committed = 0;
const consumer = await createPipelineConsumer({
  database,
  pool,
  sessionTimeoutMs: 6_000,
  onEffectCommitted: () => {
    committed++;
    if (killAfter > 0 && committed >= killAfter) {
      process.kill(process.pid, 'SIGKILL');
    }
  },
});

stopOnSignals([consumer, { stop: () => pool.end() }], silentLogger);
await consumer.start();
process.stdout.write('started\n');
