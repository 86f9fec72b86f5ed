/** Base of the pipeline's typed errors: a stable `code` for logs, metrics and dead-letter records. */
export class VigilError extends Error {
  public readonly code: string;

  public constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
  }
}

/** An incoming event that is not any supported shape; retrying cannot fix it. */
export class MalformedEventError extends VigilError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('MALFORMED_EVENT', message, options);
    this.name = 'MalformedEventError';
  }
}

/** Configuration that fails validation; the message names the field and the allowed values. */
export class ConfigError extends VigilError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

/** One or more channels could not be published to; the invocation must be retried. */
export class DeliveryError extends VigilError {
  public readonly failedChannels: readonly string[];

  public constructor(failedChannels: readonly string[], options?: { cause?: unknown }) {
    super('DELIVERY_FAILED', `publish failed for channel(s): ${failedChannels.join(', ')}`, options);
    this.name = 'DeliveryError';
    this.failedChannels = failedChannels;
  }
}

/** Optimistic-concurrency retries ran out; the invocation must be retried. */
export class ConcurrencyError extends VigilError {
  public constructor(message: string) {
    super('CONCURRENT_UPDATE', message);
    this.name = 'ConcurrencyError';
  }
}

/** Describes any thrown value without leaking its internals. */
export function describeError(error: unknown): { name: string; code: string; message: string } {
  if (error instanceof VigilError) return { name: error.name, code: error.code, message: error.message };
  if (error instanceof Error) return { name: error.name, code: 'UNEXPECTED', message: error.message };
  return { name: 'Unknown', code: 'UNEXPECTED', message: String(error) };
}
