/** Named errors of the log pipeline, each with a stable `code`. */

/** Codes of {@link LogPayloadError}. */
export type LogPayloadErrorCode =
  'NOT_BASE64' | 'NOT_GZIP' | 'TOO_LARGE' | 'NOT_UTF8' | 'NOT_JSON' | 'BAD_SHAPE';

/** The subscription payload cannot be decoded; retrying will not help, so it is dead-lettered. */
export class LogPayloadError extends Error {
  public readonly code: LogPayloadErrorCode;
  public constructor(code: LogPayloadErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogPayloadError';
    this.code = code;
  }
}

/** The log index could not take a request now (429, 5xx, timeout, connection): retry later. */
export class LogIndexUnavailableError extends Error {
  public readonly code = 'LOG_INDEX_UNAVAILABLE';
  /** HTTP status when there was a response. */
  public readonly statusCode: number | undefined;
  public constructor(message: string, options?: { cause?: unknown; statusCode?: number }) {
    super(message, options);
    this.name = 'LogIndexUnavailableError';
    this.statusCode = options?.statusCode;
  }
}

/** The domain refused a bulk request as too large (HTTP 413); smaller requests may pass. */
export class LogRequestTooLargeError extends Error {
  public readonly code = 'LOG_REQUEST_TOO_LARGE';
  /** Size of the refused request body in bytes. */
  public readonly bytes: number;
  public constructor(bytes: number, options?: { cause?: unknown }) {
    super(`bulk request of ${bytes} bytes refused as too large (HTTP 413)`, options);
    this.name = 'LogRequestTooLargeError';
    this.bytes = bytes;
  }
}

/** Some documents were still throttled after the last retry; the invocation must be retried. */
export class LogRetriesExhaustedError extends Error {
  public readonly code = 'LOG_RETRIES_EXHAUSTED';
  /** How many documents were left unindexed. */
  public readonly remaining: number;
  public constructor(remaining: number, attempts: number, options?: { cause?: unknown }) {
    super(`${remaining} log documents still rejected after ${attempts} attempts`, options);
    this.name = 'LogRetriesExhaustedError';
    this.remaining = remaining;
  }
}

/** A search request was invalid (bad cursor, bad range). */
export class LogSearchError extends Error {
  public readonly code = 'LOG_SEARCH_INVALID';
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogSearchError';
  }
}
