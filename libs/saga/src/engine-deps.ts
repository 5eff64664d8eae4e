import type { Logger } from '@eventline/observability';

import type { RuntimeDefinition } from './definition';
import type { SagaMetrics } from './metrics';
import type { ResolvedSagaEngineOptions } from './options';

/** What the engine's parts share. */
export interface EngineDeps<Types> {
  options: ResolvedSagaEngineOptions<Types>;
  metrics: SagaMetrics;
  logger: Logger;
  /** The definition of a stored instance's saga; throws UNKNOWN_SAGA when there is none. */
  definitionOf(sagaName: string): RuntimeDefinition;
  findDefinition(sagaName: string): RuntimeDefinition | undefined;
}
