import type { SQSEvent } from 'aws-lambda';
import { createIncidentResponder } from '../../../functions/incident-responder/create-handler';
import type { Channel } from '../../../shared/domain/alert';
import type { AlarmStateChange } from '../../../shared/domain/alarm-event';
import type { AlertServiceDeps } from '../../../shared/domain/alert-service';
import { handleAlarmChange } from '../../../shared/domain/alert-service';
import type { DiagnosticsCollector, DiagnosticsSources } from '../../../shared/domain/diagnostics';
import type { ResponderDeps } from '../../../shared/domain/incident-response';
import type { IncidentSignal, IncidentSignalSink } from '../../../shared/domain/incident-signal';
import type { Notification } from '../../../shared/domain/notification';
import type { DeadLetterRecord } from '../../../shared/domain/ports';
import { incidentsRuntimeSchema } from '../../../shared/domain/runtime-config';
import { LocalSignalQueue } from '../../../shared/replay/local-signal-queue';
import { devRuntimeConfig, recordingLog } from '../../support/fixtures';
import { MemoryAlertStore } from '../../support/memory-alert-store';
import { MemoryIncidentStore } from '../../support/memory-incident-store';

const T0 = Date.UTC(2026, 10, 26, 14, 0);
const CRITICAL = 'vigil-dev-high-error-rate-checkout';

function firing(at: number): AlarmStateChange {
  return {
    source: 'alarm-action',
    alarmName: CRITICAL,
    kind: 'metric',
    state: 'ALARM',
    timestamp: at,
    reason: 'Threshold Crossed',
  };
}

/** A source that answers only when released (or never). */
function hangingSource(calls: string[], name: string, gate: Promise<void>): DiagnosticsCollector {
  return async () => {
    calls.push(name);
    await gate;
    return {
      summary: `${name} found something`,
      links: [{ label: name, url: `https://example.com/${name}` }],
    };
  };
}

function setup(options: { sources?: DiagnosticsSources; budgetMs?: number; sink?: IncidentSignalSink } = {}) {
  const clock = () => T0;
  const store = new MemoryAlertStore();
  const incidents = new MemoryIncidentStore();
  const published: { channel: Channel; notification: Notification }[] = [];
  const log = recordingLog();
  const queue = new LocalSignalQueue(clock);
  const budget = options.budgetMs ?? 10_000;
  const settings = incidentsRuntimeSchema.parse({
    diagnostics: { windowSeconds: 1800, budgetMs: { metrics: budget, logs: budget, traces: budget } },
  });
  const publisher = {
    publish: (channel: Channel, notification: Notification) =>
      Promise.resolve(void published.push({ channel, notification })),
  };
  const deps: AlertServiceDeps = {
    config: { ...devRuntimeConfig(), incidents: settings },
    store,
    publisher,
    clock,
    log,
    claimant: 'req-1',
    signals: options.sink ?? queue,
  };
  const responder: ResponderDeps = {
    settings,
    incidents,
    pointers: incidents,
    alerts: store,
    clock,
    log,
    diagnostics: options.sources ?? {},
    publisher,
  };
  return { deps, responder, queue, incidents, published };
}

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition never held');
};

describe('every diagnostics source hangs', () => {
  it('the page is published before any source answers; the evidence follows when they do', async () => {
    // Arrange
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const s = setup({
      sources: {
        metrics: hangingSource(calls, 'metrics', gate),
        logs: hangingSource(calls, 'logs', gate),
        traces: hangingSource(calls, 'traces', gate),
      },
    });
    // Act: the alarm handler's part
    const outcome = await handleAlarmChange(s.deps, firing(T0));
    // Assert: paged, no source even asked yet
    expect([...outcome.published].sort()).toEqual(['email', 'pagerduty', 'slack']);
    expect(calls).toEqual([]);
    expect(s.queue.depth).toBe(1);
    // Act: the responder runs; every source hangs
    const draining = s.queue.drain(s.responder);
    await until(() => calls.length === 3);
    // Assert: still only the pages
    expect(s.published.map((p) => p.notification.reason)).toEqual(['alert', 'alert', 'alert']);
    // Act: the sources answer
    release();
    await draining;
    // Assert: the update follows on Slack and email, naming the page
    const evidence = s.published.filter((p) => p.notification.reason === 'evidence');
    expect(evidence.map((p) => p.channel)).toEqual(['slack', 'email']);
    const page = s.published[0]?.notification;
    expect(evidence[0]?.notification.evidence?.page.id).toBe(page?.id.replace(/:slack$/, ''));
    expect(evidence[0]?.notification.evidence?.sources.map((x) => x.status)).toEqual(['ok', 'ok', 'ok']);
    const [incident] = [...s.incidents.items.values()];
    expect(incident?.timeline.map((e) => `${e.kind}${e.channel ? ` ${e.channel}` : ''}`)).toEqual([
      'opened',
      'notified slack',
      'notified email',
      'notified pagerduty',
      'diagnostics',
      'evidence-sent slack',
      'evidence-sent email',
    ]);
  });

  it('sources that never answer time out: the update says which, and the page was not held', async () => {
    // Arrange
    const calls: string[] = [];
    const never = new Promise<void>(() => undefined);
    const s = setup({
      budgetMs: 100,
      sources: {
        metrics: hangingSource(calls, 'metrics', never),
        logs: hangingSource(calls, 'logs', never),
        traces: hangingSource(calls, 'traces', never),
      },
    });
    // Act
    const started = Date.now();
    await handleAlarmChange(s.deps, firing(T0));
    const pagedAfterMs = Date.now() - started;
    await s.queue.drain(s.responder);
    // Assert
    expect(pagedAfterMs).toBeLessThan(100);
    const evidence = s.published.filter((p) => p.notification.reason === 'evidence');
    expect(evidence).toHaveLength(2);
    expect(evidence[0]?.notification.evidence?.sources.map((x) => `${x.name} ${x.status}`)).toEqual([
      'metrics timeout',
      'logs timeout',
      'traces timeout',
    ]);
  });
});

describe('the responder behind its queue under faults', () => {
  function sqsEvent(signal: IncidentSignal): SQSEvent {
    return {
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'r-1',
          body: JSON.stringify(signal),
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(T0),
            SenderId: 'AIDA',
            ApproximateFirstReceiveTimestamp: String(T0),
            MessageGroupId: signal.service,
            MessageDeduplicationId: signal.id,
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:vigil-dev-signals.fifo',
          awsRegion: 'eu-west-1',
        },
      ],
    };
  }

  it('fails twice then succeeds: one incident, one update per channel, nothing lost', async () => {
    // Arrange: the signal as the page path sent it
    const sent: IncidentSignal[] = [];
    const s = setup({ sink: { send: (signal) => Promise.resolve(void sent.push(signal)) } });
    await handleAlarmChange(s.deps, firing(T0));
    const [signal] = sent;
    if (!signal) throw new Error('no signal sent');
    // Receive 1 fails at the incident store, receive 2 at the first evidence publish.
    let receive = 0;
    let storeFailures = 0;
    let publishFailures = 0;
    const incidents = new Proxy(s.incidents, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (receive === 1 && storeFailures++ === 0) {
            return Promise.reject(new Error('ProvisionedThroughputExceededException'));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const deadLetters: DeadLetterRecord[] = [];
    const handler = createIncidentResponder({
      ...s.responder,
      incidents,
      pointers: incidents,
      publisher: {
        publish: (channel, notification) => {
          if (receive === 2 && publishFailures++ === 0) return Promise.reject(new Error('SNS 500'));
          return s.responder.publisher.publish(channel, notification);
        },
      },
      deadLetter: { send: (r) => Promise.resolve(void deadLetters.push(r)) },
    });
    // Act
    // A batch whose every record failed makes the handler throw: SQS then returns the whole batch.
    const failedIds = async (): Promise<string[]> => {
      try {
        return (await handler(sqsEvent(signal))).batchItemFailures.map((f) => f.itemIdentifier);
      } catch (error) {
        if (error instanceof Error && error.name === 'FullBatchFailureError') return ['m-1'];
        throw error;
      }
    };
    const answers: string[][] = [];
    for (receive = 1; receive <= 3; receive++) answers.push(await failedIds());
    // Assert
    expect(answers).toEqual([['m-1'], ['m-1'], []]);
    expect([storeFailures > 0, publishFailures > 0]).toEqual([true, true]);
    expect(s.incidents.items.size).toBe(1);
    const evidence = s.published.filter((p) => p.notification.reason === 'evidence');
    expect(evidence.map((p) => p.channel).sort()).toEqual(['email', 'slack']);
    const [incident] = [...s.incidents.items.values()];
    const kinds = incident?.timeline.map((e) => `${e.kind}${e.channel ? ` ${e.channel}` : ''}`) ?? [];
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds).toEqual(
      expect.arrayContaining(['opened', 'diagnostics', 'evidence-sent slack', 'evidence-sent email']),
    );
    expect(deadLetters).toEqual([]);
  });
});
