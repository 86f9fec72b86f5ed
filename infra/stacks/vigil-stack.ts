import type { StackProps } from 'aws-cdk-lib';
import { Aspects, ArnFormat, Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../../shared/adapters/dynamo-alert-store';
import { LOG_SEARCH_ENDPOINT_ENV } from '../../shared/diagnostics/env';
import { TOPIC_ENV } from '../../shared/adapters/sns-publisher';
import { AUTOMATION_ROLE_ENV } from '../../shared/adapters/mitigation-runner';
import { SIGNAL_QUEUE_ENV } from '../../shared/adapters/sqs-signal-sink';
import { CHANNELS } from '../../shared/domain/alert';
import { alarmPrefixOf, alarmSpecs, deriveRuntimeConfig } from '../config/derive';
import type { VigilConfig } from '../config/schema';
import { alarmRules } from '../config/schema';
import { SLACK_ACTION_BUTTONS_ENV } from '../../functions/slack-notifier/notifier';
import { ActionEndpoint } from '../constructs/action-endpoint';
import { AlertTable } from '../constructs/alert-table';
import { ChannelTopics } from '../constructs/channel-topics';
import { RuleAlarms } from '../constructs/rule-alarms';
import { Dashboards, dashboardServicesFromRules } from '../constructs/dashboards';
import { DeliveryChannels } from '../constructs/delivery-channels';
import { LogPipeline } from '../constructs/log-pipeline';
import { IncidentResponder } from '../constructs/incident-responder';
import { MitigationAutomation } from '../constructs/mitigation-automation';
import { DeleteLogGroupsWithStack, StackOutputs } from '../constructs/stack-outputs';
import type { MonitoredFunction, MonitoredQueue } from '../constructs/self-monitoring';
import { SelfMonitoring } from '../constructs/self-monitoring';
import { Tracing } from '../constructs/tracing';
import { VigilFunction } from '../constructs/vigil-function';

/** Properties of {@link VigilStack}. */
export interface VigilStackProps extends StackProps {
  /** The validated stage config. */
  readonly config: VigilConfig;
}

/** Creates a KMS-encrypted, TLS-only dead-letter queue with 14 days of retention. */
export function createDeadLetterQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue (Lambda on-failure destination, EventBridge target DLQ or SNS subscription DLQ); a DLQ of a DLQ would only move the problem',
  });
  return queue;
}

/** The whole pipeline for one stage: alert state, channels, alarm intake and the rule alarms. */
export class VigilStack extends Stack {
  /** The alert-state table. */
  public readonly table: AlertTable;
  /** Channel topics. */
  public readonly channels: ChannelTopics;
  /** The alarm handler. */
  public readonly alarmHandler: VigilFunction;
  /** The every-minute tick. */
  public readonly tick: VigilFunction;
  /** The every-minute scheduled rule evaluator; absent when the stage has no scheduled rules. */
  public readonly ruleEvaluator?: VigilFunction;
  /** Where invocations that failed every retry, and malformed events, end up. */
  public readonly alarmDeadLetterQueue: sqs.Queue;
  /** The incident responder and its signal queue: all incident work, after the page. */
  public readonly incidentResponder: IncidentResponder;

  public constructor(scope: Construct, id: string, props: VigilStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = `vigil-${config.stage}`;
    Tags.of(this).add('vigil:stage', config.stage);

    const key = new kms.Key(this, 'Key', {
      description: `${prefix}: alert state, notification topics and dead-letter queues`,
      enableKeyRotation: true,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Services that write to our encrypted topics and queues on our behalf.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAwsServicesToUseKey',
        principals: [
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('sns.amazonaws.com'),
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    this.table = new AlertTable(this, 'AlertState', { encryptionKey: key, retain: config.retainData });
    this.channels = new ChannelTopics(this, 'Channels', {
      namePrefix: prefix,
      encryptionKey: key,
      emailSubscribers: config.channels.email.subscribers,
      smsSubscribers: config.channels.sms.subscribers,
    });

    this.alarmDeadLetterQueue = createDeadLetterQueue(this, 'AlarmHandlerDlq', key);
    const runtimeConfig = deriveRuntimeConfig(config);
    this.alarmHandler = new VigilFunction(this, 'AlarmHandler', {
      functionDir: 'alarm-handler',
      description: 'Turns CloudWatch alarm state changes into alert state and notifications',
      serviceName: 'alarm-handler',
      memorySize: config.alarmHandler.memorySize,
      reservedConcurrency: config.reservedConcurrency.alarmHandler,
      runtimeConfig,
    });
    const fn = this.alarmHandler.fn;
    this.alarmHandler
      .bindTable(this.table.table, ['GetItem', 'PutItem', 'Query'], 'ALERT_TABLE_NAME', {
        key,
        indexes: [TABLE_KEYS.dueIndex],
      })
      .bindQueue(this.alarmDeadLetterQueue, 'DEAD_LETTER_QUEUE_URL', key);
    // Incident work runs after the page, in its own Lambda: the paging functions only send it a signal.
    this.incidentResponder = new IncidentResponder(this, 'IncidentResponder', {
      table: this.table.table,
      encryptionKey: key,
      topics: this.channels.topics,
      runtimeConfig,
    });
    const signalQueue = this.incidentResponder.signalQueue;
    this.alarmHandler.bindQueue(signalQueue, SIGNAL_QUEUE_ENV, key);
    for (const channel of CHANNELS)
      this.alarmHandler.bindTopic(this.channels.topics[channel], TOPIC_ENV[channel], key);
    // Severity ladders: the handler reads a rule's related metrics when its alarm fires.
    if (alarmRules(config).some((r) => r.severityLadder !== undefined)) {
      this.alarmHandler.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'SeverityLadderMetrics',
          actions: ['cloudwatch:GetMetricData'],
          resources: ['*'],
        }),
      );
      Validations.of(this.alarmHandler.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudwatch:GetMetricData supports no resource-level permissions: the handler reads the related metrics of severity ladders (read-only); X-Ray segment APIs likewise take no resource',
      });
    }
    fn.configureAsyncInvoke({
      retryAttempts: config.alarmHandler.retryAttempts,
      maxEventAge: Duration.minutes(config.alarmHandler.maxEventAgeMinutes),
      onFailure: VigilFunction.queueDestination(this.alarmDeadLetterQueue, key),
    });

    // The tick: every minute, finish what is due (stuck outboxes now; groups and timers as they come).
    this.tick = new VigilFunction(this, 'Tick', {
      functionDir: 'tick',
      description: 'Every-minute sweep of due alert work',
      serviceName: 'tick',
      // The run's lease (58 s) outlasts this timeout; a storm's fold of 25,000 changes fits in 1 GB.
      timeout: Duration.seconds(55),
      memorySize: 1024,
      reservedConcurrency: config.reservedConcurrency.tick,
      runtimeConfig,
    });
    this.tick.bindTable(
      this.table.table,
      ['GetItem', 'PutItem', 'DeleteItem', 'UpdateItem', 'Query', 'BatchGetItem', 'BatchWriteItem'],
      'ALERT_TABLE_NAME',
      { key, indexes: [TABLE_KEYS.dueIndex] },
    );
    for (const channel of CHANNELS)
      this.tick.bindTopic(this.channels.topics[channel], TOPIC_ENV[channel], key);
    // The tick signals its group pages and escalations, and sends again the signals kept after a failed send.
    this.tick.bindQueue(signalQueue, SIGNAL_QUEUE_ENV, key);
    // Reconciliation reads alarm states; alarm names of opted-in external alarms are not known here.
    this.tick.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [
          this.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    Validations.of(this.tick.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:*]`,
      reason:
        'The tick reads the state of any alarm it holds an alert for, including opted-in alarms the stack did not create; read-only',
    });
    // The SMS spend check reads SNS's own SMSMonthToDateSpentUSD metric.
    this.tick.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
    );
    Validations.of(this.tick.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:GetMetricData supports no resource-level permissions; X-Ray segment APIs likewise take no resource',
    });
    const tickDlq = createDeadLetterQueue(this, 'TickDlq', key);
    const deadLetterQueues: MonitoredQueue[] = [
      { name: 'alarm-handler-dlq', queue: this.alarmDeadLetterQueue },
      { name: 'tick-dlq', queue: tickDlq },
      { name: 'incident-signal-dlq', queue: this.incidentResponder.signalDeadLetterQueue },
      { name: 'incident-malformed-dlq', queue: this.incidentResponder.malformedDeadLetterQueue },
    ];
    const monitoredFunctions: MonitoredFunction[] = [
      { name: 'alarm-handler', fn },
      { name: 'tick', fn: this.tick.fn },
      { name: 'incident-responder', fn: this.incidentResponder.fn.fn },
    ];
    // A late tick is useless (the next one comes in a minute): no retries, and failures are recorded.
    this.tick.fn.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.minutes(2),
      onFailure: VigilFunction.queueDestination(tickDlq, key),
    });
    new events.Rule(this, 'TickSchedule', {
      description: 'Drives grouping windows, repeats, escalation, silences and the outbox sweep',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.tick.fn, { retryAttempts: 0, deadLetterQueue: tickDlq })],
    });

    // Scheduled rules: evaluated every minute from GetMetricData, into the alarm handler's path.
    if (runtimeConfig.evaluator.instances.length > 0) {
      const evaluator = new VigilFunction(this, 'RuleEvaluator', {
        functionDir: 'rule-evaluator',
        description: 'Evaluates scheduled rules every minute from GetMetricData',
        serviceName: 'rule-evaluator',
        timeout: Duration.seconds(55),
        reservedConcurrency: config.reservedConcurrency.ruleEvaluator,
        runtimeConfig,
      });
      // Alert and evaluation-state items (get, conditional put) and the storm count on the due index.
      evaluator.bindTable(this.table.table, ['GetItem', 'PutItem', 'Query'], 'ALERT_TABLE_NAME', {
        key,
        indexes: [TABLE_KEYS.dueIndex],
      });
      for (const channel of CHANNELS)
        evaluator.bindTopic(this.channels.topics[channel], TOPIC_ENV[channel], key);
      evaluator.bindQueue(signalQueue, SIGNAL_QUEUE_ENV, key);
      evaluator.role.addToPolicy(
        new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
      );
      Validations.of(evaluator.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "cloudwatch:GetMetricData supports no resource-level permissions (it reads the scheduled rules' metrics); X-Ray segment APIs likewise take no resource",
      });
      const evaluatorDlq = createDeadLetterQueue(this, 'RuleEvaluatorDlq', key);
      deadLetterQueues.push({ name: 'rule-evaluator-dlq', queue: evaluatorDlq });
      monitoredFunctions.push({ name: 'rule-evaluator', fn: evaluator.fn });
      evaluator.fn.configureAsyncInvoke({
        retryAttempts: 0,
        maxEventAge: Duration.minutes(2),
        onFailure: VigilFunction.queueDestination(evaluatorDlq, key),
      });
      // A failed delivery is retried while it is still worth it; state transitions are idempotent per minute.
      new events.Rule(this, 'RuleEvaluatorSchedule', {
        description: 'Evaluates scheduled rules (expressions, ladders, burn rates, absence, anomaly bands)',
        schedule: events.Schedule.rate(Duration.minutes(1)),
        targets: [
          new targets.LambdaFunction(evaluator.fn, {
            retryAttempts: 2,
            maxEventAge: Duration.minutes(2),
            deadLetterQueue: evaluatorDlq,
          }),
        ],
      });
      this.ruleEvaluator = evaluator;
    }

    const ruleAlarms = new RuleAlarms(this, 'RuleAlarms', {
      catalog: config.catalog,
      specs: alarmSpecs(config),
      handler: fn,
      alarmNamePrefix: alarmPrefixOf(config),
    });

    // Alarms this stack did not create opt in by name prefix, through EventBridge.
    if (config.externalAlarms.namePrefixes.length > 0) {
      const eventsDlq = createDeadLetterQueue(this, 'ExternalAlarmEventsDlq', key);
      deadLetterQueues.push({ name: 'external-alarm-events-dlq', queue: eventsDlq });
      new events.Rule(this, 'ExternalAlarmStateChange', {
        description: `Alarm state changes of alarms named ${config.externalAlarms.namePrefixes.join(', ')}*`,
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          detail: {
            alarmName: events.Match.anyOf(
              ...config.externalAlarms.namePrefixes.map((p) => events.Match.prefix(p)),
            ),
          },
        },
        targets: [
          new targets.LambdaFunction(fn, {
            deadLetterQueue: eventsDlq,
            retryAttempts: 8,
            maxEventAge: Duration.hours(6),
          }),
        ],
      });
    }

    // Alarms that already notify an SNS topic can publish to this one instead (classic SNS shape).
    if (config.externalAlarms.snsIntake) {
      const intake = new sns.Topic(this, 'AlarmIntakeTopic', {
        topicName: `${prefix}-alarm-intake`,
        masterKey: key,
        enforceSSL: true,
      });
      intake.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowCloudWatchAlarmsOfThisAccount',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [intake.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
      const intakeDlq = createDeadLetterQueue(this, 'AlarmIntakeSubscriptionDlq', key);
      deadLetterQueues.push({ name: 'alarm-intake-dlq', queue: intakeDlq });
      intake.addSubscription(new subs.LambdaSubscription(fn, { deadLetterQueue: intakeDlq }));
    }

    // Slack and PagerDuty forwarders, with their secrets, subscriptions and dead-letter queues.
    const delivery = new DeliveryChannels(this, 'Delivery', {
      slackTopic: this.channels.topics.slack,
      pagerdutyTopic: this.channels.topics.pagerduty,
      alertTable: this.table.table,
      encryptionKey: key,
      namePrefix: prefix,
      slackWebhookSecretArn: config.channels.slack.webhookSecretArn,
      pagerdutyRoutingKeySecretArn: config.channels.pagerduty.routingKeySecretArn,
      pagerdutyEnabled: config.channels.pagerduty.enabled,
      pagerdutyMinSeverity: config.channels.pagerduty.minSeverity,
      sms: { senderId: config.channels.sms.senderId },
      dashboardUrl: config.dashboardUrl,
    });
    monitoredFunctions.push({ name: 'slack-notifier', fn: delivery.slackNotifier.fn });
    const actions = config.actions.enabled
      ? this.createActionEndpoint(config, delivery, key, runtimeConfig)
      : undefined;
    if (actions) monitoredFunctions.push({ name: 'action-endpoint', fn: actions.fn.fn });
    deadLetterQueues.push({ name: 'slack-dlq', queue: delivery.slackDeadLetterQueue });
    if (delivery.pagerdutyNotifier && delivery.pagerdutyDeadLetterQueue) {
      monitoredFunctions.push({ name: 'pagerduty-notifier', fn: delivery.pagerdutyNotifier.fn });
      deadLetterQueues.push({ name: 'pagerduty-dlq', queue: delivery.pagerdutyDeadLetterQueue });
    }

    // Logs: the watched application's log groups and the pipeline's own, into OpenSearch.
    let logPipeline: LogPipeline | undefined;
    if (config.logs) {
      const domain = config.logs.domain;
      logPipeline = new LogPipeline(this, 'Logs', {
        domain:
          domain.kind === 'import'
            ? { kind: 'import', endpoint: domain.endpoint }
            : {
                kind: 'create',
                dataNodes: domain.dataNodes,
                dataNodeInstanceType: domain.instanceType,
                volumeSizeGiB: domain.volumeSizeGiB,
                dedicatedMasterNodes: domain.dedicatedMasterNodes,
                availabilityZones: domain.availabilityZones,
                removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
              },
        logGroupNames: config.logs.logGroups,
        createLogGroups: config.logs.createLogGroups,
        logGroupRemovalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        indexerConcurrency: config.reservedConcurrency.logIndexer,
        extraLogGroups: [
          { logGroup: this.alarmHandler.logGroup, category: 'system' },
          { logGroup: this.tick.logGroup, category: 'system' },
        ],
        retentionDays: config.logs.retentionDays,
        deadLetterKey: key,
      });
      monitoredFunctions.push({ name: 'log-indexer', fn: logPipeline.indexer.fn });
      // Incident diagnostics read the service's newest error lines (the responder only).
      logPipeline.grantSearch(this.incidentResponder.fn.role);
      this.incidentResponder.fn.addEnvironment(LOG_SEARCH_ENDPOINT_ENV, logPipeline.endpoint);
      deadLetterQueues.push({ name: 'log-indexer-dlq', queue: logPipeline.deadLetterQueue });
    }

    // Who watches the watcher: alarms on the pipeline itself page ops straight through SNS.
    let ops: SelfMonitoring | undefined;
    let dashboards: Dashboards | undefined;
    if (config.ops) {
      ops = new SelfMonitoring(this, 'SelfMonitoring', {
        namePrefix: prefix,
        encryptionKey: key,
        opsEmailSubscribers: config.ops.emails,
        opsSmsSubscribers: config.ops.sms,
        functions: monitoredFunctions,
        deadLetterQueues,
        channelTopics: CHANNELS.map((c) => ({ name: c, topic: this.channels.topics[c] })),
        tick: this.tick.fn,
        watchIndexerLag: config.logs !== undefined,
        watchEvaluatorFailures: this.ruleEvaluator !== undefined,
      });
      dashboards = new Dashboards(this, 'Dashboards', {
        namePrefix: prefix,
        catalog: config.catalog,
        services: dashboardServicesFromRules(config.rules),
        ruleAlarms: [...ruleAlarms.alarms.values()],
        pipelineAlarms: ops.alarms,
      });
    }
    // Sampling-rule names are unique per account and region: one per stage.
    new Tracing(this, 'Tracing', { ruleName: `${prefix}-sampling` });
    const mitigation = this.grantIncidentResponse(config);
    // A stage that keeps no data leaves nothing behind, including log groups CDK itself creates.
    if (!config.retainData) Aspects.of(this).add(new DeleteLogGroupsWithStack());

    new StackOutputs(this, 'Outputs', {
      stage: config.stage,
      table: this.table.table,
      topics: this.channels.topics,
      alarmDeadLetterQueue: this.alarmDeadLetterQueue,
      slackWebhookSecret: delivery.slackWebhookSecret,
      pagerdutyRoutingKeySecret: delivery.pagerdutyRoutingKeySecret,
      opsTopic: ops?.opsTopic,
      dashboardNames: [
        ...(dashboards ? [dashboards.overview.dashboardName] : []),
        ...(ops ? [ops.dashboardName] : []),
      ],
      logSearchEndpoint: logPipeline?.endpoint,
      logIndexer: logPipeline?.indexer.fn,
      restartRunbookName: mitigation.restartRunbook?.name,
      actionEndpoint: actions,
    });
  }

  /**
   * The action endpoint, and what the rest of the stack needs of it: the publishers sign email and
   * SMS links with its key, and the Slack forwarder puts buttons on the messages.
   */
  private createActionEndpoint(
    config: VigilConfig,
    delivery: DeliveryChannels,
    key: kms.IKey,
    runtimeConfig: unknown,
  ): ActionEndpoint {
    const actions = new ActionEndpoint(this, 'Actions', {
      namePrefix: `vigil-${config.stage}`,
      runtimeConfig,
      table: this.table.table,
      encryptionKey: key,
      pagerdutyTopic: config.channels.pagerduty.enabled ? this.channels.topics.pagerduty : undefined,
      slackSigningSecretArn: config.actions.slackSigningSecretArn,
      pagerdutyWebhookSecretArn: config.actions.pagerdutyWebhookSecretArn,
      rateLimit: config.actions.rateLimit,
      reservedConcurrency: config.reservedConcurrency.actionEndpoint,
    });
    for (const publisher of [
      this.alarmHandler,
      this.tick,
      ...(this.ruleEvaluator ? [this.ruleEvaluator] : []),
    ]) {
      actions.grantLinkSigning(publisher);
    }
    delivery.slackNotifier.addEnvironment(SLACK_ACTION_BUTTONS_ENV, 'true');
    return actions;
  }

  /**
   * Only the incident responder opens incidents: it reads metrics and traces for diagnostics and,
   * when mitigation really runs, starts exactly the configured actions. The paging functions hold
   * none of these permissions.
   */
  private grantIncidentResponse(config: VigilConfig): MitigationAutomation {
    const actions = alarmRules(config).flatMap((r) => (r.mitigation ? [r.mitigation] : []));
    const live = config.incidents.mitigation.enabled && !config.incidents.mitigation.dryRun;
    const automation = new MitigationAutomation(this, 'Mitigation', {
      stage: config.stage,
      rules: alarmRules(config),
      live,
    });
    const documents = [
      ...new Set(actions.flatMap((a) => (a.kind === 'ssm-automation' ? [a.documentName] : []))),
    ];
    const functions = [...new Set(actions.flatMap((a) => (a.kind === 'lambda' ? [a.functionArn] : [])))];
    const fn = this.incidentResponder.fn;
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'IncidentDiagnostics',
        actions: ['cloudwatch:GetMetricData', 'xray:GetTraceSummaries'],
        resources: ['*'],
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Incident diagnostics: cloudwatch:GetMetricData and xray:GetTraceSummaries support no resource-level permissions (read-only); X-Ray segment APIs likewise take no resource',
    });
    if (!live || actions.length === 0) return automation;
    // The hourly mitigation limit is a conditional counter item.
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'IncidentMitigationCounter',
        actions: ['dynamodb:UpdateItem'],
        resources: [this.table.table.tableArn],
      }),
    );
    if (documents.length > 0) {
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'IncidentMitigationAutomation',
          actions: ['ssm:StartAutomationExecution'],
          resources: documents.map((d) =>
            this.formatArn({ service: 'ssm', resource: 'automation-definition', resourceName: `${d}:*` }),
          ),
        }),
      );
      // Runbooks run as the automation role, never with this function's permissions.
      automation.grantPassRole(fn.role);
      if (automation.role) fn.addEnvironment(AUTOMATION_ROLE_ENV, automation.role.roleArn);
      for (const d of documents) {
        Validations.of(fn.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition/${d}:*]`,
          reason:
            'Mitigation starts only this configured SSM Automation document; ":*" is its version, which the execution picks',
        });
      }
    }
    if (functions.length > 0) {
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'IncidentMitigationLambda',
          actions: ['lambda:InvokeFunction'],
          resources: functions,
        }),
      );
    }
    return automation;
  }
}
