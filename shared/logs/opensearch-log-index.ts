/** OpenSearch adapters: client factory (SigV4 or plain HTTP), bulk indexing, index setup, search. */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client, errors } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import * as z from 'zod';
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
import { buildLogSearchRequest, readLogSearchResponse } from './log-search-query';
import type { LogSearchPage, LogSearchQuery } from './log-search-query';

/** How to reach a domain. */
export interface OpenSearchConnection {
  /** `https://search-...es.amazonaws.com` or `http://127.0.0.1:9200`; a bare host means https. */
  readonly endpoint: string;
  /** Sign requests with SigV4 (service `es`) using the default credential chain. */
  readonly sign: boolean;
  /** Needed when signing. */
  readonly region?: string;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
}

/** Creates a client. Retries are off: callers own the retry policy. */
export function createOpenSearchClient(connection: OpenSearchConnection): Client {
  const node = /^https?:\/\//.test(connection.endpoint)
    ? connection.endpoint
    : `https://${connection.endpoint}`;
  const base = { node, maxRetries: 0, requestTimeout: connection.requestTimeoutMs ?? 30_000 };
  if (!connection.sign) return new Client(base);
  if (connection.region === undefined || connection.region === '') {
    throw new TypeError('a region is needed to sign OpenSearch requests');
  }
  const credentials = defaultProvider();
  return new Client({
    ...base,
    ...AwsSigv4Signer({ region: connection.region, service: 'es', getCredentials: () => credentials() }),
  });
}

const bulkResponseSchema = z.object({
  items: z.array(
    z.record(
      z.string(),
      z.object({
        _id: z.string().optional(),
        status: z.number(),
        error: z.object({ type: z.string(), reason: z.string().nullish() }).optional(),
      }),
    ),
  ),
});

/** True for failures worth retrying as a whole: throttling, server errors, timeouts, no connection, unreadable answers. */
function isTransient(error: unknown): { transient: boolean; statusCode?: number } {
  if (error instanceof errors.ResponseError) {
    const statusCode = error.statusCode;
    return { transient: statusCode === 429 || statusCode >= 500, statusCode };
  }
  return {
    transient:
      // A gateway in front of the domain answers 502/504 with HTML, which the client cannot parse.
      // The bulk may or may not have been applied; resending is safe because ids are stable.
      error instanceof errors.DeserializationError ||
      error instanceof errors.TimeoutError ||
      error instanceof errors.ConnectionError ||
      error instanceof errors.NoLivingConnectionsError,
  };
}

/** {@link LogIndex} over the `_bulk` API. */
export class OpenSearchLogIndex implements LogIndex {
  public constructor(
    private readonly client: Client,
    private readonly options: { readonly refresh?: boolean } = {},
  ) {}

  public async bulk(items: readonly BulkItem[]): Promise<readonly BulkItemResult[]> {
    let body: unknown;
    try {
      const response = await this.client.transport.request({
        method: 'POST',
        path: '/_bulk',
        bulkBody: items.map((item) => item.ndjson).join(''),
        querystring: this.options.refresh === true ? { refresh: 'true' } : {},
      });
      body = response.body;
    } catch (error) {
      if (error instanceof errors.ResponseError && error.statusCode === 413) {
        throw new LogRequestTooLargeError(
          items.reduce((n, item) => n + item.bytes, 0),
          { cause: error },
        );
      }
      const { transient, statusCode } = isTransient(error);
      if (!transient) throw error;
      throw new LogIndexUnavailableError(`bulk request failed: ${(error as Error).message}`, {
        cause: error,
        ...(statusCode !== undefined ? { statusCode } : {}),
      });
    }
    const parsed = bulkResponseSchema.safeParse(body);
    if (!parsed.success)
      throw new LogIndexUnavailableError('bulk response is not recognisable', { cause: parsed.error });
    return items.map((item, position): BulkItemResult => {
      const entry = parsed.data.items[position];
      const result = entry === undefined ? undefined : Object.values(entry)[0];
      // A missing item answer is treated as throttled, so it is retried rather than lost.
      if (result === undefined) return { id: item.log.id, status: 429, errorType: 'missing_item_result' };
      if (result.error === undefined) return { id: item.log.id, status: result.status };
      return {
        id: item.log.id,
        status: result.status,
        errorType: result.error.type,
        reason: result.error.reason ?? result.error.type,
      };
    });
  }
}

/** What {@link applyLogIndexSetup} installs. */
export interface LogIndexSetupOptions extends LogTemplateOptions {
  readonly retentionDays: number;
  /** Install the ISM retention policy (needs the Index Management plugin, present on AWS). */
  readonly retention: boolean;
}

/** Installs (or updates) the index template and the ISM retention policy. Idempotent. */
export async function applyLogIndexSetup(client: Client, options: LogIndexSetupOptions): Promise<void> {
  await client.transport.request({
    method: 'PUT',
    path: `/_index_template/${LOG_TEMPLATE_NAME}`,
    body: buildLogIndexTemplate(options),
  });
  if (!options.retention) return;
  const path = `/_plugins/_ism/policies/${LOG_RETENTION_POLICY_ID}`;
  const existing = await client.transport.request({ method: 'GET', path }, { ignore: [404] });
  const current = z.object({ _seq_no: z.number(), _primary_term: z.number() }).safeParse(existing.body);
  await client.transport.request({
    method: 'PUT',
    path,
    body: buildLogRetentionPolicy(options.retentionDays),
    querystring:
      existing.statusCode === 404 || !current.success
        ? {}
        : { if_seq_no: current.data._seq_no, if_primary_term: current.data._primary_term },
  });
}

/** Searches `logs-*` newest first; page on with `nextCursor`. */
export async function searchLogs(client: Client, query: LogSearchQuery): Promise<LogSearchPage> {
  const request = buildLogSearchRequest(query);
  const response = await client.transport.request({
    method: 'POST',
    path: `/${request.index}/_search`,
    body: request.body,
    querystring: { ignore_unavailable: 'true', allow_no_indices: 'true' },
  });
  return readLogSearchResponse(response.body, query.size);
}

/** IAM role ARNs to map onto the pipeline's fine-grained access control roles. */
export interface LogSecurityRoles {
  readonly writerRoleArns: readonly string[];
  readonly readerRoleArns: readonly string[];
}

/** Creates the writer and reader roles (limited to `logs-*`) and maps IAM roles onto them. */
export async function applyLogSecurityRoles(client: Client, roles: LogSecurityRoles): Promise<void> {
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
    await client.transport.request({
      method: 'PUT',
      path: `/_plugins/_security/api/roles/${role.name}`,
      body: role.body,
    });
    await client.transport.request({
      method: 'PUT',
      path: `/_plugins/_security/api/rolesmapping/${role.name}`,
      body: { backend_roles: [...role.backendRoles] },
    });
  }
}
