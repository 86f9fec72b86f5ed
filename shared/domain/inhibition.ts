import type { Labels } from './alert';
import { matchesAll } from './matchers';
import type { InhibitionSource } from './ports';
import type { InhibitRule } from './runtime-config';

/** True when some firing source alert inhibits the target (Alertmanager semantics; never itself). */
export function isInhibited(
  target: { readonly fingerprint: string; readonly labels: Labels },
  firingSources: readonly InhibitionSource[],
  rules: readonly InhibitRule[],
): boolean {
  return rules.some(
    (rule) =>
      matchesAll(rule.targetMatchers, target.labels) &&
      firingSources.some(
        (source) =>
          source.fingerprint !== target.fingerprint &&
          matchesAll(rule.sourceMatchers, source.labels) &&
          !matchesAll(rule.targetMatchers, source.labels) &&
          rule.equal.every((l) => (source.labels[l] ?? '') === (target.labels[l] ?? '')),
      ),
  );
}

/** True when some rule could inhibit these labels (they match a target matcher). */
export function mayBeInhibited(labels: Labels, rules: readonly InhibitRule[]): boolean {
  return rules.some((rule) => matchesAll(rule.targetMatchers, labels));
}
