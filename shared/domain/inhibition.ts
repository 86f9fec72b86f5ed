import type { Labels } from './alert';
import { matchesAll } from './matchers';
import type { InhibitRule } from './runtime-config';

/** True when some firing source alert inhibits the target (Alertmanager semantics; never itself). */
export function isInhibited(
  target: Labels,
  firingSources: readonly Labels[],
  rules: readonly InhibitRule[],
): boolean {
  return rules.some(
    (rule) =>
      matchesAll(rule.targetMatchers, target) &&
      firingSources.some(
        (source) =>
          source !== target &&
          matchesAll(rule.sourceMatchers, source) &&
          !matchesAll(rule.targetMatchers, source) &&
          rule.equal.every((l) => (source[l] ?? '') === (target[l] ?? '')),
      ),
  );
}
