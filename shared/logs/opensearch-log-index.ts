/** OpenSearch adapters over {@link OpenSearchHttp}: bulk indexing, index setup, access roles, search. */
import * as z from 'zod/mini';
import { NoAnswerError } from '../adapters/aws-http';
import type { BulkItem } from './bulk-chunks';
import {
  LOG_READER_ROLE,
  LOG_WRITER_ROLE,
  buildLogIndexTemplate,
  buildLogRetentionPolicy,
  LOG_RETENTION_POLICY_ID,
  LOG_TEMPLATE_NAME,
} from './index-template';
import type { LogTemplateOptions } from './index-template';
import { LogIndexUnavailableError, LogRequestTooLargeError } from './log-errors';
import type { BulkItemResult, LogIndex } from './log-ports';
import { describeAnswer, OpenSearchRequestError } from './opensearch-http';
import type { OpenSearchAnswer, OpenSearchHttp } from './opensearch-http';
import '../domain/zod-locale';

export { createOpenSearchHttp, OpenSearchRequestError } from './opensearch-http';
export { searchLogs } from './opensearch-log-search';
export type { OpenSearchConnection, OpenSearchHttp } from './opensearch-http';

/** One item's answer: its status, and the error when it failed. */
interface ItemAnswer {
  readonly status: number;
  readonly error?: { readonly type: string; readonly reason?: string };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The per-item answers of a bulk response (`{"items": [{"index": {"status": 201}}, ...]}`), read
 * by hand: it is parsed once per bulk on the indexer's hot path. `undefined` when the body has
 * another shape.
 */
export function readBulkItems(body: unknown): (ItemAnswer | undefined)[] | undefined {
  if (!isObject(body) || !Array.isArray(body.items)) return undefined;
  const answers: (ItemAnswer | undefined)[] = [];
  for (const entry of body.items as unknown[]) {
    if (!isObject(entry)) return undefined;
    let answer: ItemAnswer | undefined;
    for (const action in entry) {
      const result = entry[action];
      if (!isObject(result) || typeof result.status !== 'number') return undefined;
      const error = result.error;
      if (error === undefined) {
        answer = { status: result.status };
      } else {
        if (!isObject(error) || typeof error.type !== 'string') return undefined;
        const reason = typeof error.reason === 'string' ? error.reason : undefined;
        answer = {
          status: result.status,
          error: reason === undefined ? { type: error.type } : { type: error.type, reason },
        };
      }
    }
    answers.push(answer);
  }
  return answers;
}

// Only what the per-item check reads: a fraction of the full answer to parse.
const BULK_FILTER = 'errors,items.*.status,items.*.error.type,items.*.error.reason';

const ok = (status: number): boolean => status >= 200 && status < 300;

/** {@link LogIndex} over the `_bulk` API. */
export class OpenSearchLogIndex implements LogIndex {
  public constructor(
    private readonly http: OpenSearchHttp,
    private readonly options: { readonly refresh?: boolean } = {},
  ) {}

  public async bulk(items: readonly BulkItem[]): Promise<readonly BulkItemResult[]> {
    let body = '';
    let bytes = 0;
    for (const item of items) {
      body += item.ndjson;
      bytes += item.bytes;
    }
    let answer: OpenSearchAnswer;
    try {
      answer = await this.http.request('POST', '/_bulk', {
        body,
        query:
          this.options.refresh === true
            ? { filter_path: BULK_FILTER, refresh: 'true' }
            : { filter_path: BULK_FILTER },
      });
    } catch (error) {
      // No answer: the bulk may or may not have been applied; resending is safe because ids are stable.
      if (error instanceof NoAnswerError) {
        throw new LogIndexUnavailableError(`bulk request failed: ${error.message}`, { cause: error });
      }
      throw error;
    }
    if (answer.status === 413) throw new LogRequestTooLargeError(bytes);
    // Throttled or failing (a gateway in front of the domain answers 502/504 with HTML): retry.
    if (answer.status === 429 || answer.status >= 500) {
      throw new LogIndexUnavailableError(describeAnswer('bulk request', answer), {
        statusCode: answer.status,
      });
    }
    // Refused as a whole (403, 400): the invocation fails and Lambda's retries and on-failure queue take it.
    if (!ok(answer.status))
      throw new OpenSearchRequestError(describeAnswer('bulk request', answer), answer.status);
    let answers: (ItemAnswer | undefined)[] | undefined;
    try {
      answers = readBulkItems(JSON.parse(answer.body));
    } catch (error) {
      throw new LogIndexUnavailableError('bulk response is not JSON', { cause: error });
    }
    if (answers === undefined) throw new LogIndexUnavailableError('bulk response is not recognisable');
    const results: BulkItemResult[] = [];
    for (let position = 0; position < items.length; position += 1) {
      const id = items[position]?.log.id ?? '';
      const result = answers[position];
      // A missing item answer is treated as throttled, so it is retried rather than lost.
      if (result === undefined) results.push({ id, status: 429, errorType: 'missing_item_result' });
      else if (result.error === undefined) results.push({ id, status: result.status });
      else {
        results.push({
          id,
          status: result.status,
          errorType: result.error.type,
          reason: result.error.reason ?? result.error.type,
        });
      }
    }
    return results;
  }
}

async function requestOk(
  http: OpenSearchHttp,
  what: string,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  options: { readonly body?: string; readonly query?: Readonly<Record<string, string>> } = {},
  allowed: readonly number[] = [],
): Promise<OpenSearchAnswer> {
  const answer = await http.request(method, path, options);
  if (!ok(answer.status) && !allowed.includes(answer.status)) {
    throw new OpenSearchRequestError(describeAnswer(what, answer), answer.status);
  }
  return answer;
}

/** What {@link applyLogIndexSetup} installs. */
export interface LogIndexSetupOptions extends LogTemplateOptions {
  readonly retentionDays: number;
  /** Install the ISM retention policy (needs the Index Management plugin, present on AWS). */
  readonly retention: boolean;
}

const policyVersionSchema = z.object({ _seq_no: z.number(), _primary_term: z.number() });

/** Installs (or updates) the index template and the ISM retention policy. Idempotent. */
export async function applyLogIndexSetup(http: OpenSearchHttp, options: LogIndexSetupOptions): Promise<void> {
  await requestOk(http, 'index template', 'PUT', `/_index_template/${LOG_TEMPLATE_NAME}`, {
    body: JSON.stringify(buildLogIndexTemplate(options)),
  });
  if (!options.retention) return;
  const path = `/_plugins/_ism/policies/${LOG_RETENTION_POLICY_ID}`;
  const existing = await requestOk(http, 'retention policy', 'GET', path, {}, [404]);
  let current: z.infer<typeof policyVersionSchema> | undefined;
  if (existing.status !== 404) {
    try {
      const parsed = policyVersionSchema.safeParse(JSON.parse(existing.body));
      current = parsed.success ? parsed.data : undefined;
    } catch {
      current = undefined;
    }
  }
  await requestOk(http, 'retention policy', 'PUT', path, {
    body: JSON.stringify(buildLogRetentionPolicy(options.retentionDays)),
    query:
      current === undefined
        ? {}
        : { if_seq_no: String(current._seq_no), if_primary_term: String(current._primary_term) },
  });
}

/** IAM role ARNs to map onto the pipeline's fine-grained access control roles. */
export interface LogSecurityRoles {
  readonly writerRoleArns: readonly string[];
  readonly readerRoleArns: readonly string[];
}

/** Creates the writer and reader roles (limited to `logs-*`) and maps IAM roles onto them. */
export async function applyLogSecurityRoles(http: OpenSearchHttp, roles: LogSecurityRoles): Promise<void> {
  const definitions = [
    {
      name: LOG_WRITER_ROLE,
      backendRoles: roles.writerRoleArns,
      body: {
        cluster_permissions: ['indices:data/write/bulk'],
        index_permissions: [{ index_patterns: ['logs-*'], allowed_actions: ['crud', 'create_index'] }],
      },
    },
    {
      name: LOG_READER_ROLE,
      backendRoles: roles.readerRoleArns,
      body: {
        cluster_permissions: ['cluster_composite_ops_ro'],
        index_permissions: [{ index_patterns: ['logs-*'], allowed_actions: ['read'] }],
      },
    },
  ];
  for (const role of definitions) {
    await requestOk(http, `role ${role.name}`, 'PUT', `/_plugins/_security/api/roles/${role.name}`, {
      body: JSON.stringify(role.body),
    });
    await requestOk(
      http,
      `role mapping ${role.name}`,
      'PUT',
      `/_plugins/_security/api/rolesmapping/${role.name}`,
      {
        body: JSON.stringify({ backend_roles: [...role.backendRoles] }),
      },
    );
  }
}
