/** Who acted on an alert, and from where: the name the timeline, the audit and the messages show. */
import { stripControl, toSingleLine, truncate } from '../format/text';

/** Where an action came from. */
export const ACTION_SOURCES = ['cli', 'slack', 'pagerduty', 'email', 'sms', 'replay'] as const;
/** Where an action came from. */
export type ActionSource = (typeof ACTION_SOURCES)[number];

/** Who acted: the source, the peer's own id of the person (Slack user, PagerDuty user) and a name. */
export interface Actor {
  readonly source: ActionSource;
  /** The person's id at the source (`U123` in Slack, `PXYZ` in PagerDuty). @default none */
  readonly id?: string;
  /** A human name (the operator's `--by`, a Slack or PagerDuty display name). @default none */
  readonly name?: string;
}

const MAX_NAME = 64;

function clean(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const one = truncate(toSingleLine(stripControl(text)).trim(), MAX_NAME);
  return one === '' ? undefined : one;
}

/**
 * The actor as people read it: an operator's own name (`ana`), `slack:U123 (ana)`,
 * `pagerduty:PXYZ (Ana Lee)`, `link:email`, `link:sms`.
 */
export function actorLabel(actor: Actor): string {
  const id = clean(actor.id);
  const name = clean(actor.name);
  switch (actor.source) {
    case 'cli':
    case 'replay':
      return name ?? id ?? actor.source;
    case 'email':
    case 'sms':
      return `link:${actor.source}`;
    case 'slack':
    case 'pagerduty': {
      const who = `${actor.source}:${id ?? 'unknown'}`;
      return name === undefined ? who : `${who} (${name})`;
    }
  }
}
