import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import {
  ACTION_METRICS,
  createActionMetrics,
  createResponseUrlPoster,
  isSlackResponseUrl,
  PAGERDUTY_WEBHOOK_SECRET_ENV,
  SLACK_SIGNING_SECRET_ENV,
} from '../../shared/adapters/action-endpoint-wiring';
import { ACTION_LINK_KEY_SECRET_ENV } from '../../shared/adapters/action-links';
import { DynamoActionClaims, DynamoAuditLog } from '../../shared/adapters/dynamo-action-store';
import { DynamoAlertStore } from '../../shared/adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../../shared/adapters/dynamo-group-store';
import { createHttpDocTable } from '../../shared/adapters/dynamo-http';
import { DynamoIncidentStore } from '../../shared/adapters/dynamo-incident-store';
import { optionalEnv, requireEnv } from '../../shared/adapters/env';
import { createIncidentMetrics, INCIDENT_METRICS } from '../../shared/adapters/incident-metrics';
import { leanAwsFromEnv } from '../../shared/adapters/lean-aws';
import {
  logger,
  powertoolsLog,
  traceAwsCalls,
  tracing,
  sourceMappedErrors,
} from '../../shared/adapters/observability';
import { loadRuntimeConfig } from '../../shared/adapters/runtime-config-source';
import { createSecretReader } from '../../shared/adapters/secrets';
import { createSecretsCall, HttpSecretsProvider } from '../../shared/adapters/secrets-http';
import { createSnsPublish } from '../../shared/adapters/sns-http';
import { channelAttributes, SnsPublisher, topicArnsFromEnv } from '../../shared/adapters/sns-publisher';
import { createIncidentHooks } from '../../shared/domain/incidents';
import { createActionHandler } from './create-handler';

// Clients and config once per container.
const config = loadRuntimeConfig();
// Lean clients over signed HTTP, with the execution role's credentials from the environment.
const aws = leanAwsFromEnv({ around: traceAwsCalls });
const doc = createHttpDocTable(aws);
const provider = new HttpSecretsProvider(createSecretsCall(aws));
const tableName = requireEnv('ALERT_TABLE_NAME');
const clock = (): number => Date.now();
const log = powertoolsLog(logger);
const store = new DynamoAlertStore(doc, { tableName, historyRetentionDays: config.historyRetentionDays });
const incidentStore = config.incidents
  ? new DynamoIncidentStore(doc, { tableName, retentionDays: config.incidents.retentionDays })
  : undefined;
const metrics = new Metrics({ namespace: ACTION_METRICS.namespace });
const topics = topicArnsFromEnv();
const secret = (env: string, label: string) =>
  createSecretReader({ secretId: requireEnv(env), label, maxAgeSeconds: 300, provider });
// A stage without PagerDuty has no webhook secret: its webhooks are refused as not set up.
const pagerdutySecretId = optionalEnv(PAGERDUTY_WEBHOOK_SECRET_ENV);

/** Action endpoint: Slack interactivity, PagerDuty webhooks and one-click links (HTTP API). */
export const handler = middy(
  createActionHandler({
    config,
    store,
    groups: new DynamoGroupStore(doc, tableName),
    incidents: incidentStore,
    incidentHooks:
      config.incidents && incidentStore
        ? createIncidentHooks({
            settings: config.incidents,
            incidents: incidentStore,
            pointers: incidentStore,
            alerts: store,
            clock,
            log,
            metrics: createIncidentMetrics(
              new Metrics({ namespace: INCIDENT_METRICS.namespace }),
              config.stage,
            ),
          })
        : undefined,
    audit: new DynamoAuditLog(doc, { tableName, retentionDays: config.historyRetentionDays }),
    claims: new DynamoActionClaims(doc, tableName),
    publish: {
      service: {
        config,
        store,
        publisher: new SnsPublisher(createSnsPublish(aws), topics, channelAttributes(config.smsSenderId)),
        clock,
        log,
        claimant: 'action-endpoint',
      },
      canPublish: (channel) => topics[channel] !== undefined,
    },
    secrets: {
      slackSigning: secret(SLACK_SIGNING_SECRET_ENV, 'Slack signing secret'),
      pagerdutyWebhook: pagerdutySecretId
        ? secret(PAGERDUTY_WEBHOOK_SECRET_ENV, 'PagerDuty webhook secret')
        : () => Promise.reject(new Error('PagerDuty is not enabled in this stage')),
      linkKey: secret(ACTION_LINK_KEY_SECRET_ENV, 'link signing key'),
    },
    postJson: createResponseUrlPoster(),
    isAllowedResponseUrl: isSlackResponseUrl,
    clock,
    log,
    metrics: createActionMetrics(metrics, config.stage),
  }),
)
  .use(injectLambdaContext(logger))
  .use(tracing.middleware)
  .use(logMetrics(metrics))
  .use(sourceMappedErrors);
