// The Lambdas the benchmark builds and starts: one entry per function, with the environment and a
// realistic invocation against the local peers. Adding a function is one entry here.
import { deriveRuntimeConfig } from '../../infra/config/derive';
import { loadStageConfig } from '../../infra/config/stages';
import { TOPIC_ENV } from '../../shared/adapters/sns-publisher';
import { alarmActionEvent, toCloudWatchTime } from '../../shared/replay/alarm-events';
import { aNotification } from '../fixtures/delivery/notifications';
import { snsEvent } from '../integration/delivery/harness';
import { dataPayload } from '../fixtures/logs/payloads';
import { makeLogEvents } from './log-indexer.bench';

/** Where the Lambdas' peers listen. */
export interface LambdaPeers {
  /** dynalite's endpoint; the alert table below exists there. */
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  /** The local stand-in for SNS, SQS, Secrets Manager, CloudWatch, OpenSearch and webhooks. */
  readonly awsUrl: string;
}

/** How the benchmark builds and invokes one Lambda. */
export interface BenchLambda {
  /** Folder under `functions/`. */
  readonly functionDir: string;
  /** Bundle-size target, minified bytes without the source map. */
  readonly maxBundleBytes: number;
  /** Cold-init targets: deployed / naive and deployed / empty handler. @default 0.35 and 1.5 */
  readonly coldInit?: { readonly ofNaive: number; readonly ofEmpty: number };
  /** Also time a cold start whose invocation X-Ray samples (it loads the tracer). @default false */
  readonly coldInitSampled?: boolean;
  /** Whether the stack ships the tracer beside the bundle (VigilFunction `tracingBeside`). @default true */
  readonly tracingBeside?: boolean;
  /** The runtime config the stack ships beside the bundle (VIGIL_RUNTIME_CONFIG_FILE). @default - none */
  readonly runtimeConfig?: unknown;
  /** The function's own environment variables (the stack's bindings), pointed at the peers. */
  readonly environment: (peers: LambdaPeers) => Record<string, string>;
  /** What Secrets Manager returns while this function runs. @default - no secret read */
  readonly secret?: (peers: LambdaPeers) => string;
  /** Invocation number `run` (unique within a benchmark run): a distinct, realistic event. */
  readonly event: (run: number, peers: LambdaPeers) => unknown;
}

const KB = 1024;
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** The runtime config the stack ships with the alarm handler, the tick and the others: the dev stage's. */
export function stageRuntimeConfig(stage = 'dev'): unknown {
  return deriveRuntimeConfig(loadStageConfig(stage));
}

const topicEnvironment = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(TOPIC_ENV).map(([channel, name]) => [
      name,
      `arn:aws:sns:${REGION}:${ACCOUNT}:vigil-dev-${channel}`,
    ]),
  );

const queueUrl = (peers: LambdaPeers, name: string): string => `${peers.awsUrl}/${ACCOUNT}/${name}`;

/** The paging functions' binding to the incident responder's queue (SIGNAL_QUEUE_ENV). */
const signalQueue = (peers: LambdaPeers): Record<string, string> => ({
  INCIDENT_SIGNAL_QUEUE_URL: queueUrl(peers, 'vigil-dev-incident-signals.fifo'),
});

/** An incident signal as the alarm handler sends it after paging the checkout critical. */
export function signalRecord(run: number): unknown {
  const at = ALARM_BASE + run * 60_000;
  const signal = {
    id: `bench-signal-${run}`,
    kind: 'fired',
    cause: 'fired',
    service: 'checkout',
    at,
    stage: 'dev',
    alerts: [
      {
        fingerprint: `bench-${run}`,
        alarmName: ALARM_NAME,
        ruleId: 'high-error-rate',
        severity: 'critical',
        labels: { service: 'checkout', team: 'payments' },
        annotations: { summary: 'Error rate above 5%' },
      },
    ],
    page: {
      id: `bench-page-${run}`,
      title: 'checkout: Error rate above 5%',
      severity: 'critical',
      reason: 'alert',
      groupKey: `bench-${run}`,
      channels: ['slack', 'email', 'sms'],
      sentAt: at,
    },
  };
  return {
    Records: [
      {
        messageId: `m-${run}`,
        receiptHandle: `r-${run}`,
        body: JSON.stringify(signal),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(at),
          SenderId: 'AIDA',
          ApproximateFirstReceiveTimestamp: String(at),
          MessageGroupId: 'checkout',
          MessageDeduplicationId: signal.id,
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:vigil-dev-incident-signals.fifo`,
        awsRegion: REGION,
      },
    ],
  };
}

// Every run moves the checkout error-rate alarm one minute on and flips its state: a real transition.
const ALARM_BASE = Date.UTC(2026, 10, 26, 14, 0, 0);
const ALARM_NAME = 'vigil-dev-high-error-rate-checkout';

/** The benchmarked Lambdas. */
export const BENCH_LAMBDAS: readonly BenchLambda[] = [
  {
    functionDir: 'alarm-handler',
    maxBundleBytes: 300 * KB,
    coldInit: { ofNaive: 0.5, ofEmpty: 4 },
    coldInitSampled: true,
    runtimeConfig: stageRuntimeConfig(),
    environment: (peers) => ({
      ALERT_TABLE_NAME: peers.tableName,
      DEAD_LETTER_QUEUE_URL: queueUrl(peers, 'alarm-dlq'),
      ...signalQueue(peers),
      ...topicEnvironment(),
    }),
    event: (run) => {
      const at = ALARM_BASE + run * 60_000;
      const firing = run % 2 === 0;
      return alarmActionEvent(ALARM_NAME, firing ? 'ALARM' : 'OK', toCloudWatchTime(at), {
        state: firing ? 'OK' : 'ALARM',
        timestamp: toCloudWatchTime(at - 60_000),
      });
    },
  },
  {
    functionDir: 'tick',
    maxBundleBytes: 400 * KB,
    runtimeConfig: stageRuntimeConfig(),
    environment: (peers) => ({
      ALERT_TABLE_NAME: peers.tableName,
      ...signalQueue(peers),
      ...topicEnvironment(),
    }),
    event: (run) => ({
      version: '0',
      id: `tick-${run}`,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT,
      time: new Date(ALARM_BASE + run * 60_000).toISOString(),
      region: REGION,
      resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/vigil-dev-tick`],
      detail: {},
    }),
  },
  {
    functionDir: 'rule-evaluator',
    maxBundleBytes: 400 * KB,
    runtimeConfig: stageRuntimeConfig(),
    environment: (peers) => ({
      ALERT_TABLE_NAME: peers.tableName,
      ...signalQueue(peers),
      ...topicEnvironment(),
    }),
    event: (run) => ({
      version: '0',
      id: `evaluate-${run}`,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT,
      time: new Date(ALARM_BASE + run * 60_000).toISOString(),
      region: REGION,
      resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/vigil-dev-rule-evaluator`],
      detail: {},
    }),
  },
  {
    // No target of its own: it runs after the page and carries the incident clients.
    functionDir: 'incident-responder',
    maxBundleBytes: 1024 * KB,
    tracingBeside: false,
    runtimeConfig: stageRuntimeConfig(),
    environment: (peers) => ({
      ALERT_TABLE_NAME: peers.tableName,
      DEAD_LETTER_QUEUE_URL: queueUrl(peers, 'incident-malformed-dlq'),
      LOG_SEARCH_ENDPOINT: peers.awsUrl,
      ...topicEnvironment(),
    }),
    event: (run) => signalRecord(run),
  },
  {
    functionDir: 'slack-notifier',
    maxBundleBytes: 400 * KB,
    environment: (peers) => ({
      ALERT_TABLE_NAME: peers.tableName,
      SLACK_WEBHOOK_SECRET_ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:vigil-slack-AbCdEf`,
      DEAD_LETTER_QUEUE_URL: queueUrl(peers, 'slack-dlq'),
    }),
    secret: (peers) => `${peers.awsUrl}/slack/T000/B000/XXXX`,
    event: (run) => snsEvent(aNotification({ id: `bench-slack-${run}`, channel: 'slack' })),
  },
  {
    functionDir: 'pagerduty-notifier',
    maxBundleBytes: 400 * KB,
    environment: (peers) => ({
      ALERT_TABLE_NAME: peers.tableName,
      PAGERDUTY_ROUTING_KEY_SECRET_ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:vigil-pd-AbCdEf`,
      DEAD_LETTER_QUEUE_URL: queueUrl(peers, 'pagerduty-dlq'),
      PAGERDUTY_EVENTS_URL: `${peers.awsUrl}/pagerduty/v2/enqueue`,
    }),
    secret: () => 'a'.repeat(32),
    event: (run) => snsEvent(aNotification({ id: `bench-pd-${run}`, channel: 'pagerduty' })),
  },
  {
    functionDir: 'log-indexer',
    maxBundleBytes: 400 * KB,
    environment: (peers) => ({
      OPENSEARCH_ENDPOINT: peers.awsUrl,
      DEAD_LETTER_QUEUE_URL: queueUrl(peers, 'log-dlq'),
      LOG_GROUP_CATEGORIES: JSON.stringify({ '/aws/lambda/bench': 'application' }),
    }),
    event: (run) => ({
      awslogs: { data: dataPayload('/aws/lambda/bench', makeLogEvents(100, run, ALARM_BASE)) },
    }),
  },
  {
    functionDir: 'log-index-setup',
    maxBundleBytes: 400 * KB,
    environment: () => ({}),
    event: (run, peers) => ({
      RequestType: 'Create',
      RequestId: `setup-${run}`,
      StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/vigil-dev/1`,
      LogicalResourceId: 'LogIndexSetup',
      ResourceType: 'Custom::LogIndexSetup',
      ResourceProperties: {
        ServiceToken: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:provider`,
        Endpoint: peers.awsUrl,
        RetentionDays: '30',
        Replicas: '1',
        Shards: '1',
        ManageSecurity: 'false',
      },
    }),
  },
];
