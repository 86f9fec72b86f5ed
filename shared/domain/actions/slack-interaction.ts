/**
 * Slack interactivity: the buttons Vigil puts on its notifications, the `block_actions` payload
 * Slack posts when one is clicked, and the message that replaces the clicked one.
 */
import * as z from 'zod/mini';
import type { Notification } from '../notification';
import '../zod-locale';

/** The buttons' block id; the block is removed once someone acted. */
export const SLACK_ACTIONS_BLOCK_ID = 'vigil_actions';

/** What a button does. */
export const SLACK_ACTIONS = {
  vigil_ack: 'ack',
  vigil_silence_1h: 'silence-1h',
  vigil_silence_resolved: 'silence-until-resolved',
} as const;
/** A button's action id. */
export type SlackActionId = keyof typeof SLACK_ACTIONS;
/** What a click asks for. */
export type SlackAction = (typeof SLACK_ACTIONS)[SlackActionId];

/** Alerts one button acts on (Slack caps a button value at 2,000 characters: 50 fingerprints fit). */
export const SLACK_MAX_BUTTON_ALERTS = 50;

const FINGERPRINT = /^[0-9a-f]{20}$/;

/** The firing alerts a notification's buttons act on; none for resolves, digests and acknowledgements. */
export function buttonFingerprints(n: Notification): string[] {
  if (n.status !== 'firing' || n.digest !== undefined || n.reason === 'acknowledged') return [];
  return n.alerts
    .filter((a) => a.status === 'firing' && FINGERPRINT.test(a.fingerprint))
    .slice(0, SLACK_MAX_BUTTON_ALERTS)
    .map((a) => a.fingerprint);
}

/** A button value: the fingerprints, comma-separated. */
export function buttonValue(fingerprints: readonly string[]): string {
  return fingerprints.join(',');
}

/** What one click asks for. */
export interface SlackClick {
  readonly action: SlackAction;
  readonly fingerprints: readonly string[];
  readonly user: { readonly id: string; readonly name?: string };
  readonly responseUrl: string;
  /** The clicked message as Slack sent it back (to be replaced without its buttons). */
  readonly message?: SlackMessagePayload;
}

const blockSchema = z.looseObject({ type: z.string(), block_id: z.optional(z.string()) });
const messageSchema = z.looseObject({
  text: z.optional(z.string()),
  attachments: z.optional(z.array(z.looseObject({ blocks: z.optional(z.array(blockSchema)) }))),
  blocks: z.optional(z.array(blockSchema)),
});
/** The message part of Slack's payload: loose, every field travels on into the replacement. */
export type SlackMessagePayload = z.infer<typeof messageSchema>;

const payloadSchema = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({
    id: z.string().check(z.regex(/^[UW][A-Z0-9]{2,30}$/, 'must be a Slack user id')),
    name: z.optional(z.string()),
    username: z.optional(z.string()),
  }),
  response_url: z.url(),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string(),
        block_id: z.optional(z.string()),
        value: z.optional(z.string().check(z.maxLength(2000))),
      }),
    )
    .check(z.length(1, 'must hold exactly one action')),
  message: z.optional(messageSchema),
});

/** Why a Slack payload was refused. */
export class SlackPayloadError extends Error {
  public readonly code = 'MALFORMED_SLACK_PAYLOAD';

  public constructor(message: string) {
    super(message);
    this.name = 'SlackPayloadError';
  }
}

/**
 * Reads the `payload` field of Slack's form-encoded interactivity request. Throws
 * {@link SlackPayloadError} naming the field for anything else than one click on a Vigil button.
 */
export function parseSlackClick(formBody: string): SlackClick {
  const form = new URLSearchParams(formBody);
  const raw = form.get('payload');
  if (raw === null) throw new SlackPayloadError('the form has no "payload" field');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new SlackPayloadError('"payload" is not JSON');
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new SlackPayloadError(`payload.${where}: ${issue?.message ?? 'invalid'}`);
  }
  const p = parsed.data;
  const clicked = p.actions[0];
  if (clicked === undefined) throw new SlackPayloadError('payload.actions: must hold exactly one action');
  const action = (SLACK_ACTIONS as Readonly<Record<string, SlackAction>>)[clicked.action_id];
  if (action === undefined) {
    throw new SlackPayloadError(`payload.actions[0].action_id: "${clicked.action_id}" is not a Vigil button`);
  }
  const fingerprints = (clicked.value ?? '').split(',').filter((f) => f !== '');
  if (
    fingerprints.length === 0 ||
    fingerprints.length > SLACK_MAX_BUTTON_ALERTS ||
    !fingerprints.every((f) => FINGERPRINT.test(f))
  ) {
    throw new SlackPayloadError('payload.actions[0].value: must list 1-50 alert fingerprints');
  }
  return {
    action,
    fingerprints: [...new Set(fingerprints)],
    user: { id: p.user.id, name: p.user.name ?? p.user.username },
    responseUrl: p.response_url,
    message: p.message,
  };
}

/** The context block that says what happened, in mrkdwn. */
function outcomeBlock(text: string): Record<string, unknown> {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

function withoutButtons<T extends { type: string; block_id?: string }>(blocks: readonly T[]): T[] {
  return blocks.filter((b) => !(b.type === 'actions' && b.block_id === SLACK_ACTIONS_BLOCK_ID));
}

/**
 * The message that replaces the clicked one through `response_url`: the same text, colour and
 * blocks without Vigil's buttons, and a line saying who did what (`outcome`, mrkdwn).
 */
export function replacementMessage(
  original: SlackMessagePayload | undefined,
  outcome: string,
): Record<string, unknown> {
  const text = original?.text ?? outcome;
  const attachments = original?.attachments;
  if (attachments !== undefined && attachments.length > 0) {
    return {
      replace_original: true,
      text,
      attachments: attachments.map((a, i) => ({
        ...a,
        blocks: [
          ...withoutButtons(a.blocks ?? []),
          ...(i === attachments.length - 1 ? [outcomeBlock(outcome)] : []),
        ],
      })),
    };
  }
  return {
    replace_original: true,
    text,
    blocks: [...withoutButtons(original?.blocks ?? []), outcomeBlock(outcome)],
  };
}
