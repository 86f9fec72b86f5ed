/** Silencing the alerts of a message from the message itself (Slack buttons, signed links). */
import { randomUUID } from 'node:crypto';
import type { AlertRecord } from '../alert-record';
import { describeError } from '../errors';
import type { Matcher } from '../matchers';
import { addSilence, OperatorError } from '../operator';
import type { AlertStore, Clock, GroupStore, Log } from '../ports';
import type { Silence } from '../silence';
import type { ActionSource } from './actor';
import type { AuditLog } from './audit';

/** How long a silence from a message lasts. */
export type SilenceSpan =
  | { readonly kind: 'for'; readonly ms: number }
  /** Until every alert it names has resolved, and at most `maxMs`. */
  | { readonly kind: 'until-resolved'; readonly maxMs: number };

/** Ports of {@link silenceAlerts}. */
export interface SilenceAlertsDeps {
  readonly store: Pick<AlertStore, 'get'>;
  readonly groups: Pick<GroupStore, 'putSilence'>;
  readonly clock: Clock;
  readonly audit?: AuditLog;
  readonly log?: Log;
}

/** What silencing did. */
export interface SilenceOutcome {
  readonly silence: Silence;
  /** The firing alerts the silence names. */
  readonly alerts: readonly AlertRecord[];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches exactly these alarms (the `alarm` label every alert carries). */
export function alarmMatcher(alarmNames: readonly string[]): Matcher {
  const [only, ...rest] = alarmNames;
  if (only !== undefined && rest.length === 0) return { label: 'alarm', op: '=', value: only };
  return { label: 'alarm', op: '=~', value: alarmNames.map(escapeRegex).join('|') };
}

/** How a span reads in a message or the audit. */
export function describeSpan(span: SilenceSpan): string {
  if (span.kind === 'until-resolved') return 'until resolved';
  const minutes = Math.round(span.ms / 60_000);
  return minutes % 60 === 0 ? `for ${minutes / 60}h` : `for ${minutes}m`;
}

/**
 * Creates one silence over the firing alerts among `fingerprints` (by their alarm names), starting
 * now; each is audited. Throws NOT_FOUND when none of them exists and NOT_FIRING when none fires.
 */
export async function silenceAlerts(
  deps: SilenceAlertsDeps,
  fingerprints: readonly string[],
  span: SilenceSpan,
  by: string,
  via: ActionSource,
): Promise<SilenceOutcome> {
  const found = (await Promise.all(fingerprints.map((f) => deps.store.get(f)))).filter(
    (a): a is AlertRecord => a !== undefined,
  );
  if (found.length === 0) {
    throw new OperatorError('NOT_FOUND', `no alert ${fingerprints.join(', ')} exists`);
  }
  const firing = found.filter((a) => a.status === 'firing');
  if (firing.length === 0) {
    throw new OperatorError(
      'NOT_FIRING',
      `alert ${found.map((a) => a.fingerprint).join(', ')} is not firing`,
    );
  }
  const now = deps.clock();
  const silence = await addSilence(
    { groups: deps.groups, clock: deps.clock },
    {
      matchers: [alarmMatcher([...new Set(firing.map((a) => a.alarmName))])],
      endsAt: now + (span.kind === 'for' ? span.ms : span.maxMs),
      author: by,
      comment: `silenced ${describeSpan(span)} from ${via}`,
      endOnResolve: span.kind === 'until-resolved',
    },
    `${via}-${randomUUID()}`,
  );
  const audit = deps.audit;
  if (audit) {
    for (const alert of firing) {
      await audit
        .record({
          at: now,
          action: 'silence',
          fingerprint: alert.fingerprint,
          alarmName: alert.alarmName,
          by,
          via,
          outcome: `silenced ${describeSpan(span)} (${silence.id})`,
        })
        .catch((error: unknown) =>
          deps.log?.error('silence: audit failed', {
            fingerprint: alert.fingerprint,
            error: describeError(error),
          }),
        );
    }
  }
  return { silence, alerts: firing };
}
