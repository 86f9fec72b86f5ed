/** Reads channel secrets from Secrets Manager through Powertools parameters, cached for `maxAge`. */
import { SecretUnavailableError } from '../delivery/errors';

/** Prefix of the placeholder value the stack writes into secrets it creates. */
export const SECRET_PLACEHOLDER_PREFIX = 'REPLACE_ME';

/** Reads one secret's string value; throws SecretUnavailableError without ever quoting the value. */
export type SecretReader = () => Promise<string>;

/** Options of {@link createSecretReader}. */
export interface SecretReaderOptions {
  /** Secret ARN or name. */
  readonly secretId: string;
  /** Human name for messages, e.g. `Slack webhook`. */
  readonly label: string;
  /** Seconds a fetched value is reused. @default 300 */
  readonly maxAgeSeconds?: number;
  /** Checks the shape of the value; return false to reject it. @default any non-empty string */
  readonly isValid?: (value: string) => boolean;
  /** The Powertools provider that reads and caches the secret (Secrets Manager over HTTP in the Lambdas). */
  readonly provider: SecretProvider;
}

/** What the reader needs of a Powertools parameters provider. */
export interface SecretProvider {
  get(name: string, options: { readonly maxAge: number }): Promise<unknown>;
}

/** True for an absolute http(s) URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Builds a cached reader of one secret. */
export function createSecretReader(options: SecretReaderOptions): SecretReader {
  const provider = options.provider;
  const maxAge = options.maxAgeSeconds ?? 300;
  return async () => {
    let raw: unknown;
    try {
      raw = await provider.get(options.secretId, { maxAge });
    } catch (err) {
      // SDK errors name the secret id at most; the value is never part of them.
      const detail = err instanceof Error ? err.name : 'unknown error';
      throw new SecretUnavailableError(`${options.label} secret could not be read (${detail})`);
    }
    if (typeof raw !== 'string' || raw.trim() === '') {
      throw new SecretUnavailableError(`${options.label} secret has no string value`);
    }
    const value = raw.trim();
    if (value.startsWith(SECRET_PLACEHOLDER_PREFIX)) {
      throw new SecretUnavailableError(
        `${options.label} secret still holds its placeholder; put the real value in it`,
      );
    }
    if (options.isValid !== undefined && !options.isValid(value)) {
      throw new SecretUnavailableError(`${options.label} secret value has the wrong format`);
    }
    return value;
  };
}
