/**
 * Counts what the pipeline asks of DynamoDB during a replay: operations per alarm event and per
 * tick, and writes per partition key (the table's and the `due` index's) per second, to find the
 * busiest key. The alarm handler's writes are counted in virtual seconds (events arrive when the
 * scenario says). A tick runs at one virtual instant, so its per-key rate is estimated: a run
 * writing W items at most {@link TICK_WRITES_PER_SECOND} a second lasts W / that, and its busiest
 * key takes its share of that rate.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What the meter attributes operations to. */
export type MeterPhase = 'handler' | 'tick' | 'other';

/** Writes per second one tick run issues at most (16 calls in flight, about 5 ms each). */
export const TICK_WRITES_PER_SECOND = 3_200;

/** The busiest partition key seen, and its peak writes per second. */
export interface BusiestKey {
  readonly key: string;
  readonly writesPerSecond: number;
}

/** What the meter counted. */
export interface MeterReport {
  /** Alarm-handler invocations and the DynamoDB operations they made. */
  readonly events: number;
  readonly eventOps: number;
  /** Ticks, their operations, and the most one tick made. */
  readonly ticks: number;
  readonly tickOps: number;
  readonly maxTickOps: number;
  /** The quietest tick's operations (what a tick costs with nothing to do). */
  readonly minTickOps: number;
  /** Busiest key under the alarm handler's writes (virtual seconds) and under a tick's (estimated). */
  readonly handlerBusiest: BusiestKey;
  readonly tickBusiest: BusiestKey;
}

// Document-client commands reach the middleware before or after marshalling: both forms are read.
type Attr = string | number | { S?: string; N?: string } | undefined;

function text(attr: Attr): string | undefined {
  if (typeof attr === 'string') return attr;
  if (typeof attr === 'object') return attr.S;
  return undefined;
}
type Item = Record<string, Attr>;
interface Input {
  readonly TableName?: string;
  readonly Item?: Item;
  readonly Key?: Item;
  readonly ExpressionAttributeValues?: Record<string, Attr>;
  readonly RequestItems?: Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>;
}

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/** A DynamoDB meter for one replay. */
export class DynamoMeter {
  private current: MeterPhase = 'other';
  private readonly gsiOf = new Map<string, string>();
  private events = 0;
  private eventOps = 0;
  private ticks = 0;
  private tickOps = 0;
  private maxTickOps = 0;
  private minTickOps = Number.POSITIVE_INFINITY;
  private thisTickOps = 0;
  private readonly window = new Map<string, { second: number; count: number }>();
  private handlerBusiest: BusiestKey = { key: '-', writesPerSecond: 0 };
  private tickBusiest: BusiestKey = { key: '-', writesPerSecond: 0 };
  private tickWrites = new Map<string, number>();

  private clock: () => number = () => 0;

  /** The clock whose seconds the handler's writes are counted in (the replay's virtual one). */
  public useClock(clock: () => number): void {
    this.clock = clock;
  }

  /** Attaches the meter to a client: every command it sends is counted. */
  public attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? '';
        const input = args.input as Input;
        this.count(name, input);
        const out = await next(args);
        if (WRITES.has(name)) this.trackIndex(name, input);
        return out;
      },
      { step: 'initialize', name: 'replayDynamoMeter' },
    );
  }

  /** Runs `work` as one invocation of a phase. */
  public async within<T>(phase: MeterPhase, work: () => Promise<T>): Promise<T> {
    this.current = phase;
    if (phase === 'handler') this.events++;
    if (phase === 'tick') {
      this.ticks++;
      this.thisTickOps = 0;
      this.tickWrites = new Map();
    }
    try {
      return await work();
    } finally {
      if (phase === 'tick') this.endTick();
      this.current = 'other';
    }
  }

  /** What was counted so far. */
  public report(): MeterReport {
    return {
      events: this.events,
      eventOps: this.eventOps,
      ticks: this.ticks,
      tickOps: this.tickOps,
      maxTickOps: this.maxTickOps,
      minTickOps: Number.isFinite(this.minTickOps) ? this.minTickOps : 0,
      handlerBusiest: this.handlerBusiest,
      tickBusiest: this.tickBusiest,
    };
  }

  private count(name: string, input: Input): void {
    if (this.current === 'handler') this.eventOps++;
    if (this.current === 'tick') {
      this.tickOps++;
      this.thisTickOps++;
    }
    if (!WRITES.has(name)) return;
    for (const write of this.writesOf(name, input)) {
      this.write(write.pk);
      const gsi = write.gsi ?? this.gsiOf.get(write.id);
      if (gsi !== undefined) this.write(`due:${gsi}`);
      const old = this.gsiOf.get(write.id);
      if (old !== undefined && write.gsi !== undefined && old !== write.gsi) this.write(`due:${old}`);
    }
  }

  private writesOf(name: string, input: Input): { id: string; pk: string; gsi?: string; remove?: boolean }[] {
    const one = (item: Item | undefined, gsi: string | undefined, remove = false) => {
      const pk = text(item?.['pk']) ?? '?';
      return { id: `${pk}\u0000${text(item?.['sk']) ?? ''}`, pk, gsi, remove };
    };
    switch (name) {
      case 'PutItemCommand':
        return [one(input.Item, text(input.Item?.['dueShard']))];
      case 'UpdateItemCommand':
        return [one(input.Key, text(input.ExpressionAttributeValues?.[':shard']))];
      case 'DeleteItemCommand':
        return [one(input.Key, undefined, true)];
      default:
        return Object.values(input.RequestItems ?? {}).flatMap((requests) =>
          requests.map((r) =>
            r.PutRequest
              ? one(r.PutRequest.Item, text(r.PutRequest.Item['dueShard']))
              : one(r.DeleteRequest?.Key, undefined, true),
          ),
        );
    }
  }

  private trackIndex(name: string, input: Input): void {
    for (const write of this.writesOf(name, input)) {
      if (write.remove) this.gsiOf.delete(write.id);
      else if (write.gsi !== undefined) this.gsiOf.set(write.id, write.gsi);
      else if (name === 'PutItemCommand' || name === 'BatchWriteItemCommand') this.gsiOf.delete(write.id);
    }
  }

  private write(key: string): void {
    if (this.current === 'tick') {
      this.tickWrites.set(key, (this.tickWrites.get(key) ?? 0) + 1);
      return;
    }
    const second = Math.floor(this.clock() / 1000);
    const w = this.window.get(key);
    const count = w && w.second === second ? w.count + 1 : 1;
    this.window.set(key, { second, count });
    if (count > this.handlerBusiest.writesPerSecond) this.handlerBusiest = { key, writesPerSecond: count };
  }

  private endTick(): void {
    this.maxTickOps = Math.max(this.maxTickOps, this.thisTickOps);
    this.minTickOps = Math.min(this.minTickOps, this.thisTickOps);
    const total = [...this.tickWrites.values()].reduce((a, b) => a + b, 0);
    if (total === 0) return;
    const scale = Math.min(1, TICK_WRITES_PER_SECOND / total);
    for (const [key, n] of this.tickWrites) {
      const rate = Math.round(n * scale);
      if (rate > this.tickBusiest.writesPerSecond) this.tickBusiest = { key, writesPerSecond: rate };
    }
  }
}
