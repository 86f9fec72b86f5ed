import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { EVALUATOR_METRICS } from '../../functions/rule-evaluator/create-handler';
import { TICK_METRICS } from '../../functions/tick/create-handler';
import {
  INDEXER_BACKFILL_EVENTS_METRIC,
  INDEXER_BACKFILL_METRIC,
  INDEXER_LAG_METRIC,
} from '../../shared/logs/indexer-metrics';

export { INDEXER_LAG_METRIC };

/** The evaluator's failure count as Powertools Metrics publishes it (service dimension). */
const EVALUATOR_FAILURE_METRIC = {
  namespace: EVALUATOR_METRICS.namespace,
  metricName: EVALUATOR_METRICS.failures,
  dimensions: { service: EVALUATOR_METRICS.service },
} as const;

/** The tick's backlog flag as Powertools Metrics publishes it (service dimension). */
const TICK_BACKLOG_METRIC = {
  namespace: TICK_METRICS.namespace,
  metricName: TICK_METRICS.backlog,
  dimensions: { service: TICK_METRICS.service },
} as const;

/** A pipeline Lambda to watch. */
export interface MonitoredFunction {
  /** Short name used in alarm names and dashboard titles, e.g. "alarm-handler". */
  readonly name: string;
  /** The function. */
  readonly fn: lambda.IFunction;
  /**
   * The function's timeout, for the duration alarm.
   * @default - read from `fn` when it is a `lambda.Function`; an imported function must give it
   */
  readonly timeout?: Duration;
}

/** A dead-letter queue to watch. */
export interface MonitoredQueue {
  /** Short name used in alarm names, e.g. "alarm-handler-dlq". */
  readonly name: string;
  /** The queue. */
  readonly queue: sqs.IQueue;
}

/** A channel topic to watch for failed deliveries. */
export interface MonitoredTopic {
  /** Short name used in alarm names, e.g. "email". */
  readonly name: string;
  /** The topic. */
  readonly topic: sns.ITopic;
}

/** Properties of {@link SelfMonitoring}. */
export interface SelfMonitoringProps {
  /** Prefix of the ops topic, the alarms ("<prefix>-ops-...") and the dashboard, e.g. "vigil-dev". */
  readonly namePrefix: string;
  /**
   * Key that encrypts the ops topic. Its policy must let `cloudwatch.amazonaws.com` use it
   * (kms:Decrypt, kms:GenerateDataKey*), or alarms cannot publish.
   */
  readonly encryptionKey: kms.IKey;
  /** Email addresses paged directly (no Lambda in between). At least one email or SMS number is required. @default - none */
  readonly opsEmailSubscribers?: readonly string[];
  /** E.164 phone numbers paged directly by SMS. @default - none */
  readonly opsSmsSubscribers?: readonly string[];
  /** Pipeline Lambdas: each gets Errors > 0, Throttles > 0 and Duration p99 near its timeout alarms. */
  readonly functions: readonly MonitoredFunction[];
  /** Dead-letter queues: any visible message alarms. @default - none */
  readonly deadLetterQueues?: readonly MonitoredQueue[];
  /** Channel topics: any failed notification alarms. @default - none */
  readonly channelTopics?: readonly MonitoredTopic[];
  /** The every-minute tick: fewer than 3 invocations in 5 minutes, or none at all, alarms. */
  readonly tick: lambda.IFunction;
  /** Alarm on the indexer's ingest lag ({@link INDEXER_LAG_METRIC}). @default true */
  readonly watchIndexerLag?: boolean;
  /** Ingest lag (seconds) that, held for 5 minutes, alarms. @default 60 */
  readonly indexerLagThresholdSeconds?: number;
  /** Alarm when scheduled rules cannot be evaluated (GetMetricData failing or returning no data). @default false */
  readonly watchEvaluatorFailures?: boolean;
  /** Duration p99 above this percentage of the timeout alarms. @default 80 */
  readonly durationPercentOfTimeout?: number;
}

/**
 * Watches the pipeline itself and pages a separate ops topic whose subscribers are email and SMS
 * endpoints only, so a broken handler, a stopped tick or a failing channel still reaches a human.
 * Alarms and the pipeline-health dashboard come from cdk-monitoring-constructs.
 */
export class SelfMonitoring extends Construct {
  /** The ops topic every self-monitoring alarm publishes to. */
  public readonly opsTopic: sns.Topic;
  /** The facade that owns the alarms and the pipeline-health dashboard. */
  public readonly facade: MonitoringFacade;
  /** Every alarm created, for alarm-status widgets. */
  public readonly alarms: readonly cloudwatch.IAlarm[];
  /** Name of the pipeline-health dashboard. */
  public readonly dashboardName: string;

  public constructor(scope: Construct, id: string, props: SelfMonitoringProps) {
    super(scope, id);
    const emails = props.opsEmailSubscribers ?? [];
    const phones = props.opsSmsSubscribers ?? [];
    if (emails.length + phones.length === 0) {
      throw new Error(
        'SelfMonitoring opsEmailSubscribers / opsSmsSubscribers: give at least one, or pipeline failures page nobody',
      );
    }
    if (props.functions.length === 0) throw new Error('SelfMonitoring functions: give the pipeline Lambdas');
    const percent = props.durationPercentOfTimeout ?? 80;
    if (!(percent > 0 && percent <= 100))
      throw new Error(`SelfMonitoring durationPercentOfTimeout: ${percent} must be in (0, 100]`);
    const lagThreshold = props.indexerLagThresholdSeconds ?? 60;
    if (!(lagThreshold > 0))
      throw new Error(`SelfMonitoring indexerLagThresholdSeconds: ${lagThreshold} must be positive`);

    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      topicName: `${props.namePrefix}-ops`,
      displayName: `${props.namePrefix} pipeline health`,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // enforceSSL replaces the default topic policy, so alarms of this account are allowed explicitly.
    this.opsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.opsTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    for (const address of emails) this.opsTopic.addSubscription(new subs.EmailSubscription(address));
    for (const phone of phones) this.opsTopic.addSubscription(new subs.SmsSubscription(phone));

    this.dashboardName = `${props.namePrefix}-pipeline-health`;
    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: `${props.namePrefix}-ops`,
        actionsEnabled: true,
        // Recovery (OK) goes to the same people, so they know when to stop looking.
        action: new SnsAlarmActionStrategy({ onAlarmTopic: this.opsTopic, onOkTopic: this.opsTopic }),
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      },
      metricFactoryDefaults: { period: Duration.minutes(5) },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: this.dashboardName,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });

    const tickIsListed = props.functions.some((f) => f.fn === props.tick);
    // The tick runs every minute: missing invocations are the failure, so missing data breaches.
    const tickAlarm = {
      TickStopped: {
        minCount: 3,
        period: Duration.minutes(5),
        treatMissingDataOverride: cloudwatch.TreatMissingData.BREACHING,
        alarmDescriptionOverride:
          'The tick ran fewer than 3 times in 5 minutes: grouping, repeats and escalations have stopped',
      },
    };
    for (const monitored of props.functions) {
      const timeout =
        monitored.timeout ?? (monitored.fn instanceof lambda.Function ? monitored.fn.timeout : undefined);
      if (timeout === undefined) {
        throw new Error(
          `SelfMonitoring functions[${monitored.name}].timeout: required for an imported function`,
        );
      }
      this.facade.monitorLambdaFunction({
        lambdaFunction: monitored.fn,
        alarmFriendlyName: monitored.name,
        humanReadableName: monitored.name,
        addFaultCountAlarm: {
          Errors: {
            maxErrorCount: 0,
            alarmDescriptionOverride: `${monitored.name}: Lambda invocations failed in the last 5 minutes`,
          },
        },
        addThrottlesCountAlarm: {
          Throttles: {
            maxErrorCount: 0,
            alarmDescriptionOverride: `${monitored.name}: Lambda invocations throttled in the last 5 minutes`,
          },
        },
        addLatencyP99Alarm: {
          NearTimeout: {
            maxLatency: Duration.millis(Math.floor((timeout.toMilliseconds() * percent) / 100)),
            alarmDescriptionOverride: `${monitored.name}: Duration p99 above ${percent}% of its ${timeout.toHumanString()} timeout`,
          },
        },
        ...(monitored.fn === props.tick ? { addMinInvocationsCountAlarm: tickAlarm } : {}),
      });
    }
    if (!tickIsListed) {
      this.facade.monitorLambdaFunction({
        lambdaFunction: props.tick,
        alarmFriendlyName: 'tick',
        humanReadableName: 'tick',
        addMinInvocationsCountAlarm: tickAlarm,
      });
    }

    for (const { name, queue } of props.deadLetterQueues ?? []) {
      this.facade.monitorSqsQueue({
        queue,
        alarmFriendlyName: name,
        humanReadableName: name,
        addQueueMaxSizeAlarm: {
          DeadLetters: {
            maxMessageCount: 0,
            // An idle, empty queue may report nothing; that is healthy.
            treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
            alarmDescriptionOverride: `${name}: messages are waiting in a dead-letter queue (work the pipeline gave up on)`,
          },
        },
      });
    }

    for (const { name, topic } of props.channelTopics ?? []) {
      this.facade.monitorSnsTopic({
        topic,
        alarmFriendlyName: name,
        humanReadableName: name,
        addMessageNotificationsFailedAlarm: {
          DeliveryFailed: {
            maxNotificationsFailedCount: 0,
            treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
            alarmDescriptionOverride: `${name}: SNS failed to deliver notifications to subscribers`,
          },
        },
      });
    }

    if (props.watchIndexerLag ?? true) {
      this.facade.monitorCustom({
        alarmFriendlyName: 'log-indexer',
        humanReadableName: 'Log indexer',
        metricGroups: [
          {
            title: 'Ingest lag (s)',
            metrics: [
              {
                metric: new cloudwatch.Metric({
                  namespace: INDEXER_LAG_METRIC.namespace,
                  metricName: INDEXER_LAG_METRIC.metricName,
                  dimensionsMap: { ...INDEXER_LAG_METRIC.dimensions },
                  statistic: INDEXER_LAG_METRIC.statistic,
                  period: Duration.minutes(1),
                }),
                alarmFriendlyName: 'IngestLag',
                addAlarm: {
                  IngestLag: {
                    threshold: lagThreshold,
                    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    period: Duration.minutes(1),
                    evaluationPeriods: 5,
                    datapointsToAlarm: 5,
                    // No batches means nothing to lag behind.
                    treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
                    alarmDescriptionOverride: `Log indexing more than ${lagThreshold}s behind for 5 minutes`,
                  },
                },
              },
            ],
          },
          {
            // Backfills and replays: drawn so they are visible, never alarmed.
            title: 'Backfill (not alarmed)',
            metrics: [INDEXER_BACKFILL_METRIC, INDEXER_BACKFILL_EVENTS_METRIC].map(
              (m) =>
                new cloudwatch.Metric({
                  namespace: m.namespace,
                  metricName: m.metricName,
                  dimensionsMap: { ...m.dimensions },
                  statistic: m.statistic,
                  period: Duration.minutes(1),
                }),
            ),
          },
        ],
      });
    }

    this.watchFailureCount({
      friendlyName: 'tick-backlog',
      humanName: 'Tick backlog',
      title: 'Runs that left alert changes for the next one',
      metric: TICK_BACKLOG_METRIC,
      alarmName: 'TickBacklog',
      // A stopped tick publishes nothing; that case is the tick's own invocation alarm.
      description:
        'The tick left alert changes unfolded in 3 of the last 5 minutes: notifications are late (each run carries on where the last stopped, nothing is dropped)',
    });

    if (props.watchEvaluatorFailures ?? false) {
      this.watchFailureCount({
        friendlyName: 'rule-evaluator',
        humanName: 'Rule evaluator',
        title: 'Scheduled rules not evaluated',
        metric: EVALUATOR_FAILURE_METRIC,
        alarmName: 'EvaluationFailures',
        // The evaluator publishes 0 when all is well; the tick-style "stopped" case is its Lambda alarms.
        description:
          'Scheduled rules could not be evaluated in 3 of the last 5 minutes: their alerts are frozen (never resolved by mistake, but not fired either)',
      });
    }

    this.alarms = this.facade.createdAlarms().map((a) => a.alarm);
  }

  /**
   * A count the pipeline publishes every minute (0 when all is well) that pages ops when it is above 0
   * in 3 of 5 minutes; missing data (nothing ran) is another alarm's case.
   */
  private watchFailureCount(watch: {
    readonly friendlyName: string;
    readonly humanName: string;
    readonly title: string;
    readonly metric: {
      readonly namespace: string;
      readonly metricName: string;
      readonly dimensions: Record<string, string>;
    };
    readonly alarmName: string;
    readonly description: string;
  }): void {
    this.facade.monitorCustom({
      alarmFriendlyName: watch.friendlyName,
      humanReadableName: watch.humanName,
      metricGroups: [
        {
          title: watch.title,
          metrics: [
            {
              metric: new cloudwatch.Metric({
                namespace: watch.metric.namespace,
                metricName: watch.metric.metricName,
                dimensionsMap: { ...watch.metric.dimensions },
                statistic: 'Sum',
                period: Duration.minutes(1),
              }),
              alarmFriendlyName: watch.alarmName,
              addAlarm: {
                [watch.alarmName]: {
                  threshold: 0,
                  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  period: Duration.minutes(1),
                  evaluationPeriods: 5,
                  datapointsToAlarm: 3,
                  treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
                  alarmDescriptionOverride: watch.description,
                },
              },
            },
          ],
        },
      ],
    });
  }
}
