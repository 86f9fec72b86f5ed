import type { Channel } from '../../shared/domain/alert';
import { processAlarmInvocation } from '../../shared/domain/alarm-invocation';
import type { Notification } from '../../shared/domain/notification';
import { acknowledgeAlert, addSilence, fingerprintOfAlarm } from '../../shared/domain/operator';
import type { SilenceInput } from '../../shared/domain/operator';
import type { Publisher } from '../../shared/domain/ports';
import type { AlarmStateReader } from '../../shared/domain/reconcile';
import type { RuntimeConfig } from '../../shared/domain/runtime-config';
import { createSilenceCheck } from '../../shared/domain/silence';
import { stormingRoutesFrom } from '../../shared/domain/tick/storm';
import type { TickOptions, TickReport } from '../../shared/domain/tick/run-tick';
import { runTick } from '../../shared/domain/tick/run-tick';
import { alarmActionEvent, devRuntimeConfig, recordingLog } from './fixtures';
import { MemoryAlertStore, MemoryGroupStore } from './memory-alert-store';

/** A notification as a channel received it, at virtual time. */
export interface Sent {
  readonly at: number;
  readonly channel: Channel;
  readonly notification: Notification;
}

/** The alarm handler and the tick over in-memory stores, on a virtual clock. */
export function createHarness(
  config: RuntimeConfig = devRuntimeConfig(),
  start = Date.UTC(2024, 0, 1, 9, 0, 0),
  alarmStates?: AlarmStateReader,
) {
  let now = start;
  const clock = () => now;
  const store = new MemoryAlertStore();
  const groups = new MemoryGroupStore();
  const sent: Sent[] = [];
  let failNext: Channel[] = [];
  const publisher: Publisher = {
    publish: (channel, notification) => {
      if (failNext.includes(channel)) {
        failNext = failNext.filter((c) => c !== channel);
        return Promise.reject(new Error(`${channel} down`));
      }
      sent.push({ at: now, channel, notification });
      return Promise.resolve();
    },
  };
  const log = recordingLog();
  let invocation = 0;
  const deps = () => ({
    config,
    store,
    groups,
    publisher,
    clock,
    log,
    claimant: `req-${++invocation}`,
    isSilenced: createSilenceCheck((t) => groups.listSilences(t, 0), clock, 0),
    stormingRoutes: stormingRoutesFrom(() => groups.getTickState()),
    alarmStates,
  });
  const iso = (t: number) => new Date(t).toISOString().replace('Z', '+0000');
  return {
    store,
    groups,
    sent,
    log,
    now: () => now,
    /** Moves the virtual clock. */
    advance(ms: number) {
      now += ms;
    },
    /** Makes the next publish to these channels fail once each. */
    failOnce(...channels: Channel[]) {
      failNext = [...failNext, ...channels];
    },
    /** Delivers any alarm event payload, as Lambda would invoke the handler with it. */
    async deliver(event: unknown) {
      await processAlarmInvocation({ ...deps(), deadLetter: { send: () => Promise.resolve() } }, event);
    },
    /** Delivers an alarm-action event for a state change happening now. */
    async alarm(name: string, state: 'ALARM' | 'OK', at = now) {
      await processAlarmInvocation(
        { ...deps(), deadLetter: { send: () => Promise.resolve() } },
        alarmActionEvent(name, state, iso(at), {
          state: state === 'ALARM' ? 'OK' : 'ALARM',
          timestamp: iso(at - 60_000),
        }),
      );
    },
    tick(options?: TickOptions): Promise<TickReport> {
      return runTick(deps(), options);
    },
    /** Runs the tick every minute for `minutes`. */
    async run(minutes: number) {
      for (let i = 0; i < minutes; i++) {
        now += 60_000;
        await runTick(deps());
      }
    },
    ack(alarmName: string, by = 'alice') {
      return acknowledgeAlert(deps(), fingerprintOfAlarm(config, alarmName), by);
    },
    silence(input: SilenceInput) {
      return addSilence(deps(), input);
    },
    /** Notifications sent on a channel, optionally only since a time. */
    on(channel: Channel, since = 0): Notification[] {
      return sent.filter((s) => s.channel === channel && s.at >= since).map((s) => s.notification);
    },
  };
}
