/** Pending / keep-firing state of scheduled rules: one item per rule and target in the alert table. */
import type { DocTable } from './doc-table';
import * as z from 'zod/mini';
import '../domain/zod-locale';
import { SEVERITIES } from '../domain/alert';
import type { EvalState, EvalStateStore } from '../domain/evaluation/pending-state';
import { putIfVersion } from './dynamo-index';

const itemSchema = z.object({
  ruleId: z.string(),
  target: z.string(),
  status: z.enum(['inactive', 'pending', 'firing']),
  activeSince: z.optional(z.number()),
  firedAt: z.optional(z.number()),
  lastBreachAt: z.optional(z.number()),
  severity: z.optional(z.enum(SEVERITIES)),
  lastEvaluatedAt: z.number(),
  version: z.number(),
});

/** Key of a rule instance's evaluation state item. */
export function evalStateKey(ruleId: string, target: string): { pk: string; sk: string } {
  return { pk: `EVAL#${ruleId}#${target}`, sk: 'STATE' };
}

/** EvalStateStore on single conditional PutItems, like the alert items. */
export class DynamoEvalStateStore implements EvalStateStore {
  public constructor(
    private readonly doc: DocTable,
    private readonly tableName: string,
  ) {}

  /** @inheritdoc */
  public async get(ruleId: string, target: string): Promise<EvalState | undefined> {
    const out = await this.doc.get({
      TableName: this.tableName,
      Key: evalStateKey(ruleId, target),
      ConsistentRead: true,
    });
    return out.Item ? itemSchema.parse(out.Item) : undefined;
  }

  /** @inheritdoc */
  public async put(state: EvalState, expectedVersion: number | undefined): Promise<EvalState | undefined> {
    const stored: EvalState = { ...state, version: (expectedVersion ?? 0) + 1 };
    const item = { ...evalStateKey(state.ruleId, state.target), ...stored };
    return (await putIfVersion(this.doc, this.tableName, item, expectedVersion)) ? stored : undefined;
  }
}
