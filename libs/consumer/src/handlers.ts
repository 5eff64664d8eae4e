import { ConsumerError } from './errors';
import type { Handler, HandlerRegistration } from './event';

export interface HandlerOptions {
  /** False for handlers with outside effects that a re-run replay must pass over. */
  replayable?: boolean;
}

/** Handlers by event type, in registration order; names are unique. */
export class HandlerRegistry<Types> {
  private readonly byType = new Map<string, HandlerRegistration<Types>[]>();
  private readonly names = new Set<string>();

  add<N extends keyof Types & string>(
    type: N,
    name: string,
    handle: Handler<Types, Types[N]>,
    options: HandlerOptions = {},
  ): void {
    if (this.names.has(name)) {
      throw new ConsumerError('HANDLER_DUPLICATE', `A handler named ${name} is registered already`);
    }
    this.names.add(name);
    const list = this.byType.get(type) ?? [];
    list.push({
      name,
      type,
      handle: handle as Handler<Types, never>,
      replayable: options.replayable ?? true,
    });
    this.byType.set(type, list);
  }

  /** The handlers of an event type; in a replay, only the replayable ones. */
  for(type: string, replay: boolean): HandlerRegistration<Types>[] {
    const list = this.byType.get(type) ?? [];
    return replay ? list.filter((handler) => handler.replayable) : list;
  }
}
