// What one run of a fault scenario reports: the faults it injected, how many
// events (or sagas) the checker looked at, and every invariant it found broken.

export interface Outcome {
  scenario: string;
  run: number;
  /** Faults injected in this run (kills, stops, poison messages...). */
  faults: number;
  /** Events, or sagas, the checker looked at. */
  checked: number;
  /** One sentence per broken invariant; empty when the run is clean. */
  violations: string[];
  /** Counts worth a look in the report (effects, parked, slot lag...). */
  details: Record<string, number | string>;
}

export interface ScenarioOptions {
  /** Events (or orders) the load generator writes in one run. */
  events: number;
}

export type Scenario = (run: number, options: ScenarioOptions) => Promise<Outcome>;
