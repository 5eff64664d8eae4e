// The connector a benchmark measures: startTestCapture's (connectors/
// orders.json, the settings the services run with), or for a tuning run the
// same with some settings overridden from the command line, so that a setting
// can be measured without editing connectors/ under the other users of the
// stack. `producer.override.*` reaches the Connect worker's producer for this
// connector alone (the worker's client override policy allows it since
// Kafka 3.0).
import { startTestCapture, type TestCapture, type TestDatabase } from '@eventline/testkit';

const connectorFile = 'orders.json';

/** Parses `key=value,key=value` (values may not hold commas). */
export function parseOverrides(text: string | undefined): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 1) {
      throw new Error(`--connector takes key=value pairs, got ${pair}`);
    }
    overrides[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return overrides;
}

/** Starts capturing `db`'s outbox; returns once the connector runs. */
export function startCapture(
  db: TestDatabase,
  overrides: Record<string, string>,
): Promise<TestCapture> {
  return startTestCapture(db, connectorFile, overrides);
}
