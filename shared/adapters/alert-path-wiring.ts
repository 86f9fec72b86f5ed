/** How the Lambdas on the alert path (alarm handler, tick, rule evaluator) wire its stores and hooks. */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IncidentHooks } from '../domain/incidents';
import type { Labels } from '../domain/alert';
import type { Clock } from '../domain/ports';
import type { RuntimeConfig } from '../domain/runtime-config';
import { createSilenceCheck } from '../domain/silence';
import { createCached } from '../domain/cached';
import { stormingRoutesFrom } from '../domain/tick/storm';
import { DynamoAlertStore } from './dynamo-alert-store';
import { DynamoGroupStore } from './dynamo-group-store';
import { INCIDENT_METRICS } from './incident-metrics';
import { createIncidentHooksFromEnv } from './incident-wiring';
import { logger, powertoolsLog, tracer } from './observability';

/** How stale a container's view of the tick's SMS pause may be. */
const TICK_STATE_TTL_MS = 10_000;

/** The alert path's stores, incident hooks and cached checks, built once per container. */
export interface AlertPathWiring {
  readonly store: DynamoAlertStore;
  readonly groups: DynamoGroupStore;
  readonly incidents: IncidentHooks | undefined;
  /** Silences, read at most every few seconds per container. */
  readonly isSilenced: (labels: Labels) => Promise<boolean>;
  /** The tick's SMS pause flag, cached per container. */
  readonly isSmsPaused: () => Promise<boolean>;
  /** Routes the tick has in storm mode (read when an event could page). */
  readonly stormingRoutes: () => Promise<ReadonlySet<string>>;
}

/** Builds the alert path's wiring from the runtime config and the table's document client. */
export function wireAlertPath(options: {
  readonly config: RuntimeConfig;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
}): AlertPathWiring {
  const { config, doc, tableName, clock } = options;
  const store = new DynamoAlertStore(doc, { tableName, historyRetentionDays: config.historyRetentionDays });
  const groups = new DynamoGroupStore(doc, tableName);
  const incidents = createIncidentHooksFromEnv({
    config,
    doc,
    tableName,
    alerts: store,
    clock,
    log: powertoolsLog(logger),
    metrics: new Metrics({ namespace: INCIDENT_METRICS.namespace }),
    capture: (client) => tracer.captureAWSv3Client(client),
  });
  const tickState = createCached(() => groups.getTickState(), clock, TICK_STATE_TTL_MS);
  return {
    store,
    groups,
    incidents,
    isSilenced: createSilenceCheck((now) => groups.listSilences(now, 0), clock),
    isSmsPaused: async () => (await tickState())?.smsPaused === true,
    // Read fresh for every event that could page: a cached "no storm" would let pages through in
    // the seconds after the tick folded the queue the change count looks at.
    stormingRoutes: stormingRoutesFrom(() => groups.getTickState()),
  };
}
