// The official OpenSearch client, for tests that look at a local node directly (counts, mappings,
// raw searches) rather than through the pipeline's own adapters.
import { Client } from '@opensearch-project/opensearch';

/** A plain client for a local node (no signing, no retries). */
export function createOpenSearchClient(options: { endpoint: string; requestTimeoutMs?: number }): Client {
  return new Client({
    node: options.endpoint,
    maxRetries: 0,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
  });
}
