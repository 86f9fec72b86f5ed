/** Replays a scenario through the real handlers on a virtual clock and records what leaves the pipeline. */
import * as z from 'zod';
import type { Channel, Labels, NotificationStatus, Severity } from '../domain/alert';
import type { AlertRecord } from '../domain/alert-record';
import { extractAlarmDeliveries } from '../domain/alarm-event';
import { describeError } from '../domain/errors';
import { renderEmailSubject } from '../domain/format/email';
import { renderPagerDutyEvent } from '../domain/format/pagerduty';
import type { SlackMessage } from '../domain/format/slack';
import { renderSlack } from '../domain/format/slack';
import { renderSms } from '../domain/format/sms';
import { toSingleLine } from '../domain/format/text';
import type { DigestRecord } from '../domain/digest-record';
import { entriesFor } from '../domain/digest-record';
import type { Notification } from '../domain/notification';
import type { DeadLetterRecord, Log, Publisher } from '../domain/ports';
import type { EvaluationReport } from '../domain/evaluation/evaluator';
import type { RuntimeConfig } from '../domain/runtime-config';
import { formatIsoDuration } from './duration';
import type { ForwardOutcome } from './local-forwarders';
import { createLocalForwarders } from './local-forwarders';
import type { LocalPipeline, ReplayPipeline } from './local-pipeline';
import { startLocalPipeline } from './local-pipeline';
import type { EventKind, Scenario, ScenarioAction } from './scenario';
import { createLogsSource } from '../diagnostics/logs-source';
import { createMetricsSource } from '../diagnostics/metrics-source';
import { createTracesSource } from '../diagnostics/traces-source';
import type { DiagnosticsSources } from '../domain/diagnostics';
import type { Diagnostics, Incident, TimelineEntry as IncidentTimelineEntry } from '../domain/incident';
import type { IncidentMetrics } from '../domain/incidents';
import type { DynamoMeter } from './dynamo-meter';
import { SimulatedCloudWatch } from './simulated-cloudwatch';
import { scenarioLogSearch, SimulatedXRay } from './simulated-diagnostics';
import { ScenarioError } from './scenario';
import type { ScheduledDelivery } from './scenario-events';
import { scheduleDeliveries } from './scenario-events';

/** One message that left the pipeline (one SNS publish), as the replay prints it. */
export interface ReplayMessage {
  /** Virtual ISO time of the publish. */
  readonly at: string;
  readonly channel: Channel;
  readonly status: NotificationStatus;
  readonly severity: Severity;
  readonly groupKey: string;
  /** Every alarm the message covers: its listed alerts, or all of a storm digest's (from its stored list). */
  readonly alerts: readonly string[];
  /** The alarms of `alerts` that the message tells resolved. */
  readonly resolved: readonly string[];
  /** Why it was sent (first or changed group, repeat, escalation, storm digest, single alert). */
  readonly reason?: Notification['reason'];
  /** What a person sees first on the channel (Slack fallback text, email subject, SMS, PagerDuty summary). */
  readonly text: string;
}

/** One entry of the readable timeline. */
export type TimelineEntry =
  | {
      readonly type: 'message';
      readonly message: ReplayMessage;
      /** What the channel's forwarder made of it; absent when the channel is captured only. */
      readonly delivery?: ForwardOutcome;
    }
  | {
      readonly type: 'event';
      readonly at: string;
      readonly kind: EventKind;
      readonly attempt: number;
      readonly attempts: number;
      /** `alarm STATE` for each alarm in the event. */
      readonly changes: readonly string[];
      /** What the handler did: fired, resolved, duplicate, out-of-order, dead-lettered, failed... */
      readonly outcomes: readonly string[];
    }
  | {
      /**
       * An operator's acknowledgement or silence as the scenario scripts it, or a person acting from
       * a message (a Slack click) and what the action endpoint answered.
       */
      readonly type: 'action';
      readonly at: string;
      /** e.g. `ack vigil-dev-high-cpu-api by alice: scaling out`. */
      readonly text: string;
    };

/** An alert as the run left it. */
export interface ReplayAlert {
  readonly alarmName: string;
  readonly status: AlertRecord['status'];
  readonly severity: Severity;
  readonly labels: Labels;
}

/** Counts of a run. */
export interface ReplaySummary {
  /** Messages published per channel. */
  readonly notifications: Readonly<Record<Channel, number>>;
  /** Alerts whose final state is firing. */
  readonly alertsFiring: number;
  /** Alerts whose final state is resolved. */
  readonly alertsResolved: number;
  /** Forwarded messages the local receiver did not accept (0 when nothing is forwarded). */
  readonly undelivered: number;
}

/** Everything a run produced. */
export interface ReplayResult {
  readonly stage: string;
  readonly start: string;
  readonly duration: string;
  readonly messages: readonly ReplayMessage[];
  readonly timeline: readonly TimelineEntry[];
  readonly summary: ReplaySummary;
  /** Events the handler rejected as malformed, and notifications a forwarder dead-lettered. */
  readonly deadLettered: number;
  /** Alarm-handler invocations that failed (Lambda would retry them). */
  readonly failedInvocations: number;
  /** Channels whose messages were delivered through a forwarder; the others were captured only. */
  readonly forwardedChannels: readonly Channel[];
  /** Each minute's scheduled rule evaluation, when the scenario has metrics. @default - none */
  readonly evaluations?: readonly ReplayEvaluation[];
  /** Every alert in its final state. */
  readonly alerts: readonly ReplayAlert[];
  /** Incidents the run opened, oldest first. @default none when the config has no incidents */
  readonly incidents?: readonly ReplayIncident[];
  /** Peak resident memory of the local DynamoDB's own process, MB, when it can be read. */
  readonly localDynamoPeakRssMb?: number;
}

/** An incident as the replay reports it, with the MTTA/MTTR the pipeline published for it. */
export interface ReplayIncident {
  readonly id: string;
  readonly title: string;
  readonly service: string;
  readonly severity: Severity;
  readonly status: Incident['status'];
  readonly openedAt: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
  readonly resolvedAt?: string;
  /** Published time to acknowledge, seconds (once the incident resolved). */
  readonly mttaSeconds?: number;
  /** Published time to resolve, seconds. */
  readonly mttrSeconds?: number;
  readonly diagnostics?: Diagnostics;
  readonly timeline: readonly (Omit<IncidentTimelineEntry, 'at'> & { readonly at: string })[];
}

/** Diagnostics sources over the scenario's `metrics`, `logs` and `traces` sections; absent sections stay unwired. */
export function scenarioDiagnostics(
  scenario: Scenario,
  config: RuntimeConfig,
  region = 'eu-west-1',
): DiagnosticsSources {
  return {
    metrics:
      scenario.metrics.length > 0
        ? createMetricsSource(SimulatedCloudWatch.fromScenario(scenario), {
            metrics: config.incidents?.metrics ?? {},
            region,
          })
        : undefined,
    logs:
      scenario.logs.length > 0
        ? createLogsSource(scenarioLogSearch(scenario.logs, scenario.start))
        : undefined,
    traces:
      scenario.traces.length > 0
        ? createTracesSource(new SimulatedXRay(scenario.traces, scenario.start), { region })
        : undefined,
  };
}

function toReplayIncident(
  incident: Incident,
  published: ReadonlyMap<string, { mttaSeconds?: number; mttrSeconds: number }>,
): ReplayIncident {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const times = published.get(incident.id);
  return {
    id: incident.id,
    title: incident.title,
    service: incident.service,
    severity: incident.severity,
    status: incident.status,
    openedAt: new Date(incident.openedAt).toISOString(),
    acknowledgedAt: iso(incident.acknowledgedAt),
    acknowledgedBy: incident.acknowledgedBy,
    resolvedAt: iso(incident.resolvedAt),
    mttaSeconds: times?.mttaSeconds,
    mttrSeconds: times?.mttrSeconds,
    diagnostics: incident.diagnostics,
    timeline: incident.timeline.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
  };
}

/** One evaluation of the scheduled rules during a replay. */
export interface ReplayEvaluation {
  /** Virtual ISO time of the evaluation minute. */
  readonly at: string;
  /** Rule instances per phase (pending, fired, held, resolved, ...). */
  readonly phases: EvaluationReport['phases'];
  readonly calls: number;
  readonly queries: number;
  /** `rule/target: reason` of each instance that could not be evaluated. */
  readonly failures: readonly string[];
}

/** The config with only the scheduled rules a scenario names; errors name `scheduledRules[i]`. */
export function selectScheduledRules(
  config: RuntimeConfig,
  ids: readonly string[] | undefined,
): RuntimeConfig {
  if (ids === undefined) return config;
  const known = [...new Set(config.evaluator.instances.map((i) => i.ruleId))];
  ids.forEach((id, i) => {
    if (!known.includes(id)) {
      throw new ScenarioError(
        `scheduledRules[${i}]: "${id}" is not a scheduled rule of the config; allowed: ${known.join(', ')}`,
      );
    }
  });
  const instances = config.evaluator.instances.filter((i) => ids.includes(i.ruleId));
  return { ...config, evaluator: { ...config.evaluator, instances } };
}

/** A log line of the run, at virtual time. */
export interface ReplayLogEntry {
  readonly at: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra?: Record<string, unknown>;
}

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  readonly config: RuntimeConfig;
  /**
   * Base URL of a receiver standing in for Slack and PagerDuty: their messages then also go through
   * the forwarder Lambdas. @default - no forwarding: messages are captured at the publish only
   */
  readonly forwardTo?: string;
  /** Receives every log line of the handlers. @default - lines are dropped */
  readonly onLog?: (entry: ReplayLogEntry) => void;
  /** Directory that keeps the run's DynamoDB state for the operator CLI. @default - in memory */
  readonly statePath?: string;
  /** Counts the DynamoDB operations of the run, in its virtual time. @default none */
  readonly meter?: DynamoMeter;
}

/** An operator action in the scenario could not be carried out; the replay stops. */
export class ReplayActionError extends Error {
  public readonly code = 'ACTION_FAILED';

  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplayActionError';
  }
}

/** The first line a person reads on the channel, on one line. */
export function channelText(n: Notification): string {
  return toSingleLine(renderedText(n));
}

function renderedText(n: Notification): string {
  switch (n.channel) {
    case 'slack':
      return renderSlack(n).text;
    case 'email':
      return renderEmailSubject(n);
    case 'sms':
      return renderSms(n);
    case 'pagerduty': {
      const event = renderPagerDutyEvent(n);
      return event.payload?.summary ?? `${event.event_action} ${event.dedup_key}`;
    }
  }
}

/** The replay view of a published notification; a digest names every alarm of its stored list. */
export function toReplayMessage(at: number, n: Notification, digest?: DigestRecord): ReplayMessage {
  const covered = digest
    ? entriesFor(digest, n.channel)
    : n.alerts.map((a) => ({ alarmName: a.alarmName, status: a.status }));
  return {
    at: new Date(at).toISOString(),
    channel: n.channel,
    status: n.status,
    severity: n.severity,
    groupKey: n.groupKey,
    alerts: covered.map((a) => a.alarmName),
    resolved: covered.filter((a) => a.status === 'resolved').map((a) => a.alarmName),
    reason: n.reason,
    text: channelText(n),
  };
}

type Step =
  | { readonly at: number; readonly type: 'delivery'; readonly delivery: ScheduledDelivery }
  | { readonly at: number; readonly type: 'action'; readonly action: ScenarioAction }
  | { readonly at: number; readonly type: 'tick' };

// Events and actions due at an instant run before that instant's tick, as a sweep sees what is due.
function planSteps(scenario: Scenario): Step[] {
  const steps: Step[] = [
    ...scheduleDeliveries(scenario).map((delivery): Step => ({
      at: delivery.at,
      type: 'delivery',
      delivery,
    })),
    ...scenario.actions.map((action): Step => ({ at: action.at, type: 'action', action })),
  ];
  steps.sort((a, b) => a.at - b.at);
  const end = Math.max(scenario.duration, ...steps.map((s) => s.at));
  const ticks: Step[] = [];
  for (let t = 60_000; t <= end; t += 60_000) ticks.push({ at: t, type: 'tick' });
  return [...steps, ...ticks].sort(
    (a, b) => a.at - b.at || (a.type === 'tick' ? 1 : 0) - (b.type === 'tick' ? 1 : 0),
  );
}

function describeChanges(payload: unknown): string[] {
  return extractAlarmDeliveries(payload).deliveries.map((d) =>
    d.change ? `${d.change.alarmName} ${d.change.state}` : 'malformed event',
  );
}

function outcomeOf(entry: ReplayLogEntry): string | undefined {
  const extra = entry.extra ?? {};
  if (entry.message === 'transition applied' && typeof extra['effect'] === 'string') {
    // A severity chosen from related metrics says which and why: "fired (critical: memory_usage = 95 > 90)".
    const why = extra['severityReason'];
    return typeof why === 'string' && why !== '' ? `${extra['effect']} (${why})` : extra['effect'];
  }
  if (entry.message === 'transition ignored' && typeof extra['reason'] === 'string') return extra['reason'];
  if (entry.message === 'malformed alarm event rejected') return 'dead-lettered';
  return undefined;
}

/** The newest Slack message that told of the alarm firing, as Slack shows it (with its buttons). */
function slackMessageOf(
  captured: readonly { notification: Notification }[],
  alarmName: string,
): SlackMessage | undefined {
  const told = captured
    .filter(
      (c) =>
        c.notification.channel === 'slack' &&
        c.notification.status === 'firing' &&
        // the evidence update that follows a page carries no buttons
        c.notification.evidence === undefined &&
        c.notification.alerts.some((a) => a.alarmName === alarmName),
    )
    .at(-1);
  return told && renderSlack(told.notification, { actionButtons: true });
}

/** What the endpoint's refusal says, e.g. `409 REPLAYED`. */
function refusalOf(status: number, body: string): string {
  const parsed = z
    .object({ error: z.object({ code: z.string(), message: z.string() }) })
    .safeParse(safeJson(body));
  return parsed.success
    ? `${status} ${parsed.data.error.code}: ${parsed.data.error.message}`
    : String(status);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Carries out an operator action; a Slack click returns the timeline line it makes. */
async function runAction(
  pipeline: ReplayPipeline,
  action: ScenarioAction,
  captured: readonly { notification: Notification }[],
): Promise<string | undefined> {
  const name = action.ack !== undefined ? 'ack' : action.silence !== undefined ? 'silence' : 'slackClick';
  try {
    if (action.ack !== undefined) await pipeline.ack(action.ack);
    else if (action.silence !== undefined) await pipeline.silence(action.silence);
    else if (action.slackClick !== undefined) {
      const click = action.slackClick;
      const message = slackMessageOf(captured, click.alarmName);
      if (message === undefined) throw new Error(`no Slack message told of ${click.alarmName} firing`);
      if (pipeline.slackClick === undefined) throw new Error('this pipeline has no action endpoint');
      const answer = await pipeline.slackClick(click, message);
      if (answer.status !== 200)
        throw new Error(`the action endpoint refused it: ${refusalOf(answer.status, answer.body)}`);
      const updated = answer.updates.length > 0 ? '; message updated, buttons removed' : '';
      return `slack click ${click.button} on ${click.alarmName} by ${click.user.id} (${click.user.name}) -> ${answer.status}${updated}`;
    }
    return undefined;
  } catch (cause) {
    throw new ReplayActionError(
      `action ${name} at ${formatIsoDuration(action.at)}: ${describeError(cause).message}`,
      { cause },
    );
  }
}

function describeAction(action: ScenarioAction): string {
  const by = (who: string | undefined, comment: string | undefined): string =>
    `${who === undefined ? '' : ` by ${who}`}${comment === undefined ? '' : `: ${comment}`}`;
  if (action.ack !== undefined) return `ack ${action.ack.alarmName}${by(action.ack.by, action.ack.comment)}`;
  const s = action.silence;
  if (s === undefined) return 'action';
  const matchers = s.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ');
  return `silence ${matchers} for ${formatIsoDuration(s.duration)}${by(s.by, s.comment)}`;
}

/** Replays the scenario on dynalite and returns the messages, the timeline and the summary. */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ReplayResult> {
  let now = scenario.start;
  const clock = (): number => now;
  const captured: { at: number; notification: Notification }[] = [];
  const publisher: Publisher = {
    publish: (_channel, notification) => {
      captured.push({ at: now, notification });
      return Promise.resolve();
    },
  };
  const deadLetters: DeadLetterRecord[] = [];
  let invocationLog: ReplayLogEntry[] = [];
  const at =
    (level: ReplayLogEntry['level']) =>
    (message: string, extra?: Record<string, unknown>): void => {
      const entry: ReplayLogEntry = { at: new Date(now).toISOString(), level, message, extra };
      invocationLog.push(entry);
      options.onLog?.(entry);
    };
  const log: Log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };

  const timeline: TimelineEntry[] = [];
  const messages: ReplayMessage[] = [];
  let forwardedUpTo = 0;
  let undelivered = 0;
  let failedInvocations = 0;

  const drainCaptured = async (): Promise<void> => {
    for (; forwardedUpTo < captured.length; forwardedUpTo++) {
      const item = captured[forwardedUpTo];
      if (item === undefined) continue;
      const digestId = item.notification.digest?.id;
      const digest = digestId === undefined ? undefined : await pipeline.digest(digestId);
      const message = toReplayMessage(item.at, item.notification, digest);
      messages.push(message);
      const forwarder = forwarders.get(item.notification.channel);
      if (forwarder === undefined) {
        timeline.push({ type: 'message', message });
        continue;
      }
      const delivery = await forwarder.forward(item.notification);
      if (delivery === 'undelivered') undelivered++;
      timeline.push({ type: 'message', message, delivery });
    }
  };

  const deadLetter = { send: (record: DeadLetterRecord) => Promise.resolve(void deadLetters.push(record)) };
  // Scheduled rules run only when the scenario gives them metrics to read.
  const evaluating = scenario.metrics.length > 0;
  const evaluations: ReplayEvaluation[] = [];
  const publishedTimes = new Map<string, { mttaSeconds?: number; mttrSeconds: number }>();
  const incidentMetrics: IncidentMetrics = {
    incidentResolved: (incident, times) => void publishedTimes.set(incident.id, times),
    evidenceSent: () => undefined,
  };
  const pipeline: LocalPipeline = await startLocalPipeline({
    config: evaluating ? selectScheduledRules(options.config, scenario.scheduledRules) : options.config,
    clock,
    publisher,
    deadLetter,
    log,
    statePath: options.statePath,
    metricData: evaluating ? SimulatedCloudWatch.fromScenario(scenario) : undefined,
    // Severity ladders read the same series; a scenario without them leaves rules their own severity.
    alarmMetricData: SimulatedCloudWatch.fromScenario(scenario),
    diagnostics: scenarioDiagnostics(scenario, options.config),
    incidentMetrics,
    meter: options.meter,
  });
  options.meter?.useClock(clock);
  const forwarders = new Map(
    (options.forwardTo === undefined
      ? []
      : createLocalForwarders(options.forwardTo, { ledger: pipeline.ledger, deadLetter, log, clock })
    ).map((f) => [f.channel, f]),
  );
  try {
    for (const step of planSteps(scenario)) {
      now = scenario.start + step.at;
      invocationLog = [];
      if (step.type === 'tick') {
        // The evaluator and the tick share the minute; the tick folds what the evaluator changed.
        const report = evaluating ? await pipeline.evaluate?.() : undefined;
        if (report !== undefined) {
          evaluations.push({
            at: new Date(report.evaluatedAt).toISOString(),
            phases: report.phases,
            calls: report.calls,
            queries: report.queries,
            failures: report.failures.map((f) => `${f.ruleId}/${f.target}: ${f.reason}`),
          });
          await drainCaptured();
        }
        await pipeline.tick();
      } else if (step.type === 'action') {
        const text = await runAction(pipeline, step.action, captured);
        timeline.push({
          type: 'action',
          at: new Date(now).toISOString(),
          text: text ?? describeAction(step.action),
        });
      } else {
        const { delivery } = step;
        let failure: string | undefined;
        try {
          await pipeline.invokeAlarmHandler(delivery.payload);
        } catch (error) {
          failedInvocations++;
          failure = `failed: ${describeError(error).message}`;
        }
        const outcomes = invocationLog.flatMap((e) => outcomeOf(e) ?? []);
        timeline.push({
          type: 'event',
          at: new Date(now).toISOString(),
          kind: delivery.kind,
          attempt: delivery.attempt,
          attempts: delivery.attempts,
          changes: describeChanges(delivery.payload),
          outcomes: failure === undefined ? outcomes : [...outcomes, failure],
        });
      }
      await drainCaptured();
      // The responder runs after the page, at the same virtual instant: its evidence follows.
      const responded = await pipeline.respond?.();
      if (responded !== undefined) {
        // A responder delivery that failed is a failed invocation like a handler's (SQS redelivers it).
        failedInvocations += responded.failed;
        await drainCaptured();
      }
    }
    const alerts = await pipeline.finalAlerts();
    const notifications: Record<Channel, number> = { slack: 0, email: 0, sms: 0, pagerduty: 0 };
    for (const m of messages) notifications[m.channel]++;
    return {
      stage: options.config.stage,
      start: new Date(scenario.start).toISOString(),
      duration: formatIsoDuration(scenario.duration),
      messages,
      timeline,
      summary: {
        notifications,
        alertsFiring: alerts.filter((a) => a.status === 'firing').length,
        alertsResolved: alerts.filter((a) => a.status === 'resolved').length,
        undelivered,
      },
      alerts: alerts.map((a) => ({
        alarmName: a.alarmName,
        status: a.status,
        severity: a.severity,
        labels: a.labels,
      })),
      deadLettered: deadLetters.length,
      failedInvocations,
      forwardedChannels: [...forwarders.keys()],
      ...(evaluating ? { evaluations } : {}),
      ...(options.config.incidents
        ? { incidents: (await pipeline.finalIncidents()).map((i) => toReplayIncident(i, publishedTimes)) }
        : {}),
      localDynamoPeakRssMb: pipeline.localDynamoPeakRssMb(),
    };
  } finally {
    await pipeline.stop();
  }
}
