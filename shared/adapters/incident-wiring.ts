import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import { XRayClient } from '@aws-sdk/client-xray';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { LOG_SEARCH_ENDPOINT_ENV } from '../diagnostics/env';
import { createLogsSource } from '../diagnostics/logs-source';
import { createMetricsSource } from '../diagnostics/metrics-source';
import { createTracesSource } from '../diagnostics/traces-source';
import type { DiagnosticsSources } from '../domain/diagnostics';
import type { IncidentHooks } from '../domain/incidents';
import { createIncidentHooks } from '../domain/incidents';
import type { AlertStore, Clock, Log } from '../domain/ports';
import type { RuntimeConfig } from '../domain/runtime-config';
import { createHttpLogSearch } from '../logs/http-log-search';
import { DynamoIncidentStore, DynamoMitigationBudget } from './dynamo-incident-store';
import { optionalEnv, requireEnv } from './env';
import { createIncidentMetrics } from './incident-metrics';
import { AUTOMATION_ROLE_ENV, AwsMitigationRunner } from './mitigation-runner';

/** What {@link createIncidentHooksFromEnv} is given by a Lambda entrypoint. */
export interface IncidentWiring {
  readonly config: RuntimeConfig;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly alerts: AlertStore;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics: Metrics;
  /** Wraps each AWS client (X-Ray capture in the Lambdas). */
  readonly capture: <T>(client: T) => T;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The incident hooks of a Lambda: DynamoDB store and pointers, CloudWatch/OpenSearch/X-Ray
 * diagnostics, SSM/Lambda mitigation, EMF metrics. Undefined when the config has no incidents.
 * Clients are created once, here, at module scope of the caller.
 */
export function createIncidentHooksFromEnv(w: IncidentWiring): IncidentHooks | undefined {
  const settings = w.config.incidents;
  if (!settings) return undefined;
  const env = w.env ?? process.env;
  const region = requireEnv('AWS_REGION', env);
  const store = new DynamoIncidentStore(w.doc, {
    tableName: w.tableName,
    retentionDays: settings.retentionDays,
  });
  const endpoint = optionalEnv(LOG_SEARCH_ENDPOINT_ENV, env);
  const searchLogs = endpoint
    ? createHttpLogSearch({
        endpoint,
        sign: true,
        region,
        requestTimeoutMs: settings.diagnostics.budgetMs.logs,
      })
    : undefined;
  const diagnostics: DiagnosticsSources = {
    metrics: createMetricsSource(w.capture(new CloudWatchClient({})), { metrics: settings.metrics, region }),
    logs: searchLogs ? createLogsSource(searchLogs) : undefined,
    traces: createTracesSource(w.capture(new XRayClient({})), { region }),
  };
  const actions = Object.values(settings.actions);
  return createIncidentHooks({
    settings,
    incidents: store,
    pointers: store,
    alerts: w.alerts,
    clock: w.clock,
    log: w.log,
    diagnostics,
    mitigation:
      settings.mitigation.enabled && actions.length > 0
        ? {
            runner: new AwsMitigationRunner(
              w.capture(new SSMClient({})),
              w.capture(new LambdaClient({})),
              optionalEnv(AUTOMATION_ROLE_ENV, env),
            ),
            budget: new DynamoMitigationBudget(w.doc, w.tableName),
          }
        : undefined,
    metrics: createIncidentMetrics(w.metrics, w.config.stage),
  });
}
