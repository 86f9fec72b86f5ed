/**
 * The alert path and the action endpoint on real local peers: dynalite for DynamoDB, the alarm
 * handler and the tick on a virtual clock, the Slack and PagerDuty forwarders posting to a local
 * HTTP receiver (which is also Slack's response_url), and the action endpoint's Lambda handler
 * served over HTTP on 127.0.0.1.
 */
import { createHash, createHmac } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createActionHandler } from '../../functions/action-endpoint/create-handler';
import { createResponseUrlPoster } from '../../shared/adapters/action-endpoint-wiring';
import { createActionLinks } from '../../shared/adapters/action-links';
import { DynamoActionClaims, DynamoAuditLog } from '../../shared/adapters/dynamo-action-store';
import { DynamoDeliveryLedger } from '../../shared/adapters/delivery-ledger';
import { DynamoAlertStore } from '../../shared/adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../../shared/adapters/dynamo-group-store';
import { DynamoIncidentStore } from '../../shared/adapters/dynamo-incident-store';
import { deriveRuntimeConfig } from '../../infra/config/derive';
import { loadStageConfig } from '../../infra/config/stages';
import type { SlackActionId } from '../../shared/domain/actions/slack-interaction';
import type { Channel } from '../../shared/domain/alert';
import { processAlarmInvocation } from '../../shared/domain/alarm-invocation';
import type { AlertServiceDeps } from '../../shared/domain/alert-service';
import type { SnsEnvelope } from '../../shared/domain/format/sns-message';
import { renderSnsEnvelope } from '../../shared/domain/format/sns-message';
import type { SlackMessage } from '../../shared/domain/format/slack';
import { renderSlack } from '../../shared/domain/format/slack';
import { createIncidentHooks } from '../../shared/domain/incidents';
import type { ResponderDeps } from '../../shared/domain/incident-response';
import { sdkDocTable } from '../../shared/adapters/dynamo-sdk-table';
import { LocalSignalQueue } from '../../shared/replay/local-signal-queue';
import type { Notification } from '../../shared/domain/notification';
import { fingerprintOfAlarm } from '../../shared/domain/operator';
import type { Publisher } from '../../shared/domain/ports';
import type { RuntimeConfig } from '../../shared/domain/runtime-config';
import { createSilenceCheck } from '../../shared/domain/silence';
import { runTick } from '../../shared/domain/tick/run-tick';
import { stormingRoutesFrom } from '../../shared/domain/tick/storm';
import { alarmActionEvent } from '../../shared/replay/alarm-events';
import { startLocalActionServer } from '../../shared/replay/local-action-server';
import { createLocalForwarders } from '../../shared/replay/local-forwarders';
import type { SlackUser } from '../../shared/replay/slack-click';
import { signedSlackClick } from '../../shared/replay/slack-click';
import { createAlertTable, startDynalite } from './dynalite';
import { recordingLog } from './fixtures';
import { startHttpReceiver } from './http-receiver';

/** The secrets of the local endpoint (test values, nothing real). */
export const TEST_SECRETS = {
  slackSigning: 'test-slack-signing-secret-8f14e45f',
  pagerdutyWebhook: 'test-pagerduty-webhook-secret-c9f0f895',
  linkKey: 'test-link-signing-key-45c48cce2e2d7fbdea1afc51c7c6ad26',
} as const;

/** The prod stage's runtime config (PagerDuty on) where warnings open incidents too. */
export function actionConfig(): RuntimeConfig {
  const config = deriveRuntimeConfig(loadStageConfig('prod'));
  if (!config.incidents) throw new Error('the prod stage has incidents');
  return { ...config, incidents: { ...config.incidents, minSeverity: 'warning' } };
}

/** One publish, as SNS received it. */
export interface Published {
  readonly at: number;
  readonly channel: Channel;
  readonly notification: Notification;
  /** The SNS message: the email and SMS bodies carry the one-click links. */
  readonly envelope: SnsEnvelope;
}

/** An HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
}

/** Starts everything; `stop()` ends it. */
export async function startActionHarness(
  options: { readonly config?: RuntimeConfig; readonly start?: number } = {},
) {
  const config = options.config ?? actionConfig();
  let now = options.start ?? Date.UTC(2026, 10, 26, 14, 0, 0);
  const clock = (): number => now;
  const dynamo = await startDynalite();
  const tableName = 'vigil-actions-test';
  await createAlertTable(dynamo.client, tableName);
  const scanDoc = DynamoDBDocumentClient.from(dynamo.client);
  const doc = sdkDocTable(dynamo.client);
  const log = recordingLog();
  const store = new DynamoAlertStore(doc, { tableName, historyRetentionDays: config.historyRetentionDays });
  const groups = new DynamoGroupStore(doc, tableName);
  const incidentStore = new DynamoIncidentStore(doc, { tableName, retentionDays: 90 });
  const settings = config.incidents;
  if (!settings) throw new Error('the harness needs a config with incidents');
  const audit = new DynamoAuditLog(doc, { tableName, retentionDays: 30 });
  const claims = new DynamoActionClaims(doc, tableName);
  const receiver = await startHttpReceiver();
  const forwarders = new Map(
    createLocalForwarders(
      receiver.url,
      {
        ledger: new DynamoDeliveryLedger(doc, { tableName }),
        deadLetter: { send: () => Promise.resolve() },
        log,
        clock,
      },
      { slack: { actionButtons: true } },
    ).map((f) => [f.channel, f]),
  );
  const baseUrl = 'https://actions.vigil.test';
  const actionLinks = createActionLinks({
    config,
    baseUrl,
    key: () => Promise.resolve(TEST_SECRETS.linkKey),
    clock,
    log,
  });
  const published: Published[] = [];
  const publisher: Publisher = {
    publish: async (channel, notification) => {
      const links = channel === 'email' || channel === 'sms' ? await actionLinks?.(notification) : undefined;
      published.push({ at: now, channel, notification, envelope: renderSnsEnvelope(notification, links) });
      // SNS hands Slack and PagerDuty messages to their forwarder Lambdas.
      await forwarders.get(channel)?.forward(notification);
    },
  };
  // Incidents open in the responder after the page, fed by a stand-in for its queue.
  const queue = new LocalSignalQueue(clock);
  const responder: ResponderDeps = {
    settings,
    incidents: incidentStore,
    pointers: incidentStore,
    alerts: store,
    clock,
    log,
    publisher,
  };
  let invocation = 0;
  const service = (): AlertServiceDeps => ({
    config,
    store,
    publisher,
    clock,
    log,
    claimant: `req-${++invocation}`,
    signals: queue,
    isSilenced: createSilenceCheck((t) => groups.listSilences(t, 0), clock, 0),
    stormingRoutes: stormingRoutesFrom(() => groups.getTickState()),
  });
  // The endpoint gets its own client, wired as its Lambda wires it, so what it asks of DynamoDB is
  // recorded and can be held against what its role is granted.
  const endpointClient = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const endpointCalls: DynamoCall[] = [];
  recordDynamoCalls(endpointClient, endpointCalls);
  const endpointDoc = sdkDocTable(endpointClient);
  const endpointStore = new DynamoAlertStore(endpointDoc, {
    tableName,
    historyRetentionDays: config.historyRetentionDays,
  });
  const endpointIncidents = new DynamoIncidentStore(endpointDoc, { tableName, retentionDays: 90 });
  const handler = createActionHandler({
    config,
    store: endpointStore,
    groups: new DynamoGroupStore(endpointDoc, tableName),
    incidents: endpointIncidents,
    incidentHooks: createIncidentHooks({
      settings,
      incidents: endpointIncidents,
      pointers: endpointIncidents,
      alerts: endpointStore,
      clock,
      log,
    }),
    audit: new DynamoAuditLog(endpointDoc, { tableName, retentionDays: 30 }),
    claims: new DynamoActionClaims(endpointDoc, tableName),
    publish: {
      service: { config, store: endpointStore, publisher, clock, log, claimant: 'action-endpoint' },
      canPublish: () => true,
    },
    secrets: {
      slackSigning: () => Promise.resolve(TEST_SECRETS.slackSigning),
      pagerdutyWebhook: () => Promise.resolve(TEST_SECRETS.pagerdutyWebhook),
      linkKey: () => Promise.resolve(TEST_SECRETS.linkKey),
    },
    postJson: createResponseUrlPoster({ now: clock }),
    isAllowedResponseUrl: (url) => url.startsWith(`${receiver.url}/response/`),
    clock,
    log,
  });
  const server = await startLocalActionServer(handler);
  const iso = (t: number) => new Date(t).toISOString().replace('Z', '+0000');

  const send = async (
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await fetch(`${server.url}${path}`, { method, headers, body, redirect: 'manual' });
    return { status: res.status, body: await res.text(), headers: res.headers };
  };

  const harness = {
    config,
    store,
    groups,
    incidents: incidentStore,
    audit,
    claims,
    receiver,
    server,
    log,
    published,
    /** Every DynamoDB request the endpoint's handler made. */
    endpointCalls,
    baseUrl,
    now: clock,
    /** Moves the virtual clock. */
    advance(ms: number) {
      now += ms;
    },
    fingerprint: (alarmName: string) => fingerprintOfAlarm(config, alarmName),
    /** An alarm-action event for a state change now, through the alarm handler. */
    async alarm(name: string, state: 'ALARM' | 'OK') {
      await processAlarmInvocation(
        { ...service(), deadLetter: { send: () => Promise.resolve() } },
        alarmActionEvent(name, state, iso(now), {
          state: state === 'ALARM' ? 'OK' : 'ALARM',
          timestamp: iso(now - 60_000),
        }),
      );
      await queue.drain(responder);
    },
    /** One run of the tick. */
    async tick() {
      await runTick({ ...service(), groups });
      await queue.drain(responder);
    },
    /** Ticks every minute for `minutes` virtual minutes. */
    async run(minutes: number) {
      for (let i = 0; i < minutes; i++) {
        now += 60_000;
        await runTick({ ...service(), groups });
        await queue.drain(responder);
      }
    },
    /** Publishes on a channel, optionally since a time. */
    on: (channel: Channel, since = 0) =>
      published.filter((p) => p.channel === channel && p.at >= since).map((p) => p.notification),
    /** What the Slack webhook received, parsed. */
    slackPosts: (): SlackMessage[] =>
      receiver.requests.filter((r) => r.path === '/slack').map((r) => JSON.parse(r.body) as SlackMessage),
    /** What the PagerDuty Events API received, parsed (routing key included, as PagerDuty sees it). */
    pagerdutyEvents: (): Record<string, unknown>[] =>
      receiver.requests
        .filter((r) => r.path === '/pagerduty')
        .map((r) => JSON.parse(r.body) as Record<string, unknown>),
    /** The bodies posted to response_url. */
    responses: () => receiver.requests.filter((r) => r.path.startsWith('/response/')),
    /** The newest Slack message the forwarder rendered for the alarm (as the webhook got it). */
    slackMessageOf(alarmName: string): SlackMessage {
      const n = published
        .filter(
          (p) =>
            p.channel === 'slack' &&
            p.notification.status === 'firing' &&
            // the evidence update that follows a page carries no buttons
            p.notification.evidence === undefined &&
            p.notification.alerts.some((a) => a.alarmName === alarmName),
        )
        .at(-1);
      if (!n) throw new Error(`no Slack message names ${alarmName}`);
      return renderSlack(n.notification, { actionButtons: true });
    },
    /** A signed click on a button of the alarm's newest Slack message, as Slack sends it. */
    slackClick(
      alarmName: string,
      actionId: SlackActionId,
      user: SlackUser = { id: 'U0ANA', name: 'ana' },
      at = now,
    ) {
      return signedSlackClick({
        message: harness.slackMessageOf(alarmName),
        actionId,
        user,
        responseUrl: `${receiver.url}/response/T0VIGIL/${createHash('sha256').update(String(at)).digest('hex').slice(0, 12)}`,
        signingSecret: TEST_SECRETS.slackSigning,
        at,
      });
    },
    /** A PagerDuty v3 webhook body and its signature header. */
    pagerdutyWebhook(
      type: string,
      incidentKey: string,
      options: { id?: string; occurredAt?: number; agent?: { id: string; summary: string } } = {},
    ) {
      const body = JSON.stringify({
        event: {
          id:
            options.id ??
            `01${createHash('sha256').update(`${type}${incidentKey}${now}`).digest('hex').slice(0, 24).toUpperCase()}`,
          event_type: type,
          resource_type: 'incident',
          occurred_at: new Date(options.occurredAt ?? now).toISOString(),
          agent: {
            html_url: 'https://vigil.pagerduty.com/users/PXYZ123',
            id: options.agent?.id ?? 'PXYZ123',
            self: 'https://api.pagerduty.com/users/PXYZ123',
            summary: options.agent?.summary ?? 'Ana Lee',
            type: 'user_reference',
          },
          client: null,
          data: {
            id: 'Q1ABCDEF',
            type: 'incident',
            self: 'https://api.pagerduty.com/incidents/Q1ABCDEF',
            html_url: 'https://vigil.pagerduty.com/incidents/Q1ABCDEF',
            number: 42,
            status: type === 'incident.resolved' ? 'resolved' : 'acknowledged',
            incident_key: incidentKey,
            created_at: new Date(now - 600_000).toISOString(),
            title: '[prod] checkout: error rate above 5%',
            service: { id: 'PSVC001', type: 'service_reference', summary: 'Vigil prod' },
          },
        },
      });
      const signature = createHmac('sha256', TEST_SECRETS.pagerdutyWebhook).update(body).digest('hex');
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'x-pagerduty-signature': `v1=${'0'.repeat(64)},v1=${signature}`,
        },
      };
    },
    send,
    post: (path: string, body: string | Buffer, headers: Record<string, string>) =>
      send('POST', path, body, headers),
    get: (path: string) => send('GET', path),
    /** Every item of the table, keyed and sorted: what "state unchanged" is checked against. */
    async snapshot(): Promise<string> {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await scanDoc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      const keyOf = (i: Record<string, unknown>) => `${String(i['pk'])}|${String(i['sk'])}`;
      return JSON.stringify(items.sort((a, b) => keyOf(a).localeCompare(keyOf(b))));
    },
    async stop() {
      await server.stop();
      endpointClient.destroy();
      await receiver.stop();
      await dynamo.stop();
    },
  };
  return harness;
}

/** One DynamoDB request: the API action and the partition key it names (for a Query, the key it queries). */
export interface DynamoCall {
  readonly action: string;
  readonly pk: string | undefined;
  readonly index: string | undefined;
}

/** The partition-key value a low-level request names: `Key.pk`, `Item.pk` or a Query's `pk = :v`. */
function partitionKeyOf(input: Record<string, unknown>): string | undefined {
  const attr = (v: unknown): string | undefined =>
    typeof v === 'object' && v !== null && 'S' in v && typeof v.S === 'string' ? v.S : undefined;
  const field = (o: unknown, name: string): unknown =>
    typeof o === 'object' && o !== null && name in o ? (o as Record<string, unknown>)[name] : undefined;
  const direct = attr(field(input['Key'], 'pk')) ?? attr(field(input['Item'], 'pk'));
  if (direct !== undefined) return direct;
  const condition = input['KeyConditionExpression'];
  if (typeof condition !== 'string') return undefined;
  const names = input['ExpressionAttributeNames'];
  const match = /(#?\w+)\s*=\s*(:\w+)/.exec(condition);
  if (!match?.[1] || !match[2]) return undefined;
  const keyName = match[1].startsWith('#') ? field(names, match[1]) : match[1];
  return keyName === 'pk'
    ? attr(field(input['ExpressionAttributeValues'], match[2]))
    : `(${String(keyName)})`;
}

/** Records each request `client` sends: its action (`GetItem`, `Query`, ...) and partition key. */
function recordDynamoCalls(client: DynamoDBClient, calls: DynamoCall[]): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args.input ?? {}) as Record<string, unknown>;
      const index = input['IndexName'];
      calls.push({
        action: String(context.commandName).replace(/Command$/, ''),
        pk: partitionKeyOf(input),
        index: typeof index === 'string' ? index : undefined,
      });
      return next(args);
    },
    { step: 'build', name: 'recordEndpointCalls' },
  );
}

/** A running harness. */
export type ActionHarness = Awaited<ReturnType<typeof startActionHarness>>;
