import { parseScenario, parseScenarioText, ScenarioError } from '../../../shared/replay/scenario';

const START = '2026-11-26T14:00:00Z';
const cpu = { at: 'PT1M', kind: 'alarm-action', alarm: { name: 'vigil-dev-high-cpu-api', state: 'ALARM' } };

function scenarioWith(extra: Record<string, unknown>): Record<string, unknown> {
  return { start: START, duration: 'PT2H', events: [cpu], ...extra };
}

function errorOf(input: unknown): string {
  try {
    parseScenario(input);
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario validation', () => {
  it('names the event index and field of a bad duration', () => {
    // Arrange
    const input = scenarioWith({ events: [cpu, cpu, cpu, { ...cpu, at: 'PT3X' }] });
    // Act
    const message = errorOf(input);
    // Assert
    expect(message).toMatch(/^events\[3\]\.at: "PT3X" is not an ISO-8601 duration/);
  });

  it.each([
    [
      'an unknown event kind',
      { events: [{ ...cpu, kind: 'sqs' }] },
      /^events\[0\]\.kind: .*"alarm-action"\|"eventbridge"\|"sns-alarm"/,
    ],
    [
      'an event with neither payload nor alarm',
      { events: [cpu, { at: 'PT1M', kind: 'eventbridge' }] },
      /^events\[1\]\.payload: give exactly one of/,
    ],
    [
      'an event with both payload and alarm',
      { events: [{ ...cpu, payload: { source: 'aws.cloudwatch' } }] },
      /^events\[0\]\.alarm: give exactly one of/,
    ],
    [
      'an unknown alarm state',
      { events: [{ ...cpu, alarm: { name: 'x', state: 'FIRING' } }] },
      /^events\[0\]\.alarm\.state: /,
    ],
    [
      'a bad changedAt',
      { events: [{ ...cpu, alarm: { name: 'x', state: 'OK', changedAt: 'soon' } }] },
      /^events\[0\]\.alarm\.changedAt: "soon"/,
    ],
    ['times below 1', { events: [{ ...cpu, times: 0 }] }, /^events\[0\]\.times: /],
    ['a misspelt key', { events: [{ ...cpu, tiems: 2 }] }, /^events\[0\]: Unrecognized key: "tiems"/],
    [
      'an event after the end',
      { events: [cpu, { ...cpu, at: 'PT3H' }] },
      /^events\[1\]\.at: PT3H is after the end of the scenario \(duration PT2H\)/,
    ],
    [
      'a start that is not a time',
      { start: 'yesterday' },
      /^start: "yesterday" is not an ISO-8601 time with a zone/,
    ],
    ['a start without a zone', { start: '2026-11-26T14:00:00' }, /^start: /],
    ['a calendar duration', { duration: 'P1M' }, /^duration: "P1M" uses years or months/],
    ['a zero duration', { duration: 'PT0S' }, /^duration: must be longer than PT0S/],
    ['an unknown order', { order: 'random' }, /^order: /],
    [
      'an action that is neither ack, silence nor a Slack click',
      { actions: [{ at: 'PT1M' }] },
      /^actions\[0\]: give exactly one of "ack", "silence" or "slackClick"/,
    ],
    [
      'a Slack click by someone who is not a Slack user id',
      { actions: [{ at: 'PT1M', slackClick: { alarmName: 'x', user: { id: 'ana', name: 'ana' } } }] },
      /^actions\[0\]\.slackClick\.user\.id: /,
    ],
    [
      'an ack without "by"',
      { actions: [{ at: 'PT1M', ack: { alarmName: 'x' } }] },
      /^actions\[0\]\.ack\.by: /,
    ],
    [
      'a bad silence matcher',
      { actions: [{ at: 'PT1M', silence: { matchers: ['team="payments"', 'sev'], duration: 'PT1H' } }] },
      /^actions\[0\]\.silence\.matchers\[1\]: "sev" is not a matcher/,
    ],
    [
      'a silence without matchers',
      { actions: [{ at: 'PT1M', silence: { matchers: [], duration: 'PT1H' } }] },
      /^actions\[0\]\.silence\.matchers: /,
    ],
    [
      'an action after the end',
      { actions: [{ at: 'PT9H', ack: { alarmName: 'x', by: 'ana' } }] },
      /^actions\[0\]\.at: PT9H is after the end/,
    ],
  ])('rejects %s with a message naming the field', (_name, extra, expected) => {
    // Arrange
    const input = scenarioWith(extra);
    // Act
    const message = errorOf(input);
    // Assert
    expect(message).toMatch(expected);
  });

  it('rejects a document that is not an object, and text that is not JSON', () => {
    // Act
    const notObject = errorOf([]);
    const notJson = () => parseScenarioText('{"start": ');
    // Assert
    expect(notObject).toMatch(/^\(root\): /);
    expect(notJson).toThrow(/^scenario is not valid JSON/);
  });

  it('turns times into epoch and offsets in ms and fills the defaults', () => {
    // Arrange
    const input = scenarioWith({
      events: [
        cpu,
        { at: 'PT2M30S', kind: 'sns-alarm', payload: { AlarmName: 'x' }, times: 3, every: 'PT1M' },
      ],
    });
    // Act
    const scenario = parseScenario(input);
    // Assert
    expect(scenario.start).toBe(Date.UTC(2026, 10, 26, 14, 0, 0));
    expect(scenario.duration).toBe(7_200_000);
    expect(scenario.order).toBe('as-written');
    expect(scenario.actions).toEqual([]);
    expect(scenario.events[0]).toMatchObject({ at: 60_000, times: 1, every: 0 });
    expect(scenario.events[1]).toMatchObject({
      at: 150_000,
      times: 3,
      every: 60_000,
      payload: { AlarmName: 'x' },
    });
  });

  it('parses ack and silence actions, matchers included', () => {
    // Arrange
    const input = scenarioWith({
      actions: [
        { at: 'PT10M', ack: { alarmName: 'vigil-dev-high-cpu-api', by: 'ana' } },
        { at: 'PT0S', silence: { matchers: ['service=~"api|checkout"'], duration: 'PT1H', by: 'ana' } },
      ],
    });
    // Act
    const scenario = parseScenario(input);
    // Assert
    expect(scenario.actions[0]).toEqual({
      at: 600_000,
      ack: { alarmName: 'vigil-dev-high-cpu-api', by: 'ana' },
    });
    expect(scenario.actions[1]?.silence).toEqual({
      matchers: [{ label: 'service', op: '=~', value: 'api|checkout' }],
      duration: 3_600_000,
      by: 'ana',
    });
  });
});
