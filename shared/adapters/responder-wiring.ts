/**
 * The incident responder's wiring: incident store and pointers, the alert reads, evidence sources
 * (CloudWatch, the log pipeline's search, X-Ray), mitigation (SSM, Lambda) when it really runs,
 * the channel topics for the evidence update and EMF metrics. Only this Lambda carries them.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import { XRayClient } from '@aws-sdk/client-xray';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { LOG_SEARCH_ENDPOINT_ENV } from '../diagnostics/env';
import { createLogsSource } from '../diagnostics/logs-source';
import { createMetricsSource } from '../diagnostics/metrics-source';
import { createTracesSource } from '../diagnostics/traces-source';
import type { DiagnosticsSources } from '../domain/diagnostics';
import type { ResponderDeps } from '../domain/incident-response';
import type { Clock, Log } from '../domain/ports';
import type { RuntimeConfig } from '../domain/runtime-config';
import { createHttpLogSearch } from '../logs/http-log-search';
import { DynamoAlertStore } from './dynamo-alert-store';
import { createHttpDocTable } from './dynamo-http';
import { DynamoIncidentStore, DynamoMitigationBudget } from './dynamo-incident-store';
import { optionalEnv } from './env';
import { createIncidentMetrics } from './incident-metrics';
import type { LeanAws } from './lean-aws';
import { AUTOMATION_ROLE_ENV, AwsMitigationRunner } from './mitigation-runner';
import { channelAttributes, SnsPublisher, topicArnsFromEnv } from './sns-publisher';
import { createSnsPublish } from './sns-http';

/** What {@link wireResponder} is given by the Lambda entrypoint. */
export interface ResponderWiring {
  readonly config: RuntimeConfig;
  readonly aws: LeanAws;
  readonly tableName: string;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics: Metrics;
  /** Wraps each SDK client (X-Ray capture in the Lambda). */
  readonly capture: <T>(client: T) => T;
}

/**
 * The responder's ports; undefined when the config has no incidents. Clients are created once,
 * here, at module scope of the caller, with the execution role's credentials from the environment.
 */
export function wireResponder(w: ResponderWiring): ResponderDeps | undefined {
  const settings = w.config.incidents;
  if (!settings) return undefined;
  const { aws } = w;
  const clientConfig = { region: aws.region, credentials: aws.credentials };
  const doc = createHttpDocTable(aws);
  const store = new DynamoIncidentStore(doc, {
    tableName: w.tableName,
    retentionDays: settings.retentionDays,
  });
  const endpoint = optionalEnv(LOG_SEARCH_ENDPOINT_ENV, aws.env);
  const searchLogs = endpoint
    ? createHttpLogSearch({
        endpoint,
        sign: true,
        region: aws.region,
        credentials: aws.credentials,
        requestTimeoutMs: settings.diagnostics.budgetMs.logs,
      })
    : undefined;
  const diagnostics: DiagnosticsSources = {
    metrics: createMetricsSource(w.capture(new CloudWatchClient(clientConfig)), {
      metrics: settings.metrics,
      region: aws.region,
    }),
    logs: searchLogs ? createLogsSource(searchLogs) : undefined,
    traces: createTracesSource(w.capture(new XRayClient(clientConfig)), { region: aws.region }),
  };
  const live = settings.mitigation.enabled && Object.keys(settings.actions).length > 0;
  return {
    settings,
    incidents: store,
    pointers: store,
    alerts: new DynamoAlertStore(doc, {
      tableName: w.tableName,
      historyRetentionDays: w.config.historyRetentionDays,
    }),
    clock: w.clock,
    log: w.log,
    diagnostics,
    mitigation: live
      ? {
          runner: new AwsMitigationRunner(
            w.capture(new SSMClient(clientConfig)),
            w.capture(new LambdaClient(clientConfig)),
            optionalEnv(AUTOMATION_ROLE_ENV, aws.env),
          ),
          budget: new DynamoMitigationBudget(doc, w.tableName),
        }
      : undefined,
    metrics: createIncidentMetrics(w.metrics, w.config.stage),
    publisher: new SnsPublisher(
      createSnsPublish(aws),
      topicArnsFromEnv(aws.env),
      channelAttributes(w.config.smsSenderId),
    ),
  };
}
