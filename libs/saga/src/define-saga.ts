import type { RuntimeDefinition, Saga, SagaDefinition } from './definition';
import { SagaError } from './errors';

/**
 * Checks a saga definition and returns it as a `Saga` the engine takes.
 * Throws `DEFINITION_INVALID` naming the field when the definition cannot
 * work. Each reply type may have one role in a saga (completing one step,
 * failing one step, or confirming one compensation): the engine tells a
 * late reply from an awaited one by its type alone.
 */
export function defineSaga<Types, Data>(
  definition: SagaDefinition<Types, Data>,
): Saga<Types, Data> {
  const invalid = (field: string, problem: string) =>
    new SagaError('DEFINITION_INVALID', `Saga ${definition.name}: ${field} ${problem}`);

  if (typeof definition.name !== 'string' || definition.name.trim() === '') {
    throw new SagaError('DEFINITION_INVALID', 'A saga definition needs a non-empty name');
  }
  if (definition.steps.length === 0) {
    throw invalid('steps', 'must hold at least one step');
  }

  const stepNames = new Set<string>();
  const roles = new Map<string, string>();
  const claim = (type: string, role: string) => {
    const earlier = roles.get(type);
    if (earlier !== undefined) {
      throw invalid(role, `takes ${type}, which ${earlier} takes already`);
    }
    roles.set(type, role);
  };

  definition.steps.forEach((step, i) => {
    const at = `steps[${i}]`;
    if (typeof step.name !== 'string' || step.name.trim() === '') {
      throw invalid(`${at}.name`, 'must not be empty');
    }
    if (stepNames.has(step.name)) {
      throw invalid(`${at}.name`, `repeats the step name ${step.name}`);
    }
    stepNames.add(step.name);
    assertPositiveInteger(invalid, `${at}.deadlineMs`, step.deadlineMs);

    const succeeds = Object.keys(step.succeedsOn);
    if (succeeds.length === 0) {
      throw invalid(`${at}.succeedsOn`, 'must name at least one reply type');
    }
    succeeds.forEach((type) => claim(type, `${at}.succeedsOn`));
    Object.keys(step.failsOn ?? {}).forEach((type) => claim(type, `${at}.failsOn`));

    if (step.compensation) {
      claim(step.compensation.confirmedBy, `${at}.compensation.confirmedBy`);
      if (step.compensation.deadlineMs !== undefined) {
        assertPositiveInteger(
          invalid,
          `${at}.compensation.deadlineMs`,
          step.compensation.deadlineMs,
        );
      }
    } else if (step.compensateOnTimeout) {
      throw invalid(`${at}.compensateOnTimeout`, 'is set but the step has no compensation');
    }
  });

  // The one place the record and data types are erased; see RuntimeDefinition.
  return { name: definition.name, definition: definition as unknown as RuntimeDefinition };
}

function assertPositiveInteger(
  invalid: (field: string, problem: string) => SagaError,
  field: string,
  value: unknown,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(field, 'must be an integer number of milliseconds >= 1');
  }
}
