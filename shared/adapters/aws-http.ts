/**
 * HTTP to AWS endpoints over node:http(s) with kept-alive connections, signed with SigV4 when
 * credentials are given. The Lambdas talk to DynamoDB, SNS, SQS, CloudWatch, Secrets Manager and
 * OpenSearch through this instead of SDK clients, so their bundles carry neither the SDK's client
 * runtime nor the OpenSearch client.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { SigV4Signer } from './sigv4';
import { createSigV4Signer } from './sigv4';

/** AWS credentials, as the SDK's credential providers return them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Resolves credentials (e.g. `fromEnv()` in a Lambda, `defaultProvider()` on a laptop). */
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

/** One request. `body` is sent as UTF-8. */
export interface AwsHttpRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** An answer with its status and body text, whatever the status. */
export interface AwsHttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** Sends a request; rejects with {@link NoAnswerError} when no complete answer came back. */
export type AwsHttp = (request: AwsHttpRequest) => Promise<AwsHttpAnswer>;

/** The request got no (complete) answer: connection refused or reset, DNS, or the timeout. */
export class NoAnswerError extends Error {
  public readonly code = 'NO_ANSWER';
  /** True when the request was abandoned at the timeout. */
  public readonly timedOut: boolean;
  public constructor(message: string, options: { cause?: unknown; timedOut: boolean }) {
    super(message, { cause: options.cause });
    this.name = 'NoAnswerError';
    this.timedOut = options.timedOut;
  }
}

/** Options of {@link createAwsHttp}. */
export interface AwsHttpOptions {
  /** Signing name, e.g. `es` or `sqs`. */
  readonly service: string;
  /** Needed when signing. */
  readonly region?: string;
  /** Sign with these; unsigned when absent (a local node). */
  readonly credentials?: AwsCredentialsProvider;
  /** Per request, connection to last byte. */
  readonly timeoutMs: number;
}

// One pool per process: a warm Lambda reuses its connections to the domain and to SQS.
const AGENTS = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

/** Sends one request and collects the whole answer; rejects on no (complete) answer or at the deadline. */
function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  timeoutMs: number,
): Promise<AwsHttpAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    let timedOut = false;
    const request = (secure ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(body.length) },
        agent: secure ? AGENTS.https : AGENTS.http,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('aborted', () => fail(new Error('answer cut off')));
        response.on('end', () => {
          clearTimeout(timer);
          if (!response.complete) {
            fail(new Error('answer cut off'));
            return;
          }
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      const code = (error as NodeJS.ErrnoException).code;
      reject(
        new NoAnswerError(
          `${method} ${url.pathname}: ${code === undefined ? error.message : `${error.message} (${code})`}`,
          {
            cause: error,
            timedOut,
          },
        ),
      );
    }
    request.on('error', fail);
    request.end(body);
  });
}

/** A sender for one AWS service. */
export function createAwsHttp(options: AwsHttpOptions): AwsHttp {
  let signer: SigV4Signer | undefined;
  if (options.credentials !== undefined) {
    if (options.region === undefined || options.region === '') {
      throw new TypeError(`a region is needed to sign ${options.service} requests`);
    }
    signer = createSigV4Signer({ ...options, region: options.region, credentials: options.credentials });
  }

  return async (request) => {
    const { url } = request;
    let headers: Record<string, string> = { ...request.headers, host: url.host };
    if (signer !== undefined) {
      const signed = await signer.sign({
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams.entries()),
        headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
      });
      headers = signed.headers;
    }
    return exchange(
      url,
      request.method,
      headers,
      request.body === undefined ? undefined : Buffer.from(request.body, 'utf8'),
      options.timeoutMs,
    );
  };
}
