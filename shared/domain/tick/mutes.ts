/**
 * Mutes: silences and inhibition. Reads grow with what changed, not with what is stored: sources of
 * inhibition have their own index, and groups holding muted alerts are registered, so only they are
 * looked at again when a mute may have lifted.
 */
import type { Labels } from '../alert';
import type { GroupRecord, MuteContext } from '../group';
import { isInhibited, mayBeInhibited } from '../inhibition';
import type { GroupStore, Log, AlertStore } from '../ports';
import type { RuntimeConfig } from '../runtime-config';
import type { Silence } from '../silence';
import { isSilenceActive, silencesFor } from '../silence';
import { PIPELINE_ACTOR } from '../alert';

/** Dependencies of the mute steps. */
export interface MuteDeps {
  readonly config: RuntimeConfig;
  readonly store: AlertStore;
  readonly groups: GroupStore;
  readonly log: Log;
}

/** The silences a run works with. */
export interface SilenceView {
  /** Silences in force now. */
  readonly active: readonly Silence[];
  /** A silence was created, or ended (on time or early), since the last run. */
  readonly changed: boolean;
}

/** Reads the silences and tells whether any started or ended since `seenAt`. */
export async function loadSilences(deps: MuteDeps, seenAt: number, now: number): Promise<SilenceView> {
  const silences = await deps.groups.listSilences(now, 24 * 3600_000);
  const changed = silences.some((s) => {
    const end = Math.min(s.endsAt, s.expiredAt ?? Number.POSITIVE_INFINITY);
    return s.createdAt > seenAt || (end > seenAt && end <= now);
  });
  return { active: silences.filter((s) => isSilenceActive(s, now)), changed };
}

/**
 * The mute context for planning `groups`. Inhibition sources are read only when some member could
 * be inhibited at all.
 */
export async function buildMuteContext(
  deps: MuteDeps,
  active: readonly Silence[],
  groups: Iterable<GroupRecord>,
  now: number,
): Promise<MuteContext> {
  const rules = deps.config.inhibitRules;
  let needSources = false;
  if (rules.length > 0) {
    outer: for (const g of groups) {
      for (const m of Object.values(g.members)) {
        if (m.alert.status === 'firing' && mayBeInhibited(m.alert.labels, rules)) {
          needSources = true;
          break outer;
        }
      }
    }
  }
  const sources = needSources ? await deps.groups.listSources() : [];
  return {
    isMuted: (alert) =>
      silencesFor(alert.labels, active, now).length > 0 ||
      (sources.length > 0 && isInhibited(alert, sources, rules)),
    nextUnmuteAt: active.reduce((acc, s) => Math.min(acc, s.endsAt), Number.POSITIVE_INFINITY),
  };
}

/** True when the group holds a firing member that the mute context hides. */
export function holdsMuted(group: GroupRecord, mute: MuteContext): boolean {
  return Object.values(group.members).some(
    (m) => m.alert.status === 'firing' && m.movedOut !== true && mute.isMuted(m.alert),
  );
}

/** Keys of every group registered as holding muted alerts. */
export async function listMutedGroups(deps: MuteDeps): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of deps.groups.mutedGroups()) keys.push(...page);
  return keys;
}

/**
 * Ends "until resolved" silences once every alert they matched has resolved: when an alert that
 * resolved in this run matches one, the firing alerts are searched for another it still matches.
 */
export async function endSilencesOnResolve(
  deps: MuteDeps,
  active: readonly Silence[],
  resolved: readonly Labels[],
  now: number,
): Promise<number> {
  const candidates = active.filter(
    (s) => s.endOnResolve && resolved.some((labels) => silencesFor(labels, [s], now).length > 0),
  );
  if (candidates.length === 0) return 0;
  const stillMatched = new Set<string>();
  for await (const page of deps.store.firing()) {
    for (const alert of page) {
      if (alert.status !== 'firing') continue;
      for (const s of candidates) if (silencesFor(alert.labels, [s], now).length > 0) stillMatched.add(s.id);
    }
    if (stillMatched.size === candidates.length) break;
  }
  let ended = 0;
  for (const s of candidates.filter((x) => !stillMatched.has(x.id))) {
    await deps.groups.putSilence({ ...s, expiredAt: now, expiredBy: PIPELINE_ACTOR });
    deps.log.info('silence ended: every alert it matched has resolved', { silenceId: s.id });
    ended++;
  }
  return ended;
}
