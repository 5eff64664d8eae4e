import type { Transaction } from '@eventline/db';

import type { AbortReason, FailureReason } from './instance';

/** Record names whose value carries `sagaId`: the only records a saga can take as replies. */
export type ReplyType<Types> = {
  [K in keyof Types & string]: Types[K] extends { sagaId: string } ? K : never;
}[keyof Types & string];

/**
 * A command the saga sends, typed by its record name. There is no key: the
 * engine always uses the saga id, so one saga's commands and replies stay in
 * one partition of each topic.
 */
export type SagaCommand<Types> = {
  [N in keyof Types & string]: {
    type: N;
    value: Types[N];
    /** Needed only when the record is on more than one topic. */
    topic?: string;
  };
}[keyof Types & string];

/** Builds a command from the saga's data. Called inside the transaction that sends it. */
export type CommandBuilder<Types, Data> = (data: Data, sagaId: string) => SagaCommand<Types>;

/**
 * What a reply does to the saga's data. Returning undefined keeps the data
 * as it is. The data is stored as JSON: keep it to strings, numbers,
 * booleans, null, arrays and plain objects (a Date comes back as a string).
 */
export type ReplyReducers<Types, Data> = {
  [K in ReplyType<Types>]?: (data: Data, reply: Types[K]) => Data | undefined;
};

export interface SagaCompensation<Types, Data> {
  /** Undoes the step; must be safe to receive more than once (it is re-sent on a deadline). */
  command: CommandBuilder<Types, Data>;
  /** The reply that confirms the compensation. */
  confirmedBy: ReplyType<Types>;
  /** How long to wait for the confirmation before re-sending; defaults to the step's deadline. */
  deadlineMs?: number;
}

export interface SagaStep<Types, Data> {
  /** Unique in the saga; appears in logs and in the transitions table. */
  name: string;
  command: CommandBuilder<Types, Data>;
  /** Replies that complete the step; at least one. */
  succeedsOn: ReplyReducers<Types, Data>;
  /** Replies that fail the step and start compensation. */
  failsOn?: ReplyReducers<Types, Data>;
  compensation?: SagaCompensation<Types, Data>;
  /**
   * True when the step's own compensation must also run if its deadline
   * passes: a silent participant may have acted and only its reply is
   * late. Only for a compensation that needs nothing from the step's reply
   * (releasing an order's stock, say; not a refund that needs a payment id).
   */
  compensateOnTimeout?: boolean;
  /** How long to wait for a reply before the step counts as failed. */
  deadlineMs: number;
}

/** Why the forward path was given up, as hooks see it. */
export interface SagaAbort {
  reason: AbortReason;
  step: string;
  /** The failing reply, when a reply (not a deadline) failed the step. */
  replyType?: string;
}

export interface SagaHookContext<Types, Data> {
  sagaId: string;
  data: Data;
  /** The transaction that ends the saga; the hook's effects commit with it. */
  tx: Transaction;
  /** Sends a command through the outbox in `tx`, keyed by the saga id. */
  send(command: SagaCommand<Types>): Promise<string>;
  /** Set when the saga compensated or failed after a step failed. */
  abort?: SagaAbort;
  /** Set when the saga ended FAILED. */
  failure?: FailureReason;
}

export type SagaHook<Types, Data> = (context: SagaHookContext<Types, Data>) => Promise<void>;

/**
 * What must follow a saga's end (the order saga telling the order service
 * to confirm or cancel) is a hook rather than a last step: it cannot be
 * refused and has nothing to compensate. The outbox makes the command
 * atomic with the terminal state and the receiver's inbox applies it once;
 * a step would add a deadline whose passing could only undo work that had
 * succeeded.
 */
export interface SagaDefinition<Types, Data> {
  /** Unique among the engine's sagas; stored in each instance. */
  name: string;
  /** Run in this order; each waits for its reply before the next is sent. */
  steps: SagaStep<Types, Data>[];
  onCompleted?: SagaHook<Types, Data>;
  onCompensated?: SagaHook<Types, Data>;
  /**
   * Runs when compensation could not be confirmed within its attempts. Not
   * run when the engine itself failed on the saga (ENGINE_ERROR): the hook
   * may be what failed.
   */
  onFailed?: SagaHook<Types, Data>;
}

/**
 * A validated saga definition, with its data type kept only for the
 * compiler (so `engine.start` checks the data it is given).
 */
export interface Saga<Types, Data> {
  readonly name: string;
  readonly definition: RuntimeDefinition;
  /** Never set; carries `Types` and `Data` for type checking. */
  readonly types?: { events: Types; data: Data };
}

/**
 * A definition as the engine runs it, with the record and data types erased:
 * the engine handles instances of many sagas, whose data it reads from JSON.
 */
export interface RuntimeDefinition {
  name: string;
  steps: RuntimeStep[];
  onCompleted?: RuntimeHook;
  onCompensated?: RuntimeHook;
  onFailed?: RuntimeHook;
}

export interface RuntimeCommand {
  type: string;
  value: unknown;
  topic?: string;
}

export type RuntimeReducer = (data: unknown, reply: unknown) => unknown;

export interface RuntimeStep {
  name: string;
  command: (data: unknown, sagaId: string) => RuntimeCommand;
  succeedsOn: Record<string, RuntimeReducer | undefined>;
  failsOn?: Record<string, RuntimeReducer | undefined>;
  compensation?: {
    command: (data: unknown, sagaId: string) => RuntimeCommand;
    confirmedBy: string;
    deadlineMs?: number;
  };
  compensateOnTimeout?: boolean;
  deadlineMs: number;
}

export type RuntimeHook = (context: {
  sagaId: string;
  data: unknown;
  tx: Transaction;
  send(command: RuntimeCommand): Promise<string>;
  abort?: SagaAbort;
  failure?: FailureReason;
}) => Promise<void>;
