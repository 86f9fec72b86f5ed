/**
 * What every Lambda's lean AWS clients share: the region, the credentials Lambda puts in the
 * environment (no default provider chain, so no SSO/STS clients in the bundle), and a hook that
 * wraps each call (an X-Ray subsegment in the Lambdas).
 */
import type { AwsCredentials, AwsCredentialsProvider } from './aws-http';
import { ConfigError } from '../domain/errors';
import { requireEnv } from './env';

/** Wraps one AWS call (`operation` is e.g. `PutItem`). */
export type AroundCall = <T>(operation: string, call: () => Promise<T>) => Promise<T>;

/** Region, credentials and call hook of a Lambda's AWS clients. */
export interface LeanAws {
  readonly region: string;
  readonly credentials: AwsCredentialsProvider;
  /** Per service (`DynamoDB`, `SNS`, ...): wraps its calls. @default none */
  readonly around?: (service: string) => AroundCall;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The credentials Lambda gives the function's execution role, read from the environment on each
 * call (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION), as
 * the SDK's `fromEnv` reads them. Rejects, naming the variables, when they are not set.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsCredentialsProvider {
  return () => {
    const accessKeyId = env['AWS_ACCESS_KEY_ID'];
    const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
    if (!accessKeyId || !secretAccessKey) {
      return Promise.reject(
        new ConfigError('no credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set'),
      );
    }
    const sessionToken = env['AWS_SESSION_TOKEN'];
    const expiration = env['AWS_CREDENTIAL_EXPIRATION'];
    const credentials: AwsCredentials = {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiration ? { expiration: new Date(expiration) } : {}),
    };
    return Promise.resolve(credentials);
  };
}

/** The Lambda's own: `AWS_REGION` and the execution role's credentials from the environment. */
export function leanAwsFromEnv(
  options: { readonly around?: (service: string) => AroundCall; readonly env?: NodeJS.ProcessEnv } = {},
): LeanAws {
  const env = options.env ?? process.env;
  return {
    region: requireEnv('AWS_REGION', env),
    credentials: credentialsFromEnv(env),
    ...(options.around ? { around: options.around } : {}),
    env,
  };
}
