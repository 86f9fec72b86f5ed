/**
 * A Powertools parameters provider for Secrets Manager over its JSON protocol: the provider's
 * caching and `maxAge` stay Powertools', the call is one signed POST (no SDK client in the bundle).
 */
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import type { AwsJsonCall } from './aws-json';
import { createAwsJsonClient, endpointOf } from './aws-json';
import type { LeanAws } from './lean-aws';

/** GetSecretValue by id; resolves with the secret string. */
export class HttpSecretsProvider extends BaseProvider {
  public constructor(private readonly call: AwsJsonCall) {
    super({});
  }

  protected async _get(name: string): Promise<string | undefined> {
    const out = (await this.call('GetSecretValue', { SecretId: name })) as { SecretString?: unknown };
    return typeof out.SecretString === 'string' ? out.SecretString : undefined;
  }

  protected _getMultiple(): Promise<Record<string, unknown> | undefined> {
    return Promise.reject(new Error('reading secrets by path is not supported'));
  }
}

/** Secrets Manager for one Lambda. */
export function createSecretsCall(aws: LeanAws): AwsJsonCall {
  return createAwsJsonClient({
    signingName: 'secretsmanager',
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    region: aws.region,
    endpoint: endpointOf('secretsmanager', aws.region, aws.env),
    credentials: aws.credentials,
    ...(aws.around ? { around: aws.around('SecretsManager') } : {}),
  });
}
