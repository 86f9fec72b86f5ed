/** Typed failures of a channel delivery, with a stable code and whether retrying can help. */
import { VigilError } from '../domain/errors';

/** Stable codes of {@link ChannelDeliveryError}. */
export type ChannelDeliveryCode =
  | 'TIMEOUT'
  | 'NETWORK_ERROR'
  | 'SERVER_ERROR'
  | 'RATE_LIMITED'
  | 'REJECTED'
  | 'DEADLINE_EXCEEDED'
  | 'INVALID_NOTIFICATION'
  | 'SECRET_UNAVAILABLE'
  | 'IN_PROGRESS';

/**
 * A delivery that failed. `retryable` failures are thrown so the invocation is retried;
 * the others are permanent and go to the dead-letter queue with `reason`.
 * Messages never contain a URL or a secret.
 */
export class ChannelDeliveryError extends VigilError {
  public override readonly code: ChannelDeliveryCode;
  public readonly retryable: boolean;
  /** HTTP status of the last response, when there was one. */
  public readonly status?: number;
  /** The peer's reason (e.g. Slack `invalid_payload`), scrubbed. */
  public readonly reason?: string;
  /** HTTP attempts made. */
  public readonly attempts: number;

  public constructor(
    code: ChannelDeliveryCode,
    message: string,
    details: { retryable: boolean; status?: number; reason?: string; attempts?: number; cause?: unknown },
  ) {
    super(code, message, { cause: details.cause });
    this.name = 'ChannelDeliveryError';
    this.code = code;
    this.retryable = details.retryable;
    this.status = details.status;
    this.reason = details.reason;
    this.attempts = details.attempts ?? 0;
  }
}

/** A secret could not be read or still holds its placeholder; retried until fixed, then dead-lettered. */
export class SecretUnavailableError extends ChannelDeliveryError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('SECRET_UNAVAILABLE', message, { retryable: true, cause: options?.cause });
    this.name = 'SecretUnavailableError';
  }
}
