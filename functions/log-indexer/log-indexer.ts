/** The indexer's edge: validates the subscription event and its configuration, then ingests. */
import * as z from 'zod/mini';
import type { BulkLimits } from '../../shared/logs/bulk-chunks';
import { DEFAULT_BULK_LIMITS } from '../../shared/logs/bulk-chunks';
import { ingestLogPayload } from '../../shared/logs/ingest-log-payload';
import type { IngestLogResult } from '../../shared/logs/ingest-log-payload';
import type { RetryPolicy } from '../../shared/logs/index-log-documents';
import { LOG_CATEGORIES } from '../../shared/logs/log-document';
import type { LogCategory } from '../../shared/logs/log-document';
import type { DeadLetterSink, LogIndex } from '../../shared/logs/log-ports';
import type { TimestampBounds } from '../../shared/logs/log-timestamps';
import { requireEnv } from '../../shared/logs/env';
import '../../shared/domain/zod-locale';

/** The subscription event Lambda receives from CloudWatch Logs. */
export const subscriptionEventSchema = z.object({ awslogs: z.object({ data: z.string() }) });

/** Indexer configuration read from the environment. */
export interface LogIndexerConfig {
  readonly endpoint: string;
  readonly deadLetterQueueUrl: string;
  readonly categories: Readonly<Record<string, LogCategory>>;
  /** Service of each configured log group (explicit or derived at synth time). */
  readonly services: Readonly<Record<string, string>>;
  readonly defaultCategory: LogCategory;
  readonly limits: BulkLimits;
}

/** The event is not a CloudWatch Logs subscription event. */
export class InvalidLogEventError extends Error {
  public readonly code = 'INVALID_LOG_EVENT';
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidLogEventError';
  }
}

const categorySchema = z.enum(LOG_CATEGORIES);
const categoriesSchema = z.record(z.string(), categorySchema);
const servicesSchema = z.record(z.string(), z.string().check(z.minLength(1)));
const positiveInt = z.coerce.number().check(z.int(), z.positive());

function readJsonVariable<T>(env: NodeJS.ProcessEnv, name: string, schema: z.ZodMiniType<T>): T {
  let decoded: unknown;
  try {
    decoded = JSON.parse(env[name] ?? '{}');
  } catch (error) {
    throw new TypeError(`${name} is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(decoded);
  if (!parsed.success) throw new TypeError(`${name} is invalid: ${parsed.error.message}`);
  return parsed.data;
}

/** Reads the configuration; throws naming the missing or malformed variable. */
export function readLogIndexerConfig(env: NodeJS.ProcessEnv = process.env): LogIndexerConfig {
  const categories = readJsonVariable(env, 'LOG_GROUP_CATEGORIES', categoriesSchema);
  const services = readJsonVariable(env, 'LOG_GROUP_SERVICES', servicesSchema);
  const defaultCategory = categorySchema.safeParse(env.DEFAULT_LOG_CATEGORY ?? 'application');
  if (!defaultCategory.success) throw new TypeError('DEFAULT_LOG_CATEGORY is not a log category');
  const maxBytes = positiveInt.safeParse(env.BULK_MAX_BYTES ?? DEFAULT_BULK_LIMITS.maxBytes);
  const maxCount = positiveInt.safeParse(env.BULK_MAX_COUNT ?? DEFAULT_BULK_LIMITS.maxCount);
  if (!maxBytes.success) throw new TypeError('BULK_MAX_BYTES must be a positive integer');
  if (!maxCount.success) throw new TypeError('BULK_MAX_COUNT must be a positive integer');
  return {
    endpoint: requireEnv('OPENSEARCH_ENDPOINT', env),
    deadLetterQueueUrl: requireEnv('DEAD_LETTER_QUEUE_URL', env),
    categories,
    services,
    defaultCategory: defaultCategory.data,
    limits: { maxBytes: maxBytes.data, maxCount: maxCount.data },
  };
}

/** What the indexer needs. */
export interface LogIndexerDeps {
  readonly index: LogIndex;
  readonly deadLetters: DeadLetterSink;
  readonly categories: Readonly<Record<string, LogCategory>>;
  readonly defaultCategory: LogCategory;
  /** @default {} (every group's service derived by the documented rule) */
  readonly services?: Readonly<Record<string, string>>;
  readonly timestampBounds?: TimestampBounds;
  readonly limits?: BulkLimits;
  readonly retry?: RetryPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Builds the indexer: event in, ingest result out. Throws when the invocation must be retried. */
export function createLogIndexer(deps: LogIndexerDeps): (event: unknown) => Promise<IngestLogResult> {
  return async (event: unknown): Promise<IngestLogResult> => {
    const parsed = subscriptionEventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidLogEventError('event is not a CloudWatch Logs subscription event');
    return ingestLogPayload(parsed.data.awslogs.data, deps);
  };
}
