import { actorLabel } from '../../../shared/domain/actions/actor';
import {
  parseSlackClick,
  replacementMessage,
  SlackPayloadError,
} from '../../../shared/domain/actions/slack-interaction';
import { actionsBlock, renderSlack } from '../../../shared/domain/format/slack';
import { signedSlackClick } from '../../../shared/replay/slack-click';
import type { NotifiedAlert } from '../../../shared/domain/notification';
import { aNotification, criticalFiring, criticalResolved } from '../../fixtures/delivery/notifications';

const FP = '53ca53ea0c5f6e1ad362';
const [firstAlert] = criticalFiring.alerts;
if (firstAlert === undefined) throw new Error('the fixture has an alert');
const fixtureAlert: NotifiedAlert = firstAlert;
/** The fixture with a fingerprint as the pipeline makes them (20 hex characters). */
const firing = aNotification({ alerts: [{ ...fixtureAlert, fingerprint: FP }] });

function form(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

describe('Slack buttons', () => {
  it('a firing notification gets Acknowledge, Silence 1h and Silence until resolved, acting on its firing alerts', () => {
    // Act
    const message = renderSlack(firing, { actionButtons: true });

    // Assert
    const block = message.attachments[0].blocks.find((b) => b.type === 'actions');
    expect(block).toEqual(actionsBlock(firing));
    expect(
      block?.type === 'actions' ? block.elements.map((e) => [e.action_id, e.text.text, e.value]) : [],
    ).toEqual([
      ['vigil_ack', 'Acknowledge', FP],
      ['vigil_silence_1h', 'Silence 1h', FP],
      ['vigil_silence_resolved', 'Silence until resolved', FP],
    ]);
  });

  it('resolves, digests, acknowledgements and messages without the option get no buttons', () => {
    const has = (n: typeof criticalFiring, on = true) =>
      renderSlack(n, { actionButtons: on }).attachments[0].blocks.some((b) => b.type === 'actions');
    expect(has(firing)).toBe(true);
    expect(
      has({ ...criticalResolved, alerts: [{ ...fixtureAlert, fingerprint: FP, status: 'resolved' }] }),
    ).toBe(false);
    expect(has({ ...firing, reason: 'acknowledged' })).toBe(false);
    expect(has(firing, false)).toBe(false);
  });
});

describe('a Slack click', () => {
  const click = signedSlackClick({
    message: renderSlack(firing, { actionButtons: true }),
    actionId: 'vigil_silence_1h',
    user: { id: 'U0ANA', name: 'ana' },
    responseUrl: 'https://hooks.slack.com/actions/T0/1/abc',
    signingSecret: 's',
    at: Date.UTC(2026, 10, 26, 14, 0, 0),
  });

  it('reads the action, the alerts, the user and the response_url', () => {
    // Act
    const parsed = parseSlackClick(click.body);

    // Assert
    expect(parsed).toMatchObject({
      action: 'silence-1h',
      fingerprints: [FP],
      user: { id: 'U0ANA', name: 'ana' },
      responseUrl: 'https://hooks.slack.com/actions/T0/1/abc',
    });
    expect(actorLabel({ source: 'slack', ...parsed.user })).toBe('slack:U0ANA (ana)');
  });

  it('refuses anything else, naming the field', () => {
    const payload = JSON.parse(new URLSearchParams(click.body).get('payload') ?? '{}') as Record<
      string,
      unknown
    >;
    const cases: [string, string][] = [
      ['token=x', 'the form has no "payload" field'],
      ['payload=nope', '"payload" is not JSON'],
      [form({ ...payload, type: 'view_submission' }), 'payload.type'],
      [form({ ...payload, user: { id: 'root' } }), 'payload.user.id: must be a Slack user id'],
      [form({ ...payload, actions: [] }), 'payload.actions: must hold exactly one action'],
      [
        form({ ...payload, actions: [{ action_id: 'vigil_ack', value: 'DROP TABLE' }] }),
        'payload.actions[0].value',
      ],
      [
        form({ ...payload, actions: [{ action_id: 'vigil_ack', value: Array(51).fill(FP).join(',') }] }),
        'payload.actions[0].value',
      ],
    ];
    for (const [body, message] of cases) {
      expect(() => parseSlackClick(body)).toThrow(SlackPayloadError);
      expect(() => parseSlackClick(body)).toThrow(message);
    }
  });

  it('the replacement keeps the message and its colour, drops the buttons and says what happened', () => {
    // Arrange
    const { message } = parseSlackClick(click.body);

    // Act
    const replacement = replacementMessage(message, 'Acknowledged by <@U0ANA>');

    // Assert
    const attachments = replacement['attachments'] as { color: string; blocks: { type: string }[] }[];
    expect(replacement).toMatchObject({ replace_original: true, text: message?.text });
    expect(attachments[0]?.color).toBe('#D92D20');
    expect(attachments[0]?.blocks.map((b) => b.type)).not.toContain('actions');
    expect(attachments[0]?.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Acknowledged by <@U0ANA>' }],
    });
  });
});

describe('actor labels', () => {
  it('name who and from where', () => {
    expect(actorLabel({ source: 'cli', name: 'ana' })).toBe('ana');
    expect(actorLabel({ source: 'pagerduty', id: 'PXYZ' })).toBe('pagerduty:PXYZ');
    expect(actorLabel({ source: 'pagerduty', id: 'PXYZ', name: 'Ana Lee' })).toBe('pagerduty:PXYZ (Ana Lee)');
    expect(actorLabel({ source: 'email' })).toBe('link:email');
    expect(actorLabel({ source: 'sms' })).toBe('link:sms');
    expect(actorLabel({ source: 'slack', id: 'U1', name: 'a\nb\u0007c' })).toBe('slack:U1 (a b c)');
  });
});
