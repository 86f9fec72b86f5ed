/** `tick`: runs the scheduled tick on a local replay state, moving its virtual clock on. */
import type { Notification } from '../../domain/notification';
import type { TickReport } from '../../domain/tick/run-tick';
import { runTick } from '../../domain/tick/run-tick';
import { toReplayMessage } from '../../replay/run-scenario';
import type { ReplayMessage } from '../../replay/run-scenario';
import type { CliIo } from '../cli-support';
import {
  EXIT,
  parseFlags,
  parseLimitFlag,
  positionals,
  printJson,
  TARGET_OPTIONS,
  usageError,
} from '../cli-support';
import { clip, formatTable, isoTime } from '../format';
import { LOCAL_ENV, stderrLog, withTarget } from '../target';

/** Usage of `tick`. */
export const TICK_USAGE = `usage: vigil --local DIR tick [--minutes N] [--json]
  runs the pipeline's every-minute tick N times (default 1, max 1440) on a replay state, each a
  virtual minute after the last, and prints what it published (also appended to messages.jsonl):
  group notifications, resolves of hand-resolved alerts, repeats, escalations, ended silences.
  In AWS the scheduled tick does this every minute`;

/** Runs `tick ...` against a local state. */
export async function runTickCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(argv, {
    ...TARGET_OPTIONS,
    minutes: { type: 'string', default: '1' },
  });
  if (values.help) {
    io.stdout(`${TICK_USAGE}\n`);
    return EXIT.ok;
  }
  positionals(rest, []);
  const minutes = parseLimitFlag(values.minutes, 1440, 'minutes');
  if ((values.local ?? io.env[LOCAL_ENV] ?? '') === '') {
    throw usageError(
      'tick runs only on a replay state (--local DIR); in AWS the scheduled tick runs every minute',
    );
  }
  return withTarget(values, io, async (target) => {
    const advance = target.advanceClock;
    if (advance === undefined) throw usageError('tick runs only on a replay state (--local DIR)');
    const messages: ReplayMessage[] = [];
    const publisher = {
      publish: async (channel: Notification['channel'], notification: Notification) => {
        await target.publisher.publish(channel, notification);
        const digest = notification.digest
          ? await target.groups.getDigest(notification.digest.id)
          : undefined;
        messages.push(toReplayMessage(target.clock(), notification, digest));
      },
    };
    const reports: TickReport[] = [];
    for (let i = 0; i < minutes; i++) {
      advance(target.clock() + 60_000);
      reports.push(
        await runTick({
          config: target.config,
          store: target.alerts,
          groups: target.groups,
          publisher,
          clock: target.clock,
          log: stderrLog(io),
          claimant: `vigil-cli-tick-${target.clock()}`,
        }),
      );
    }
    const at = new Date(target.clock()).toISOString();
    const failed = reports.reduce((n, r) => n + r.failed, 0);
    if (values.json) {
      printJson(io, { at, ticks: minutes, failed, messages });
    } else {
      io.stdout(
        messages.length === 0
          ? `${minutes} tick(s) up to ${isoTime(target.clock())}: nothing published\n`
          : formatTable(
              ['TIME', 'CHANNEL', 'STATUS', 'SEVERITY', 'ALERTS', 'TEXT'],
              messages.map((m) => [
                isoTime(Date.parse(m.at)),
                m.channel,
                m.status,
                m.severity,
                clip(m.alerts.join(','), 50),
                clip(m.text, 80),
              ]),
            ),
      );
    }
    return failed > 0 ? EXIT.failure : EXIT.ok;
  });
}
