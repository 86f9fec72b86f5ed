import type { Labels } from './alert';
import { ConfigError } from './errors';

/** Matcher operators, as in Alertmanager: equality, negation, anchored regex and its negation. */
export const MATCHER_OPS = ['=', '!=', '=~', '!~'] as const;
/** A matcher operator. */
export type MatcherOp = (typeof MATCHER_OPS)[number];

/** A label matcher. A missing label matches as the empty string. */
export interface Matcher {
  readonly label: string;
  readonly op: MatcherOp;
  readonly value: string;
}

const MATCHER_TEXT =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"=~!][^\s"]*)?)\s*$/;
const regexCache = new Map<string, RegExp>();

/** Compiles (and caches) the anchored regex of a matcher value; throws ConfigError when invalid. */
export function compileMatcherRegex(value: string, field = 'matcher'): RegExp {
  let re = regexCache.get(value);
  if (!re) {
    try {
      re = new RegExp(`^(?:${value})$`);
    } catch (cause) {
      throw new ConfigError(`${field}: "${value}" is not a valid regular expression`, { cause });
    }
    regexCache.set(value, re);
  }
  return re;
}

/** Parses `severity="critical"`, `service=~"api|web"`, `team!=ops` into a Matcher. */
export function parseMatcher(text: string, field = 'matcher'): Matcher {
  const m = MATCHER_TEXT.exec(text);
  if (!m?.[1] || !m[2]) {
    throw new ConfigError(
      `${field}: "${text}" is not a matcher; expected label, one of ${MATCHER_OPS.join(' ')}, and a value, e.g. severity="critical"`,
    );
  }
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? '');
  const op = m[2] as MatcherOp;
  if (op === '=~' || op === '!~') compileMatcherRegex(value, field);
  return { label: m[1], op, value };
}

/** True when the labels satisfy one matcher. */
export function matches(matcher: Matcher, labels: Labels): boolean {
  const actual = labels[matcher.label] ?? '';
  switch (matcher.op) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return compileMatcherRegex(matcher.value).test(actual);
    case '!~':
      return !compileMatcherRegex(matcher.value).test(actual);
  }
}

/** True when the labels satisfy every matcher (an empty list matches everything). */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const matcher of matchers) if (!matches(matcher, labels)) return false;
  return true;
}
