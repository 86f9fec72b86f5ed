/** The whole alert path wired for a local run: the real handlers over dynalite and injected ports. */
import { randomBytes } from 'node:crypto';
import { createActionHandler } from '../../functions/action-endpoint/create-handler';
import { createAlarmHandler } from '../../functions/alarm-handler/create-handler';
import { createRuleEvaluatorHandler } from '../../functions/rule-evaluator/create-handler';
import { createTickHandler } from '../../functions/tick/create-handler';
import type { GetMetricDataSender } from '../adapters/cloudwatch-metric-data';
import { CloudWatchMetricData } from '../adapters/cloudwatch-metric-data';
import { DynamoActionClaims, DynamoAuditLog } from '../adapters/dynamo-action-store';
import { DynamoEvalStateStore } from '../adapters/dynamo-eval-state-store';
import { DynamoDeliveryLedger } from '../adapters/delivery-ledger';
import { DynamoAlertStore } from '../adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../adapters/dynamo-group-store';
import { DynamoIncidentStore } from '../adapters/dynamo-incident-store';
import { DynamoSignalBacklog } from '../adapters/dynamo-signal-backlog';
import { sdkDocTable } from '../adapters/dynamo-sdk-table';
import type { DiagnosticsSources } from '../domain/diagnostics';
import type { Incident } from '../domain/incident';
import type { ResponderDeps } from '../domain/incident-response';
import type { IncidentMetrics } from '../domain/incidents';
import { createIncidentHooks } from '../domain/incidents';
import { LocalSignalQueue } from './local-signal-queue';
import type { QueueRun } from './local-signal-queue';
import type { DeliveryLedger } from '../delivery/ledger';
import type { AlertRecord } from '../domain/alert-record';
import { mapLimit } from '../domain/concurrency';
import type { DigestRecord } from '../domain/digest-record';
import type { EvaluationReport } from '../domain/evaluation/evaluator';
import type { SlackMessage } from '../domain/format/slack';
import { acknowledgeAlert, addSilence, fingerprintOfAlarm } from '../domain/operator';
import type { Clock, DeadLetterSink, Log, Publisher } from '../domain/ports';
import type { RuntimeConfig } from '../domain/runtime-config';
import { createSilenceCheck } from '../domain/silence';
import { stormWatch } from '../domain/tick/storm';
import type { TickReport } from '../domain/tick/run-tick';
import type { DynamoMeter, MeterPhase } from './dynamo-meter';
import { startLocalActionServer, type LocalActionServer } from './local-action-server';
import { createAlertTable, startDynalite } from './local-dynamo';
import type { AckRequest, SilenceRequest, SlackClickRequest } from './scenario';
import { signedSlackClick } from './slack-click';

/** What the action endpoint answered a click, and what it posted to Slack's `response_url`. */
export interface SlackClickAnswer {
  readonly status: number;
  readonly body: string;
  /** The replacement messages the endpoint posted to the click's `response_url`. */
  readonly updates: readonly unknown[];
}

/** Where the replay's clicks say Slack wants the message updated; nothing is sent there. */
const REPLAY_RESPONSE_URL = 'https://hooks.slack.com/actions/T0VIGIL/replay/1';

/** What the replay drives: the pipeline's entry points, as AWS and operators reach them. */
export interface ReplayPipeline {
  /** Invokes the alarm handler with one event, as Lambda would; rejects when the invocation fails. */
  invokeAlarmHandler(event: unknown): Promise<void>;
  /** Runs the scheduled tick once. */
  tick(): Promise<TickReport>;
  /** Acknowledges the firing alert of an alarm; rejects when it is not firing. */
  ack(request: AckRequest): Promise<void>;
  /** Creates a silence from now for its duration. */
  silence(request: SilenceRequest): Promise<void>;
  /**
   * Clicks a button of `message` as Slack would: a signed request over HTTP on 127.0.0.1 to the
   * action endpoint's handler, which acts through the same domain code as the CLI.
   */
  slackClick?(request: SlackClickRequest, message: SlackMessage): Promise<SlackClickAnswer>;
  /** Runs the scheduled rule evaluator once; undefined when the run has no metric data. */
  evaluate?(): Promise<EvaluationReport | undefined>;
  /** Hands the incident signals sent so far to the incident responder, as its queue would. */
  respond?(): Promise<QueueRun>;
}

/** A running local pipeline. */
export interface LocalPipeline extends ReplayPipeline {
  /** The forwarders' delivery ledger, in the same local table. */
  readonly ledger: DeliveryLedger;
  /** Every alert the run wrote, in its final state. */
  finalAlerts(): Promise<AlertRecord[]>;
  /** Every incident the run opened, in its final state, oldest first. */
  finalIncidents(): Promise<Incident[]>;
  /** A storm digest's full stored list. */
  digest(id: string): Promise<DigestRecord | undefined>;
  /** Peak resident memory of the local DynamoDB's process, MB (Linux). */
  localDynamoPeakRssMb(): number | undefined;
  /** Stops the local DynamoDB. */
  stop(): Promise<void>;
}

/** Ports of the local pipeline; the store is always the local DynamoDB. */
export interface LocalPipelineOptions {
  readonly config: RuntimeConfig;
  readonly clock: Clock;
  readonly publisher: Publisher;
  readonly deadLetter: DeadLetterSink;
  readonly log: Log;
  /** Directory that keeps the local table after the run. @default - in memory */
  readonly statePath?: string;
  /** Serves the rule evaluator's GetMetricData (the replay's simulated CloudWatch). @default - no evaluator */
  readonly metricData?: GetMetricDataSender;
  /**
   * Serves the alarm handler's severity ladders (the replay's simulated CloudWatch). @default - none:
   * ladders cannot be read and rules keep their own severity
   */
  readonly alarmMetricData?: GetMetricDataSender;
  /** Evidence sources of incident diagnostics. @default none: each source reports "not configured" */
  readonly diagnostics?: DiagnosticsSources;
  /** Receives MTTA/MTTR and notification counts. @default none */
  readonly incidentMetrics?: IncidentMetrics;
  /** Counts the DynamoDB operations of each invocation. @default none */
  readonly meter?: DynamoMeter;
}

const TABLE = 'vigil-replay-alerts';

/** Name of the replay's alert-state table (also inside a persisted state directory). */
export const REPLAY_TABLE_NAME = TABLE;

/** Records which alerts were written, so the run can report their final states without a scan. */
class TrackingAlertStore extends DynamoAlertStore {
  public readonly fingerprints = new Set<string>();

  public override async put(
    record: AlertRecord,
    expectedVersion: number | undefined,
  ): Promise<AlertRecord | undefined> {
    const stored = await super.put(record, expectedVersion);
    if (stored) this.fingerprints.add(stored.fingerprint);
    return stored;
  }
}

/** Starts dynalite, creates the alert table and builds both handlers around the given ports. */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  // The local DynamoDB runs apart, so a long replay's time and memory are the pipeline's own.
  const dynamo = await startDynalite({ path: options.statePath, ownProcess: true });
  try {
    await createAlertTable(dynamo.client, TABLE);
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
  options.meter?.attach(dynamo.client);
  const doc = sdkDocTable(dynamo.client);
  const store = new TrackingAlertStore(doc, {
    tableName: TABLE,
    historyRetentionDays: options.config.historyRetentionDays,
  });
  const groups = new DynamoGroupStore(doc, TABLE);
  const settings = options.config.incidents;
  const incidentStore = new DynamoIncidentStore(doc, {
    tableName: TABLE,
    retentionDays: settings?.retentionDays ?? 90,
  });
  // The incident responder runs after the handlers, fed by a stand-in for its FIFO queue. Mitigation
  // runs only as a dry run locally: no runner, so a live setting records "skipped".
  const queue = settings ? new LocalSignalQueue(options.clock) : undefined;
  const responder: ResponderDeps | undefined = settings
    ? {
        settings,
        incidents: incidentStore,
        pointers: incidentStore,
        alerts: store,
        clock: options.clock,
        log: options.log,
        diagnostics: options.diagnostics,
        metrics: options.incidentMetrics,
        publisher: options.publisher,
      }
    : undefined;
  const ports = {
    config: options.config,
    ...stormWatch(() => groups.getTickState()),
    store,
    publisher: options.publisher,
    clock: options.clock,
    log: options.log,
    signals: queue,
    signalBacklog: queue ? new DynamoSignalBacklog(doc, TABLE) : undefined,
  };
  // Wired as the Lambdas wire them (functions/*/handler.ts), with local ports.
  const alarmHandler = createAlarmHandler({
    ...ports,
    deadLetter: options.deadLetter,
    isSilenced: createSilenceCheck((now) => groups.listSilences(now, 0), options.clock),
    severityMetrics:
      options.alarmMetricData === undefined
        ? undefined
        : new CloudWatchMetricData(options.alarmMetricData, {
            timeoutMs: options.config.severityBudgetMs,
            sleep: () => Promise.resolve(),
          }),
  });
  // The replay's ticks are limited by items, not by this machine's speed: the same run every time.
  const tickHandler = createTickHandler({ ...ports, groups, elapsed: () => 0 });
  const metricData = options.metricData;
  const evaluator =
    metricData === undefined
      ? undefined
      : createRuleEvaluatorHandler({
          ...ports,
          evalStates: new DynamoEvalStateStore(doc, TABLE),
          metrics: new CloudWatchMetricData(metricData, { sleep: () => Promise.resolve() }),
          isSilenced: createSilenceCheck((now) => groups.listSilences(now, 0), options.clock),
          sink: { count: () => undefined, milliseconds: () => undefined },
        });
  // The action endpoint, wired as its Lambda is, started at the first click. Its secrets are the
  // run's own: the replay signs its clicks with them.
  const signingSecret = randomBytes(24).toString('hex');
  const linkKey = randomBytes(32).toString('hex');
  const updates: unknown[] = [];
  let actionServer: LocalActionServer | undefined;
  const startActionServer = (): Promise<LocalActionServer> =>
    startLocalActionServer(
      createActionHandler({
        config: options.config,
        store,
        groups,
        incidents: settings ? incidentStore : undefined,
        incidentHooks: responder ? createIncidentHooks(responder) : undefined,
        audit: new DynamoAuditLog(doc, {
          tableName: TABLE,
          retentionDays: options.config.historyRetentionDays,
        }),
        claims: new DynamoActionClaims(doc, TABLE),
        publish: {
          service: { ...ports, claimant: 'action-endpoint' },
          canPublish: () => true,
        },
        secrets: {
          slackSigning: () => Promise.resolve(signingSecret),
          pagerdutyWebhook: () => Promise.reject(new Error('the replay sends no PagerDuty webhooks')),
          linkKey: () => Promise.resolve(linkKey),
        },
        postJson: (_url, body) => Promise.resolve(void updates.push(body)),
        isAllowedResponseUrl: (url) => url === REPLAY_RESPONSE_URL,
        clock: options.clock,
        log: options.log,
      }),
    );
  let requests = 0;
  let silences = 0;
  const within = <T>(phase: MeterPhase, work: () => Promise<T>): Promise<T> =>
    options.meter ? options.meter.within(phase, work) : work();
  const context = () => ({ awsRequestId: `replay-${++requests}` });

  return {
    async invokeAlarmHandler(event) {
      await within('handler', () => alarmHandler(event, context()));
    },
    tick() {
      return within('tick', () =>
        tickHandler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, context()),
      );
    },
    async evaluate() {
      return evaluator?.({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, context());
    },
    async respond() {
      if (!queue || !responder) return { handled: 0, failed: 0, deadLettered: 0 };
      return within('other', () => queue.drain(responder));
    },
    async ack(request) {
      await acknowledgeAlert(
        { store, clock: options.clock, incidents: settings ? incidentStore : undefined },
        fingerprintOfAlarm(options.config, request.alarmName),
        request.by,
      );
    },
    async silence(request) {
      const now = options.clock();
      await addSilence(
        { groups, clock: options.clock },
        {
          matchers: request.matchers,
          endsAt: now + request.duration,
          author: request.by ?? 'replay',
          comment: request.comment ?? '',
          endOnResolve: request.endOnResolve,
        },
        `replay-silence-${++silences}`,
      );
    },
    async slackClick(request, message) {
      actionServer ??= await startActionServer();
      const click = signedSlackClick({
        message,
        actionId: request.button,
        user: request.user,
        responseUrl: REPLAY_RESPONSE_URL,
        signingSecret,
        at: options.clock(),
      });
      const before = updates.length;
      const res = await fetch(`${actionServer.url}/slack/actions`, {
        method: 'POST',
        headers: click.headers,
        body: click.body,
      });
      return { status: res.status, body: await res.text(), updates: updates.slice(before) };
    },
    async finalAlerts() {
      // A few reads at a time: thousands at once make the local server drop connections.
      const records = await mapLimit([...store.fingerprints], 16, (f) => store.get(f));
      return records.filter((r): r is AlertRecord => r !== undefined);
    },
    digest: (id) => groups.getDigest(id),
    localDynamoPeakRssMb: () => dynamo.peakRssMb(),
    async finalIncidents() {
      const all = await incidentStore.list(0, Number.MAX_SAFE_INTEGER, 1000);
      return all.reverse();
    },
    ledger: new DynamoDeliveryLedger(doc, { tableName: TABLE }),
    async stop() {
      await actionServer?.stop();
      await dynamo.stop();
    },
  };
}
