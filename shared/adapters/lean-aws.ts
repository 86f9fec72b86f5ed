/**
 * What every Lambda's lean AWS clients share: the region, the credentials Lambda puts in the
 * environment (no default provider chain, so no SSO/STS clients in the bundle), and a hook that
 * wraps each call (an X-Ray subsegment in the Lambdas).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialsProvider } from './aws-http';
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

/** The Lambda's own: `AWS_REGION` and the execution role's credentials from the environment. */
export function leanAwsFromEnv(
  options: { readonly around?: (service: string) => AroundCall; readonly env?: NodeJS.ProcessEnv } = {},
): LeanAws {
  const env = options.env ?? process.env;
  return {
    region: requireEnv('AWS_REGION', env),
    credentials: fromEnv(),
    ...(options.around ? { around: options.around } : {}),
    env,
  };
}
