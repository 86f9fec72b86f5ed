/** Env vars and ports of the action endpoint Lambda, shared by its handler and the deploy. */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ActionMetrics, PostJson } from '../actions/endpoint';
import { createHttpClient } from '../delivery/http-client';

/** Env var naming the Slack app signing secret. */
export const SLACK_SIGNING_SECRET_ENV = 'SLACK_SIGNING_SECRET_ARN';
/** Env var naming the PagerDuty webhook subscription's signing secret. */
export const PAGERDUTY_WEBHOOK_SECRET_ENV = 'PAGERDUTY_WEBHOOK_SECRET_ARN';

/** The endpoint's metrics namespace and names. */
export const ACTION_METRICS = {
  namespace: 'Vigil/Actions',
  requests: 'Requests',
  refused: 'Refused',
} as const;

/** True for a Slack `response_url`: HTTPS on hooks.slack.com, the only place Slack hands out. */
export function isSlackResponseUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.hostname === 'hooks.slack.com' && u.port === '' && u.username === '';
  } catch {
    return false;
  }
}

/**
 * Posts to `response_url` within Slack's three seconds: two short attempts, the URL (a token)
 * scrubbed from any error.
 */
export function createResponseUrlPoster(
  options: { readonly fetch?: typeof fetch; readonly now?: () => number } = {},
): PostJson {
  const post = createHttpClient(
    { maxAttempts: 2, attemptTimeoutMs: 1_200, baseDelayMs: 50, maxDelayMs: 100, maxRetryAfterMs: 0 },
    { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.now ? { now: options.now } : {}) },
  );
  return async (url, body, deadline) => {
    await post({ url, body, target: 'Slack response_url', deadline, secrets: [url] });
  };
}

/** Counts every answer per route; refusals also per code. */
export function createActionMetrics(metrics: Metrics, stage: string): ActionMetrics {
  return {
    answered: (route, status, code) => {
      const single = metrics.singleMetric();
      single.addDimensions({ stage, route, outcome: status < 400 ? 'done' : 'refused' });
      single.addMetric(ACTION_METRICS.requests, MetricUnit.Count, 1);
      if (status >= 400) {
        const refused = metrics.singleMetric();
        refused.addDimensions({ stage, code });
        refused.addMetric(ACTION_METRICS.refused, MetricUnit.Count, 1);
      }
    },
  };
}
