/**
 * The action endpoint: Slack button clicks, PagerDuty webhooks and one-click links, each verified
 * (signature, timestamp, single use) before anything is read or written, then carried out through
 * the operator's own domain functions. Every refusal is a 4xx that names the problem and changes
 * nothing.
 */
import { createHash } from 'node:crypto';
import type { ActionClaims } from '../domain/actions/claims';
import type { AuditLog } from '../domain/actions/audit';
import { describeError } from '../domain/errors';
import type { Incident, IncidentStore } from '../domain/incident';
import type { IncidentHooks, IncidentPointers } from '../domain/incidents';
import type { PublishNow } from '../domain/operator';
import type { AlertStore, Clock, GroupStore, Log } from '../domain/ports';
import type { RuntimeConfig } from '../domain/runtime-config';
import type { ActionRequest, ActionResponse } from './http';
import { ActionRejection, json, rejectionJson } from './http';
import { handleLink } from './link-route';
import { errorPage } from './pages';
import { handlePagerDuty } from './pagerduty-route';
import { handleSlack } from './slack-route';

/** Header naming the code of a refusal. */
export const REFUSAL_HEADER = 'x-vigil-refusal';

/** The largest body the endpoint reads; Slack's and PagerDuty's payloads are a few KB. */
export const MAX_ACTION_BODY_BYTES = 64 * 1024;

/** Routes of the endpoint. */
export const ACTION_ROUTES = {
  slack: '/slack/actions',
  pagerduty: '/pagerduty/webhook',
  link: '/l/',
} as const;

/** Reads a secret's value (cached by the caller); throws when it has none yet. */
export type SecretValue = () => Promise<string>;

/** Posts a JSON body to a URL before `deadline` (epoch ms); throws when it could not. */
export type PostJson = (url: string, body: unknown, deadline: number) => Promise<void>;

/** Counts what the endpoint answered, per route and status. */
export interface ActionMetrics {
  answered(route: string, status: number, code: string): void;
}

/** Everything the endpoint needs, injected. */
export interface ActionEndpointDeps {
  readonly config: RuntimeConfig;
  readonly store: AlertStore;
  readonly groups: GroupStore;
  /** Incidents, acknowledged with their alerts. @default none */
  readonly incidents?: IncidentStore & IncidentPointers;
  /** Incident steps of a resolve (a PagerDuty `incident.resolved`). @default none */
  readonly incidentHooks?: Pick<IncidentHooks, 'resolved'>;
  readonly audit: AuditLog;
  readonly claims: ActionClaims;
  /**
   * The alerts a group's PagerDuty page (dedup key `g-...`) told of, by the page's group id.
   * @default none: webhooks about group pages are refused as unknown
   */
  readonly groupPages?: (groupId: string) => Promise<string[]>;
  /** Publishes PagerDuty's `acknowledge` (and resolves it reaches) at once. @default the tick's sweep */
  readonly publish?: PublishNow;
  readonly secrets: {
    /** Slack app signing secret. */
    readonly slackSigning: SecretValue;
    /** PagerDuty webhook subscription signing secret. */
    readonly pagerdutyWebhook: SecretValue;
    /** The key one-click links are signed with. */
    readonly linkKey: SecretValue;
  };
  /** Posts the replacement message to Slack's `response_url`. */
  readonly postJson: PostJson;
  /** True for a `response_url` the endpoint may post to (Slack's own host). */
  readonly isAllowedResponseUrl: (url: string) => boolean;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics?: ActionMetrics;
  /** @default MAX_ACTION_BODY_BYTES */
  readonly maxBodyBytes?: number;
}

/** Settings of the actions, with their defaults when the config has none. */
export function actionSettings(config: RuntimeConfig): NonNullable<RuntimeConfig['actions']> {
  return config.actions ?? { linkTtlSeconds: 86_400, silenceUntilResolvedMaxSeconds: 7 * 86_400 };
}

/** A short digest of a value, for claim keys (never the value itself). */
export function digestOf(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}

/** A header, by lower-case name. */
export function header(request: ActionRequest, name: string): string | undefined {
  return request.headers[name];
}

/** The media type of the request, without parameters. */
export function mediaType(request: ActionRequest): string {
  return (header(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Refuses a body over the limit before anything reads it. */
export function checkSize(deps: ActionEndpointDeps, request: ActionRequest): void {
  const max = deps.maxBodyBytes ?? MAX_ACTION_BODY_BYTES;
  if (request.body.length > max) {
    throw new ActionRejection(
      413,
      'BODY_TOO_LARGE',
      `the body is ${request.body.length} bytes; at most ${max} are read`,
    );
  }
}

/** Reads a secret; a secret without a value makes the endpoint refuse (503), never act unverified. */
export async function readSecret(
  deps: ActionEndpointDeps,
  read: SecretValue,
  label: string,
): Promise<string> {
  try {
    return await read();
  } catch (error) {
    deps.log.error('action endpoint: a secret could not be read', {
      secret: label,
      error: describeError(error),
    });
    throw new ActionRejection(503, 'NOT_CONFIGURED', `the ${label} is not set up yet; nothing was done`);
  }
}

/** The open incident an outcome names, for messages. */
export type IncidentRef = Pick<Incident, 'id'> | undefined;

function routeOf(path: string): 'slack' | 'pagerduty' | 'link' | 'unknown' {
  if (path === ACTION_ROUTES.slack) return 'slack';
  if (path === ACTION_ROUTES.pagerduty) return 'pagerduty';
  if (path.startsWith(ACTION_ROUTES.link)) return 'link';
  return 'unknown';
}

/** Builds the endpoint: one request in, one answer out. */
export function createActionEndpoint(
  deps: ActionEndpointDeps,
): (request: ActionRequest) => Promise<ActionResponse> {
  return async (request) => {
    const route = routeOf(request.path);
    let response: ActionResponse;
    let code = 'OK';
    try {
      switch (route) {
        case 'slack':
          response = await handleSlack(deps, request);
          break;
        case 'pagerduty':
          response = await handlePagerDuty(deps, request);
          break;
        case 'link':
          response = await handleLink(deps, request);
          break;
        case 'unknown':
          throw new ActionRejection(
            404,
            'NO_SUCH_ROUTE',
            `nothing is served at ${request.path.slice(0, 100)}`,
          );
      }
    } catch (error) {
      const rejection =
        error instanceof ActionRejection
          ? error
          : new ActionRejection(500, 'INTERNAL', 'the action could not be completed; try again');
      if (!(error instanceof ActionRejection)) {
        deps.log.error('action endpoint failed', { route, error: describeError(error) });
      } else {
        // The reason and the route only: never the body, a header or a token.
        deps.log.warn('action refused', {
          route,
          status: rejection.status,
          code: rejection.code,
          reason: rejection.message,
        });
      }
      code = rejection.code;
      const refused =
        route === 'link' ? errorPage(rejection.status, rejection.message) : rejectionJson(rejection);
      // The code in a header too, so a link's page (HTML) says it as plainly as the JSON answers.
      response = { ...refused, headers: { ...refused.headers, [REFUSAL_HEADER]: rejection.code } };
    }
    deps.metrics?.answered(route, response.status, code);
    return response;
  };
}

export { json };
