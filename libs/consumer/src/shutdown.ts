import type { Logger } from '@eventline/observability';

/**
 * Stops the given components on SIGTERM or SIGINT, in order, and exits: 0
 * when all stopped in time, 1 otherwise. A second signal exits at once.
 */
export function stopOnSignals(components: { stop(): Promise<void> }[], logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'Shutting down');
    (async () => {
      for (const component of components) {
        await component.stop();
      }
    })().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ error: String(error) }, 'Shutdown did not complete');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
