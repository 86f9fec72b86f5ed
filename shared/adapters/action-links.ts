/** Signs the one-click links of emails and SMS with the stage's link key (Secrets Manager). */
import { buildActionLinks, type NotificationActionLinks } from '../domain/format/action-links';
import { describeError } from '../domain/errors';
import type { Notification } from '../domain/notification';
import type { Clock, Log } from '../domain/ports';
import type { RuntimeConfig } from '../domain/runtime-config';
import { optionalEnv } from './env';
import type { SecretReader } from './secrets';
import type { LeanAws } from './lean-aws';
import { createSecretReader } from './secrets';
import { createSecretsCall, HttpSecretsProvider } from './secrets-http';

/** Env var holding the action endpoint's base URL (set on the Lambdas that publish). */
export const ACTION_BASE_URL_ENV = 'ACTION_BASE_URL';
/** Env var naming the secret that holds the link signing key. */
export const ACTION_LINK_KEY_SECRET_ENV = 'ACTION_LINK_KEY_SECRET_ARN';

/**
 * The links of each notification, or none when the stage has no action endpoint. A key that cannot
 * be read costs the links, never the page: the message goes out without them and the failure is logged.
 */
export function createActionLinks(options: {
  readonly config: RuntimeConfig;
  readonly baseUrl: string | undefined;
  readonly key: SecretReader | undefined;
  readonly clock: Clock;
  readonly log: Log;
}): ((n: Notification) => Promise<NotificationActionLinks | undefined>) | undefined {
  const { baseUrl, key } = options;
  const settings = options.config.actions;
  if (baseUrl === undefined || key === undefined || settings === undefined) return undefined;
  return async (n) => {
    if (n.status !== 'firing' || n.digest !== undefined) return undefined;
    try {
      return buildActionLinks(n, {
        baseUrl,
        key: await key(),
        ttlMs: settings.linkTtlSeconds * 1000,
        now: options.clock(),
      });
    } catch (error) {
      options.log.error('action links left out of the message: the link key could not be read', {
        notificationId: n.id,
        error: describeError(error),
      });
      return undefined;
    }
  };
}

/** The base URL and key secret of the links, from the environment. */
export function actionLinkEnv(env: NodeJS.ProcessEnv = process.env): {
  readonly baseUrl?: string;
  readonly secretId?: string;
} {
  return {
    baseUrl: optionalEnv(ACTION_BASE_URL_ENV, env),
    secretId: optionalEnv(ACTION_LINK_KEY_SECRET_ENV, env),
  };
}

/**
 * The links of a Lambda that publishes (alarm handler, tick, rule evaluator), from its environment;
 * undefined when the stage has no action endpoint.
 */
export function actionLinksFromEnv(options: {
  readonly config: RuntimeConfig;
  readonly clock: Clock;
  readonly log: Log;
  /** The Lambda's AWS context (region, credentials, call hook) for Secrets Manager. */
  readonly aws: LeanAws;
}): ((n: Notification) => Promise<NotificationActionLinks | undefined>) | undefined {
  const { baseUrl, secretId } = actionLinkEnv(options.aws.env);
  if (baseUrl === undefined || secretId === undefined) return undefined;
  const provider = new HttpSecretsProvider(createSecretsCall(options.aws));
  return createActionLinks({
    config: options.config,
    baseUrl,
    key: createSecretReader({ secretId, label: 'link signing key', maxAgeSeconds: 900, provider }),
    clock: options.clock,
    log: options.log,
  });
}
