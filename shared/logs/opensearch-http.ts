/** A connection to an OpenSearch domain (or a local node) over signed `fetch`. */
import { createAwsHttp } from '../adapters/aws-http';
import type { AwsCredentialsProvider, AwsHttp } from '../adapters/aws-http';

/** How to reach a domain. */
export interface OpenSearchConnection {
  /** `https://search-...es.amazonaws.com` or `http://127.0.0.1:9200`; a bare host means https. */
  readonly endpoint: string;
  /** Sign requests with SigV4 (service `es`). */
  readonly sign: boolean;
  /** Needed when signing. */
  readonly region?: string;
  /** Needed when signing: `fromEnv()` in a Lambda, `defaultProvider()` for an operator. */
  readonly credentials?: AwsCredentialsProvider;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
}

/** One answer: status and body text. */
export interface OpenSearchAnswer {
  readonly status: number;
  readonly body: string;
}

/** Requests against one domain; paths are relative to the endpoint. */
export interface OpenSearchHttp {
  request(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD',
    path: string,
    options?: { readonly body?: string; readonly query?: Readonly<Record<string, string>> },
  ): Promise<OpenSearchAnswer>;
}

/** Raised when an OpenSearch request is answered with an unexpected status. */
export class OpenSearchRequestError extends Error {
  public readonly code = 'OPENSEARCH_REQUEST_FAILED';
  public readonly status: number;
  public constructor(message: string, status: number) {
    super(message);
    this.name = 'OpenSearchRequestError';
    this.status = status;
  }
}

/** How long an answer's body may be quoted in an error. */
const QUOTED_BODY = 200;

/** `<what> answered <status>: <start of body>`, on one line. */
export function describeAnswer(what: string, answer: OpenSearchAnswer): string {
  return `${what} answered ${answer.status}: ${answer.body.slice(0, QUOTED_BODY).replace(/\s+/g, ' ')}`;
}

/** Creates the connection. Signing needs a region and credentials. */
export function createOpenSearchHttp(connection: OpenSearchConnection): OpenSearchHttp {
  const base = new URL(
    /^https?:\/\//.test(connection.endpoint) ? connection.endpoint : `https://${connection.endpoint}`,
  );
  if (connection.sign && (connection.region === undefined || connection.region === '')) {
    throw new TypeError('a region is needed to sign OpenSearch requests');
  }
  if (connection.sign && connection.credentials === undefined) {
    throw new TypeError('credentials are needed to sign OpenSearch requests');
  }
  const http: AwsHttp = createAwsHttp({
    service: 'es',
    timeoutMs: connection.requestTimeoutMs ?? 30_000,
    ...(connection.sign
      ? {
          ...(connection.region !== undefined ? { region: connection.region } : {}),
          ...(connection.credentials !== undefined ? { credentials: connection.credentials } : {}),
        }
      : {}),
  });
  const prefix = base.pathname.replace(/\/$/, '');
  return {
    request: (method, path, options = {}) => {
      const url = new URL(`${prefix}${path}`, base);
      for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
      return http({
        method,
        url,
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
        ...(options.body !== undefined ? { body: options.body } : {}),
      });
    },
  };
}
