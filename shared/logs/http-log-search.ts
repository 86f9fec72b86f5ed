/**
 * Log search over plain HTTPS, signed with SigV4 when asked: what the alert-path Lambdas use for
 * incident diagnostics, so they search the log pipeline without carrying the OpenSearch client.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { LogSearchError } from './log-errors';
import { buildLogSearchRequest, readLogSearchResponse } from './log-search-query';
import type { LogSearchPage, LogSearchQuery } from './log-search-query';
import type { OpenSearchConnection } from './opensearch-log-index';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 (or HMAC-SHA-256 with a secret) from node:crypto, in the shape SigV4 signing expects. */
class NodeSha256 {
  private hash: Hash | Hmac;

  public constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(this.secret));
  }

  public update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  public digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  public reset(): void {
    this.hash = this.fresh();
  }
}

/** How long an answer's body may be quoted in an error. */
const QUOTED_BODY = 200;

/** A search function over `logs-*` (newest first), like `searchLogs` but without a client library. */
export function createHttpLogSearch(
  connection: OpenSearchConnection,
  fetchImpl: typeof fetch = fetch,
): (query: LogSearchQuery) => Promise<LogSearchPage> {
  const base = new URL(
    /^https?:\/\//.test(connection.endpoint) ? connection.endpoint : `https://${connection.endpoint}`,
  );
  if (connection.sign && (connection.region === undefined || connection.region === '')) {
    throw new TypeError('a region is needed to sign OpenSearch requests');
  }
  const signer = connection.sign
    ? new SignatureV4({
        service: 'es',
        region: connection.region ?? '',
        credentials: defaultProvider(),
        sha256: NodeSha256,
      })
    : undefined;
  const timeoutMs = connection.requestTimeoutMs ?? 30_000;

  return async (query) => {
    const request = buildLogSearchRequest(query);
    const body = JSON.stringify(request.body);
    const path = `${base.pathname.replace(/\/$/, '')}/${request.index}/_search`;
    const queryParams = { ignore_unavailable: 'true', allow_no_indices: 'true' };
    let headers: Record<string, string> = { 'content-type': 'application/json', host: base.host };
    if (signer) {
      const signed = await signer.sign({
        method: 'POST',
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port === '' ? undefined : Number(base.port),
        path,
        query: queryParams,
        headers,
        body,
      });
      headers = signed.headers;
    }
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(queryParams)) url.searchParams.set(k, v);
    // fetch sets Host itself from the URL (the same value that was signed).
    const sent = Object.fromEntries(
      Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'host'),
    );
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: sent,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new LogSearchError(
        `log search answered ${response.status}: ${text.slice(0, QUOTED_BODY).replace(/\s+/g, ' ')}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (error) {
      throw new LogSearchError('log search answered with a body that is not JSON', { cause: error });
    }
    return readLogSearchResponse(parsed, query.size);
  };
}
