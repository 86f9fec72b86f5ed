/** Slack incoming-webhook payload (Block Kit inside a coloured attachment) for a notification. */
import type { Severity } from '../alert';
import {
  buttonFingerprints,
  buttonValue,
  SLACK_ACTIONS_BLOCK_ID,
  type SlackActionId,
} from '../actions/slack-interaction';
import type { Notification, NotificationEvidence, NotifiedAlert } from '../notification';
import { digestAlarms, digestLines, digestRestLines, reasonText } from './digest';
import { resolveLinks, safeUrl, type LinkOptions } from './links';
import {
  durationBetween,
  formatTime,
  formatValueVsThreshold,
  stripControl,
  toSingleLine,
  truncate,
} from './text';

/** Slack's documented limits that the renderer stays within. */
export const SLACK_LIMITS = {
  maxBlocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  maxFields: 10,
  contextElements: 10,
  fallbackText: 3000,
} as const;

/** Alerts listed one by one in a group message; the rest are counted. */
export const SLACK_MAX_LISTED_ALERTS = 10;

/** A plain-text composition object. */
export interface SlackPlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

/** A mrkdwn composition object. */
export interface SlackMrkdwn {
  readonly type: 'mrkdwn';
  readonly text: string;
}

/** A button of an actions block. */
export interface SlackButton {
  readonly type: 'button';
  readonly action_id: SlackActionId;
  readonly text: SlackPlainText;
  readonly value: string;
  readonly style?: 'primary' | 'danger';
}

/** The Block Kit blocks this renderer emits. */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackPlainText }
  | { readonly type: 'section'; readonly text?: SlackMrkdwn; readonly fields?: readonly SlackMrkdwn[] }
  | { readonly type: 'context'; readonly elements: readonly SlackMrkdwn[] }
  | { readonly type: 'actions'; readonly block_id: string; readonly elements: readonly SlackButton[] }
  | { readonly type: 'divider' };

/** How Slack messages are rendered beyond their links. */
export interface SlackRenderOptions extends LinkOptions {
  /**
   * Firing notifications carry Acknowledge / Silence 1h / Silence until resolved buttons (the Slack
   * app's interactivity must point at the action endpoint). @default false
   */
  readonly actionButtons?: boolean;
}

/** The buttons of a firing notification, acting on its firing alerts; undefined when there are none. */
export function actionsBlock(n: Notification): SlackBlock | undefined {
  const fingerprints = buttonFingerprints(n);
  if (fingerprints.length === 0) return undefined;
  const value = buttonValue(fingerprints);
  const button = (action_id: SlackActionId, text: string, style?: 'primary'): SlackButton => ({
    type: 'button',
    action_id,
    text: { type: 'plain_text', text, emoji: false },
    value,
    ...(style ? { style } : {}),
  });
  return {
    type: 'actions',
    block_id: SLACK_ACTIONS_BLOCK_ID,
    elements: [
      button('vigil_ack', 'Acknowledge', 'primary'),
      button('vigil_silence_1h', 'Silence 1h'),
      button('vigil_silence_resolved', 'Silence until resolved'),
    ],
  };
}

/** The JSON body posted to the webhook. */
export interface SlackMessage {
  /** Fallback text for notifications and clients without Block Kit. */
  readonly text: string;
  readonly attachments: readonly [{ readonly color: string; readonly blocks: readonly SlackBlock[] }];
}

const COLOURS: Readonly<Record<Severity | 'resolved', string>> = {
  critical: '#D92D20',
  warning: '#F79009',
  info: '#2E90FA',
  resolved: '#12B76A',
};

const EMOJI: Readonly<Record<Severity | 'resolved', string>> = {
  critical: '🔴',
  warning: '🟠',
  info: '🔵',
  resolved: '✅',
};

// Look-alikes for mrkdwn control characters: Slack has no escape for them, so label text
// containing `*bold*`, `_it_`, `~strike~` or backticks would otherwise change the formatting.
const MRKDWN_LOOKALIKES: Readonly<Record<string, string>> = {
  '*': '∗',
  _: 'ˍ',
  '~': '∼',
  '`': 'ˋ',
};

/**
 * Escapes untrusted text for a mrkdwn field: `&`, `<`, `>` become entities (so `<!channel>`, `<@U123>`
 * and `<url|text>` are shown, not parsed), formatting characters become look-alikes, `@channel`-style
 * words are broken with a zero-width space, and a leading `>` cannot start a quote.
 */
export function escapeSlackText(text: string): string {
  return stripControl(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*_~`]/g, (ch) => MRKDWN_LOOKALIKES[ch] ?? ch)
    .replace(/@(channel|here|everyone)\b/gi, '@\u200b$1')
    .replace(/^(\s*)&gt;/gm, '$1\u200b&gt;');
}

/** Header text is plain_text (never parsed), but brackets and `@here` are still defused for clients that show the fallback. */
function defusePlain(text: string): string {
  return text
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/@(channel|here|everyone)\b/gi, '@\u200b$1');
}

/** Escapes `raw` and cuts it so the escaped form fits `max`, never splitting an entity. */
function fitEscaped(raw: string, max: number): string {
  let source = raw;
  let escaped = escapeSlackText(source);
  while (escaped.length > max) {
    const keep = Math.max(0, Math.floor((source.length * (max - 1)) / escaped.length) - 1);
    source = truncate(source, keep + 1, '…');
    if (keep === 0) return '…';
    escaped = escapeSlackText(source);
  }
  return escaped;
}

/** A mrkdwn field `*Label*\nvalue` with the value escaped and fitted. */
function field(label: string, value: string): SlackMrkdwn {
  const head = `*${label}*\n`;
  return {
    type: 'mrkdwn',
    text: head + fitEscaped(toSingleLine(value), SLACK_LIMITS.fieldText - head.length),
  };
}

function statusKey(n: Notification): Severity | 'resolved' {
  return n.status === 'resolved' ? 'resolved' : n.severity;
}

function alertLine(a: NotifiedAlert): string {
  const key = a.status === 'resolved' ? 'resolved' : a.severity;
  const service = a.labels['service'];
  const parts = [a.alarmName, service, a.annotations.summary].filter((p): p is string => !!p);
  return `${EMOJI[key]} ${fitEscaped(toSingleLine(parts.join(' — ')), 260)}`;
}

function linkText(links: { alarm?: string; dashboard?: string; runbook?: string }): string | undefined {
  const parts: string[] = [];
  if (links.alarm !== undefined) parts.push(`<${links.alarm}|CloudWatch alarm>`);
  if (links.dashboard !== undefined) parts.push(`<${links.dashboard}|Dashboard>`);
  if (links.runbook !== undefined) parts.push(`<${links.runbook}|Runbook>`);
  return parts.length > 0 ? parts.join('  ·  ') : undefined;
}

/** Alarms a storm digest lists by name in Slack (one section of at most 3,000 characters). */
export const SLACK_DIGEST_LISTED_ALARMS = 40;

function contextBlock(n: Notification): SlackBlock {
  return {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: fitEscaped(
          [reasonText(n), `Notification ${n.id}`, `group ${n.groupKey}`].filter(Boolean).join(' · '),
          SLACK_LIMITS.sectionText,
        ),
      },
    ],
  };
}

const SOURCE_EMOJI: Readonly<Record<'ok' | 'empty' | 'timeout' | 'error', string>> = {
  ok: ':white_check_mark:',
  empty: ':white_circle:',
  timeout: ':hourglass:',
  error: ':warning:',
};

/**
 * The evidence that follows a page: one section per diagnostics source (what it found, its status
 * and links), headed by the page it belongs to, so the reader can tell the two apart in a channel.
 */
function renderSlackEvidence(n: Notification, e: NotificationEvidence): SlackMessage {
  const title = toSingleLine(e.page.title);
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(defusePlain(`🔎 Evidence: ${title}`), SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: fitEscaped(
          [
            `Follows the page sent ${formatTime(e.page.sentAt)} (${e.page.id}).`,
            n.alerts.length > 0 ? `Alarms: ${n.alerts.map((a) => a.alarmName).join(', ')}.` : '',
            `Incident: ${toSingleLine(e.incidentTitle)}. Window ${formatTime(e.from)} to ${formatTime(e.until)}.`,
          ]
            .filter(Boolean)
            .join(' '),
          SLACK_LIMITS.sectionText,
        ),
      },
    },
  ];
  for (const source of e.sources) {
    const links = source.links
      .flatMap((l) => {
        const url = safeUrl(l.url);
        return url === undefined ? [] : [`<${url}|${fitEscaped(toSingleLine(l.label), 80)}>`];
      })
      .join('  ·  ');
    const head = `${SOURCE_EMOJI[source.status]} *${source.name}* (${source.status})\n`;
    const tail = links === '' ? '' : `\n${links}`;
    const room = Math.max(1, SLACK_LIMITS.sectionText - head.length - tail.length - 6);
    const body =
      source.summary.trim() === '' ? '' : `\`\`\`${fitEscaped(stripControl(source.summary), room)}\`\`\``;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(head + body + tail, SLACK_LIMITS.sectionText) },
    });
  }
  if (e.sources.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '_No diagnostics source answered._' } });
  }
  blocks.push(contextBlock(n));
  return {
    text: fitEscaped(`🔎 Evidence for the page: ${title}`, SLACK_LIMITS.fallbackText),
    attachments: [{ color: COLOURS[statusKey(n)], blocks }],
  };
}

/** A storm digest: counts, the first alarms by name, and how to read every one of them. */
function renderSlackDigest(n: Notification, opts: LinkOptions): SlackMessage {
  const key = statusKey(n);
  const title = toSingleLine(n.title);
  const section = (head: string, body: string): SlackBlock => ({
    type: 'section',
    text: { type: 'mrkdwn', text: head + fitEscaped(body, SLACK_LIMITS.sectionText - head.length) },
  });
  const { alarms, more } = digestAlarms(n, SLACK_DIGEST_LISTED_ALARMS);
  const listed = alarms.map(
    (a) => `${EMOJI[a.status === 'resolved' ? 'resolved' : n.severity]} ${fitEscaped(a.name, 120)}`,
  );
  const rest = digestRestLines(n);
  const command = n.digest?.listCommand;
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(defusePlain(`${EMOJI[key]} ${title}`), SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    { type: 'section', fields: [field('Severity', n.severity.toUpperCase()), field('Stage', n.stage)] },
    section('*Storm digest*\n', digestLines(n).join('\n')),
  ];
  if (listed.length > 0) {
    const tail = more > 0 ? `\n…and ${more} more` : '';
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`*Alarms*\n${listed.join('\n')}`, SLACK_LIMITS.sectionText - tail.length) + tail,
      },
    });
  }
  if (command !== undefined) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Every alarm of this digest*\n\`${fitEscaped(command, 500)}\``,
      },
    });
  }
  const consoleUrl = safeUrl(n.digest?.consoleUrl);
  const listUrl = safeUrl(n.digest?.listUrl);
  const dashboard = resolveLinks(n, undefined, opts).dashboard;
  const links = [
    consoleUrl !== undefined ? `<${consoleUrl}|Alarms in ALARM (CloudWatch)>` : undefined,
    listUrl !== undefined ? `<${listUrl}|Alert list>` : undefined,
    dashboard !== undefined ? `<${dashboard}|Dashboard>` : undefined,
  ].filter((l): l is string => l !== undefined);
  if (links.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(links.join('  ·  '), SLACK_LIMITS.sectionText) },
    });
  }
  blocks.push(contextBlock(n));
  const fallback = `${EMOJI[key]} [${n.status === 'resolved' ? 'RESOLVED' : n.severity.toUpperCase()}] ${title}${rest[0] !== undefined ? ` - ${rest[0]}` : ''}`;
  return {
    text: fitEscaped(fallback, SLACK_LIMITS.fallbackText),
    attachments: [{ color: COLOURS[key], blocks }],
  };
}

/** Renders the webhook payload. Every piece of alert text is escaped; every block is within Slack's limits. */
export function renderSlack(n: Notification, opts: SlackRenderOptions = {}): SlackMessage {
  if (n.evidence !== undefined) return renderSlackEvidence(n, n.evidence);
  if (n.digest !== undefined) return renderSlackDigest(n, opts);
  const key = statusKey(n);
  const statusWord = n.status === 'resolved' ? 'RESOLVED' : 'FIRING';
  const primary = n.alerts[0];
  const title = toSingleLine(n.title);
  const blocks: SlackBlock[] = [];

  blocks.push({
    type: 'header',
    text: {
      type: 'plain_text',
      text: truncate(defusePlain(`${EMOJI[key]} ${statusWord}: ${title}`), SLACK_LIMITS.headerText),
      emoji: true,
    },
  });

  const fields: SlackMrkdwn[] = [
    field('Status', n.status === 'resolved' ? 'Resolved' : 'Firing'),
    field('Severity', n.severity.toUpperCase()),
  ];
  if (primary !== undefined) {
    fields.push(field('Service', primary.labels['service'] ?? 'unknown'));
    fields.push(field('Team', primary.labels['team'] ?? 'unknown'));
    const vs = formatValueVsThreshold(primary);
    if (vs !== undefined) fields.push(field('Value vs threshold', vs));
    fields.push(field('Started', formatTime(primary.startsAt)));
    const until = primary.endsAt ?? n.createdAt;
    const duration = durationBetween(primary.startsAt, until);
    if (duration !== undefined)
      fields.push(field(n.status === 'resolved' ? 'Lasted' : 'Firing for', duration));
  }
  fields.push(field('Stage', n.stage));
  blocks.push({ type: 'section', fields: fields.slice(0, SLACK_LIMITS.maxFields) });

  if (primary !== undefined) {
    const summary = stripControl(primary.annotations.summary);
    const description = primary.annotations.description;
    const why = primary.annotations.severityReason;
    const parts = [
      summary,
      ...(why !== undefined ? [`Severity: ${stripControl(why)}`] : []),
      ...(description !== undefined ? [stripControl(description)] : []),
    ];
    const raw = parts.join('\n');
    const head = '*Summary*\n';
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: head + fitEscaped(raw, SLACK_LIMITS.sectionText - head.length) },
    });
  }

  if (n.totalAlerts > 1 || n.alerts.length > 1) {
    const total = Math.max(n.totalAlerts, n.alerts.length);
    const listed = n.alerts.slice(0, SLACK_MAX_LISTED_ALERTS);
    const more = total - listed.length;
    const lines = [`*${total} alerts in this group*`, ...listed.map(alertLine)];
    if (more > 0) lines.push(`…and ${more} more`);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(lines.join('\n'), SLACK_LIMITS.sectionText) },
    });
  }

  if (n.diagnostics !== undefined && n.diagnostics.trim() !== '') {
    const head = '*Diagnostics*\n```';
    const tail = '```';
    const body = fitEscaped(n.diagnostics, SLACK_LIMITS.sectionText - head.length - tail.length);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: head + body + tail } });
  }

  const links = linkText(resolveLinks(n, primary, opts));
  if (links !== undefined) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(links, SLACK_LIMITS.sectionText) },
    });
  }

  const actions = opts.actionButtons === true ? actionsBlock(n) : undefined;
  if (actions !== undefined) blocks.push(actions);
  blocks.push(contextBlock(n));

  const fallback = `${EMOJI[key]} [${n.status === 'resolved' ? 'RESOLVED' : n.severity.toUpperCase()}] ${title}`;
  return {
    text: fitEscaped(fallback, SLACK_LIMITS.fallbackText),
    attachments: [{ color: COLOURS[key], blocks }],
  };
}
