/**
 * Calls to AWS services that speak the JSON protocol (DynamoDB, SQS, CloudWatch, Secrets Manager):
 * one signed POST per call, errors mapped to {@link AwsServiceError} by their `__type`, and the
 * SDK's standard retry behaviour (three attempts, jittered exponential backoff on throttling, 5xx
 * and lost connections).
 */
import type { AwsCredentialsProvider, AwsHttp } from './aws-http';
import { createAwsHttp, NoAnswerError } from './aws-http';

/** An AWS service refused a call. `name` is the error code (`ConditionalCheckFailedException`, ...). */
export class AwsServiceError extends Error {
  public readonly code: string;
  /** HTTP status of the answer (0 when none came). */
  public readonly status: number;
  public readonly retryable: boolean;
  /** The raw answer body (a DynamoDB conditional failure carries the item there). */
  public readonly body: unknown;

  public constructor(
    code: string,
    message: string,
    options: { status: number; retryable: boolean; body?: unknown; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = code;
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable;
    this.body = options.body;
  }
}

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'SlowDown',
  'LimitExceededException',
  'TransactionInProgressException',
  'EC2ThrottledException',
]);
const TRANSIENT_CODES = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
]);

/** True when the SDK would retry this error: throttling, a 5xx, or a request that got no answer. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AwsServiceError) return error.retryable;
  return error instanceof NoAnswerError;
}

/** The short error code of a JSON-protocol `__type` (`com.amazonaws.dynamodb.v20120810#X` -> `X`). */
export function errorCodeOf(type: string): string {
  // As the SDK sanitises it: cut at ',' and ':' (a URL may follow), then keep what follows '#'.
  const head = type.split(',')[0]?.split(':')[0] ?? type;
  const afterHash = head.slice(head.lastIndexOf('#') + 1);
  return afterHash.slice(afterHash.lastIndexOf('.') + 1);
}

/** Environment variable names of a service's endpoint override (the SDK's convention). */
const ENDPOINT_ENV: Readonly<Record<string, string>> = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  sns: 'AWS_ENDPOINT_URL_SNS',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  monitoring: 'AWS_ENDPOINT_URL_CLOUDWATCH',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
};

/**
 * The endpoint of a service in a region: `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL` when
 * set (local stand-ins), else the regional endpoint (`amazonaws.com.cn` in the China regions).
 */
export function endpointOf(hostPrefix: string, region: string, env: NodeJS.ProcessEnv = process.env): URL {
  const specific = ENDPOINT_ENV[hostPrefix];
  const override = (specific !== undefined ? env[specific] : undefined) || env['AWS_ENDPOINT_URL'];
  if (override) return new URL(override);
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://${hostPrefix}.${region}.${suffix}`);
}

/** Options of {@link createAwsJsonClient}. */
export interface AwsJsonClientOptions {
  /** SigV4 signing name, e.g. `dynamodb`, `sqs`, `monitoring`, `secretsmanager`. */
  readonly signingName: string;
  /** `X-Amz-Target` prefix, e.g. `DynamoDB_20120810`. */
  readonly targetPrefix: string;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  readonly jsonVersion: '1.0' | '1.1';
  readonly region: string;
  readonly endpoint: URL;
  readonly credentials: AwsCredentialsProvider;
  /** Per attempt. @default 10000 */
  readonly timeoutMs?: number;
  /** Attempts per call, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Replaces the signed transport (tests inject faults here). @default signed node:http(s) */
  readonly http?: AwsHttp;
  /** Waits between attempts. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Wraps every call (X-Ray subsegments in the Lambdas). @default none */
  readonly around?: <T>(operation: string, call: () => Promise<T>) => Promise<T>;
}

/** Calls one operation with a JSON body; resolves with the parsed answer. */
export type AwsJsonCall = (operation: string, input: unknown) => Promise<unknown>;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Delay before attempt `attempt` (1-based retries): full jitter, 100 ms base, 500 ms when throttled, 20 s cap. */
export function backoffMs(attempt: number, throttled: boolean, random: () => number = Math.random): number {
  const base = throttled ? 500 : 100;
  return Math.floor(random() * Math.min(20_000, base * 2 ** attempt));
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function field(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** Runs `attempt` up to `maxAttempts` times while it fails with a retryable error, backing off between. */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  maxAttempts: number,
  sleep: (ms: number) => Promise<void> = defaultSleep,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= maxAttempts || !isRetryable(error)) throw error;
      const throttled = error instanceof AwsServiceError && isThrottlingCode(error.code);
      await sleep(backoffMs(n, throttled));
    }
  }
}

/** True for the error codes AWS services answer when they throttle. */
export function isThrottlingCode(code: string): boolean {
  return THROTTLING_CODES.has(code);
}

/** True for a refusal the SDK would retry: throttling, a transient code, a 5xx or 429. */
export function isRetryableRefusal(code: string, status: number): boolean {
  return THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code) || status >= 500 || status === 429;
}

/** A client for one JSON-protocol service. */
export function createAwsJsonClient(options: AwsJsonClientOptions): AwsJsonCall {
  const http =
    options.http ??
    createAwsHttp({
      service: options.signingName,
      region: options.region,
      credentials: options.credentials,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
  const maxAttempts = options.maxAttempts ?? 3;
  const sleep = options.sleep ?? defaultSleep;
  const contentType = `application/x-amz-json-${options.jsonVersion}`;

  const attempt = async (operation: string, body: string): Promise<unknown> => {
    const answer = await http({
      method: 'POST',
      url: options.endpoint,
      headers: { 'content-type': contentType, 'x-amz-target': `${options.targetPrefix}.${operation}` },
      body,
    });
    const parsed = parseBody(answer.body);
    if (answer.status >= 200 && answer.status < 300) {
      if (parsed === undefined) {
        throw new AwsServiceError('InvalidResponse', `${operation}: answer is not JSON`, {
          status: answer.status,
          retryable: false,
        });
      }
      return parsed;
    }
    const type =
      field(parsed, '__type') ??
      field(parsed, 'code') ??
      (answer.status >= 500 ? 'InternalFailure' : 'Unknown');
    const code = errorCodeOf(type);
    const message = field(parsed, 'message') ?? field(parsed, 'Message') ?? `HTTP ${answer.status}`;
    throw new AwsServiceError(code, `${operation}: ${code}: ${message}`, {
      status: answer.status,
      retryable: isRetryableRefusal(code, answer.status),
      body: parsed,
    });
  };

  const call = (operation: string, input: unknown): Promise<unknown> => {
    const body = JSON.stringify(input);
    return withRetries(() => attempt(operation, body), maxAttempts, sleep);
  };
  const around = options.around;
  return around ? (operation, input) => around(operation, () => call(operation, input)) : call;
}
